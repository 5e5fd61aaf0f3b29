/**
 * The command line. Parsing uses yargs-parser, which is small and quick to load; the full
 * yargs is loaded only to print --help, because start-up is most of a typical run's time.
 */
import { stat } from 'node:fs/promises';
import { FlameprofError, InputError, UsageError } from './errors';
import { INPUT_FORMATS, readInput } from './import/registry';
import { writeOutput, writeStream } from './io/output';
import type { RunTarget } from './io/python';
import { fromSources, type Profile } from './model/profile';
import { DEFAULT_OPTIONS, resolveOptions, type Command, type Options } from './options';
import { buildFrames, diffProfiles, loadProfilesStreamed, render, runProgram } from './pipeline';
import { COLOR_SCHEMES } from './render/colour';
import { OUTPUT_FORMATS, renderer } from './render/registry';

/** -r/-m's module, loaded only for them: with child_process it costs ~2.5 ms of every start. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runModule = (): typeof import('./io/python') => require('./io/python');
// Loaded only for `flameprof serve`: the http module and the worker cost every other run start-up time.
const serveModule = (): typeof import('./serve/server') => require('./serve/server');

declare const FLAMEPROF_VERSION: string | undefined;

/** One row per flag: the parser, the validation and --help all read this table. */
interface Flag {
  readonly name: string;
  readonly alias?: string;
  readonly kind: 'int' | 'number' | 'string' | 'strings' | 'boolean';
  readonly describe: string;
  readonly choices?: readonly string[];
  /** The Options field it sets, if any. */
  readonly option?: keyof Options;
  /** Smallest accepted value for numbers, and whether it is allowed itself. */
  readonly min?: number;
  readonly minInclusive?: boolean;
  /** Largest accepted value for numbers (allowed itself). */
  readonly max?: number;
}

/** A number as people write one: decimal digits, a point, an exponent; no hex, no `Infinity`. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

export const FLAGS: readonly Flag[] = [
  { name: 'width', kind: 'int', option: 'width', min: 1, minInclusive: true, describe: 'width of the graph in pixels (100%: fill the window)' },
  { name: 'row-height', kind: 'int', option: 'rowHeight', min: 1, minInclusive: true, describe: 'height of a row of frames in pixels' },
  { name: 'font-size', kind: 'int', option: 'fontSize', min: 1, minInclusive: true, describe: 'label font size in pixels' },
  { name: 'threshold', kind: 'number', option: 'threshold', min: 0, minInclusive: true, max: 100, describe: 'hide frames narrower than this per cent of the total' },
  { name: 'format', kind: 'string', option: 'format', choices: OUTPUT_FORMATS, describe: 'output format' },
  { name: 'log-mult', kind: 'number', option: 'logMult', min: 0, minInclusive: false, describe: 'multiplier for seconds in the folded log (1000000: microseconds)' },
  { name: 'out', alias: 'o', kind: 'string', describe: 'write to FILE (atomically) instead of standard output' },
  { name: 'max-frames', kind: 'int', option: 'maxFrames', min: 1, minInclusive: true, describe: 'fail instead of drawing more frames than this' },
  { name: 'max-depth', kind: 'int', option: 'maxDepth', min: 1, minInclusive: true, describe: 'fail at a stack deeper than this many frames' },
  { name: 'max-output', kind: 'number', option: 'maxOutput', min: 0, minInclusive: false, describe: 'fail, before writing, at an output bigger than this many MB' },
  { name: 'short-paths', kind: 'boolean', option: 'shortPaths', describe: "file names relative to Python's library, site-packages and the current folder" },
  { name: 'strip', kind: 'strings', option: 'strip', describe: 'cut PREFIX from the start of file names (repeatable)' },
  { name: 'inverted', kind: 'boolean', describe: 'draw the inverted section (--no-inverted: the flame only)' },
  { name: 'inverted-only', kind: 'boolean', describe: 'draw the inverted section only (SVG)' },
  { name: 'hide', kind: 'strings', option: 'hide', describe: 'leave out frames whose file:line:name matches REGEX, their time going to the caller (repeatable)' },
  { name: 'focus', kind: 'string', option: 'focus', describe: 'draw only the stacks through a function matching REGEX, from there' },
  { name: 'reverse', kind: 'boolean', option: 'reverse', describe: 'merge stacks from the innermost frame' },
  { name: 'icicle', kind: 'boolean', option: 'icicle', describe: 'draw the flame with its root at the top' },
  { name: 'colors', kind: 'string', option: 'colors', choices: COLOR_SCHEMES, describe: 'colour scheme of the SVG' },
  { name: 'minwidth', kind: 'number', option: 'minWidth', min: 0, minInclusive: false, describe: 'hide frames narrower than this many pixels (instead of --threshold)' },
  { name: 'countname', kind: 'string', option: 'countName', describe: "the unit's word in tooltips (default: s, or samples)" },
  { name: 'notes', kind: 'string', option: 'notes', describe: "text for the SVG's <metadata>" },
  { name: 'title', kind: 'string', option: 'title', describe: 'title in the SVG header (default: the input file names)' },
  { name: 'subtitle', kind: 'string', option: 'subtitle', describe: 'a second line under the title' },
  { name: 'js', kind: 'boolean', option: 'js', describe: 'embed the zoom and search script in the SVG (--no-js: a static picture)' },
  { name: 'normalize', kind: 'boolean', option: 'normalize', describe: "with diff: scale BEFORE to AFTER's total first (difffolded.pl -n)" },
  { name: 'negate', kind: 'boolean', option: 'negate', describe: "with diff: draw BEFORE's frames instead of AFTER's" },
  { name: 'match', kind: 'string', option: 'match', choices: ['path', 'name'], describe: 'with diff: pair frames by call path of file:line:name, or of function names alone' },
  { name: 'port', kind: 'int', option: 'port', min: 0, minInclusive: true, max: 65535, describe: 'with serve: the port (0: any free one)' },
  { name: 'host', kind: 'string', option: 'host', describe: 'with serve: the address to listen on (127.0.0.1: this machine only)' },
  { name: 'open', kind: 'boolean', option: 'open', describe: 'with serve: open the listing in a browser ($BROWSER, or the desktop default)' },
  { name: 'files', kind: 'string', option: 'files', describe: 'with a folder among the inputs: only its profiles whose path under it matches REGEX' },
  { name: 'input-format', kind: 'string', option: 'inputFormat', choices: INPUT_FORMATS, describe: 'how to read the inputs (default: detected from their content)' },
  { name: 'sample-type', kind: 'string', option: 'sampleType', describe: "pprof inputs: the sample type to read (default: the profile's default, else its last)" },
  { name: 'skip-bad-lines', kind: 'boolean', option: 'skipBadLines', describe: 'skip malformed lines of text inputs instead of failing' },
  { name: 'run', alias: 'r', kind: 'string', describe: "run the Python script SCRIPT under cProfile and graph it (the script's arguments go after --)" },
  { name: 'module', alias: 'm', kind: 'string', describe: 'run the Python module MODULE (as python -m does) under cProfile and graph it' },
  { name: 'python', kind: 'string', option: 'python', describe: 'with -r/-m: the Python to run' },
  { name: 'cpu', kind: 'boolean', option: 'cpu', describe: 'with -r/-m: measure CPU time instead of wall-clock time' },
  { name: 'pstat', kind: 'boolean', option: 'pstat', describe: 'with -r/-m: keep the cProfile dump beside the output (out.svg -> out.prof)' },
  { name: 'threads', kind: 'boolean', option: 'threads', describe: 'with -r/-m: profile every thread under cProfile, a root each (not only the main one)' },
  { name: 'sample', kind: 'boolean', option: 'sample', describe: "with -r/-m: run under flameprof's sampling profiler instead of cProfile (low overhead, exact stacks)" },
  { name: 'interval', kind: 'number', option: 'interval', min: 1, minInclusive: true, describe: 'with --sample: milliseconds between samples (at least 1)' },
  { name: 'wall', kind: 'boolean', option: 'wall', describe: 'with --sample: sample wall-clock time (sleeping and waiting too) instead of CPU time' },
  { name: 'toggle', kind: 'boolean', option: 'toggle', describe: 'with --sample: start paused; SIGUSR2 to the program turns collection on and off' },
  { name: 'lines', kind: 'boolean', option: 'lines', describe: "with --sample: frames carry the line being run, not the function's first line" },
  { name: 'python-path', kind: 'boolean', describe: 'print the folder to put on PYTHONPATH for the flameprof_py package, and exit' },
  { name: 'debug', kind: 'boolean', describe: 'show stack traces of errors' },
  { name: 'version', kind: 'boolean', describe: 'print the version and exit' },
  { name: 'help', alias: 'h', kind: 'boolean', describe: 'show this help and exit' },
];

const EXAMPLES: ReadonlyArray<[string, string]> = [
  ['flameprof diff before.prof after.prof > diff.svg', 'what got slower (red) or faster (blue) from one run to the next'],
  ["flameprof requests/ --files '^GET\\.api\\.orders\\.' > orders.svg", "one endpoint's per-request profiles merged into one graph"],
  ['flameprof serve profiles/ --open', 'browse a folder of profiles in the browser (http://127.0.0.1:8888/)'],
  ['flameprof --format=html -o app.html app.prof', 'the interactive report: flame, table, sandwich, call graph'],
  ['flameprof app.prof > app.svg', 'flame graph of a cProfile dump (python -m cProfile -o app.prof app.py)'],
  ['flameprof -o app.svg a.prof b.prof', 'merge two dumps, as pstats.Stats(a, b) does'],
  ['flameprof --format=log app.prof | flamegraph.pl > out.svg', 'folded stacks for flamegraph.pl'],
  ['flameprof --threshold 0.01 --width 2000 app.prof > app.svg', 'more detail'],
  ['flameprof -r app.py -- --fast in.txt', 'profile app.py (with its arguments); the graph goes to profiles/app-<time>.svg'],
  ['flameprof -r app.py --sample --wall', 'sample app.py every 10 ms of wall-clock time instead of running it under cProfile'],
];

export interface CliIo {
  stdout: NodeJS.WritableStream & { fd?: number; isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  /** Standard input, asked for only when an input is `-`. */
  stdin: () => AsyncIterable<Uint8Array>;
}

export interface ParsedArgs {
  options: Options;
  /** What the words after the options ask for. */
  command: Command;
  /** The profiles to graph (command 'graph'). */
  inputs: string[];
  out: string | undefined;
  debug: boolean;
  version: boolean;
  pythonPath: boolean;
  help: boolean;
  /** -r/-m: the program to profile instead of reading inputs, and its arguments (after `--`). */
  run: { target: RunTarget; args: string[] } | undefined;
  /** `flameprof diff BEFORE AFTER`: each side's profiles (several joined by `+`). */
  diff: { before: string[]; after: string[] } | undefined;
  /** `flameprof serve [DIR]`: the folder. */
  serve: { dir: string } | undefined;
}

/** Parse and validate argv (without node and script). Throws UsageError. */
export function parseArgs(argv: string[]): ParsedArgs {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const parser = require('yargs-parser') as typeof import('yargs-parser');
  const strings = FLAGS.filter((f) => f.kind !== 'boolean').map((f) => f.name);
  const booleans = FLAGS.filter((f) => f.kind === 'boolean').map((f) => f.name);
  const alias: Record<string, string> = {};
  for (const f of FLAGS) if (f.alias) alias[f.name] = f.alias;
  const res = parser.detailed(argv, {
    string: strings,
    boolean: booleans,
    alias,
    configuration: {
      'camel-case-expansion': false,
      'dot-notation': false,
      // Repeatable flags (--strip, --hide) collect every value; the others keep the last.
      // (Declaring them as arrays instead would swallow the profile names after them.)
      'duplicate-arguments-array': true,
      'parse-numbers': false,
      'parse-positional-numbers': false,
      'boolean-negation': true,
      'halt-at-non-option': false,
      'populate--': true,
      'strip-aliased': true,
    },
  });
  if (res.error) throw new UsageError(res.error.message);
  const a = res.argv as Record<string, unknown>;
  const known = new Set(['_', '--']);
  for (const f of FLAGS) {
    known.add(f.name);
    if (f.alias) known.add(f.alias);
  }
  for (const key of Object.keys(a)) {
    if (!known.has(key)) throw new UsageError(`unknown option ${key.length === 1 ? '-' : '--'}${key}`);
  }
  // A flag given twice keeps its last value, unless it is repeatable.
  for (const f of FLAGS) if (f.kind !== 'strings' && Array.isArray(a[f.name])) a[f.name] = (a[f.name] as unknown[]).at(-1);
  const get = (name: string): unknown => (a[name] === undefined ? undefined : flagValue(FLAGS.find((f) => f.name === name)!, a[name]));

  const options: Partial<Options> = {};
  // --width 100%: a fluid SVG, laid out at the default width and scaled to its window.
  if (a.width === '100%') {
    options.fluid = true;
    delete a.width;
  }
  for (const f of FLAGS) {
    const v = a[f.name];
    if (v === undefined || f.option === undefined) continue;
    (options as Record<string, unknown>)[f.option] = flagValue(f, v);
  }
  if (a['inverted-only'] === true && a.inverted === false) throw new UsageError('--no-inverted and --inverted-only cannot be used together');
  if (a['inverted-only'] === true) options.sections = 'inverted';
  else if (a.inverted === false) options.sections = 'flame';
  const out = get('out') as string | undefined;
  const words = [...(a._ as Array<string | number>), ...((a['--'] as string[] | undefined) ?? [])].map(String);
  const run = runRequest(a, get);
  const command: Command = run !== undefined ? 'run' : words[0] === 'diff' ? 'diff' : words[0] === 'serve' ? 'serve' : 'graph';
  const resolved = resolveOptions(options, command);
  if (run !== undefined && out !== undefined && resolved.pstat && runModule().pstatPath(out) === out) {
    throw new UsageError(`--pstat would write the dump over the output '${out}': give -o another extension`);
  }
  if (command === 'serve' && words.length > 2) throw new UsageError(`serve takes one folder, got ${words.length - 1}`);
  return {
    options: resolved,
    command,
    inputs: command === 'graph' ? words : [],
    run,
    diff: command === 'diff' ? diffSides(words.slice(1)) : undefined,
    serve: command === 'serve' ? { dir: words[1] ?? '.' } : undefined,
    out,
    debug: a.debug === true,
    version: a.version === true,
    pythonPath: a['python-path'] === true,
    help: a.help === true,
  };
}

/**
 * -r/-m and the program's arguments, which are only those after `--`: a stray word before it
 * would be ambiguous (a profile? an argument?), so it is an error that says where they go.
 */
function runRequest(a: Record<string, unknown>, get: (name: string) => unknown): ParsedArgs['run'] {
  const script = get('run') as string | undefined;
  const module = get('module') as string | undefined;
  if (script === undefined && module === undefined) return undefined;
  if (script !== undefined && module !== undefined) throw new UsageError('-r/--run and -m/--module cannot be used together');
  const flag = script !== undefined ? '-r' : '-m';
  const stray = (a._ as Array<string | number>).map(String);
  if (stray.length > 0) {
    throw new UsageError(`unexpected argument '${stray[0]}' with ${flag}: no profile inputs with ${flag}, and the program's arguments go after --`);
  }
  return {
    target: script !== undefined ? { script } : { module: module! },
    args: ((a['--'] as Array<string | number> | undefined) ?? []).map(String),
  };
}

function flagValue(f: Flag, v: unknown): unknown {
  if (f.kind === 'boolean') return v === true;
  if (f.kind === 'strings') {
    const values = (Array.isArray(v) ? v : [v]).map(String);
    if (values.some((x) => x === '')) throw new UsageError(`--${f.name} needs a value`);
    return values;
  }
  if (typeof v !== 'string' || (v === '' && f.kind !== 'string')) {
    throw new UsageError(`--${f.name} needs a value`);
  }
  if (f.choices && v !== '' && !f.choices.includes(v)) {
    throw new UsageError(`--${f.name} must be one of ${f.choices.join(', ')}, got '${v}'`);
  }
  if (f.kind === 'string') {
    if (v === '') throw new UsageError(`--${f.name} needs a value`);
    return v;
  }
  const n = Number(v);
  const intOk = f.kind !== 'int' || Number.isInteger(n);
  if (!DECIMAL.test(v) || !Number.isFinite(n) || !intOk) {
    throw new UsageError(`--${f.name} must be ${f.kind === 'int' ? 'a whole number' : 'a number'}, got '${v}'`);
  }
  if (f.min !== undefined && (f.minInclusive ? n < f.min : n <= f.min)) {
    throw new UsageError(`--${f.name} must be ${f.minInclusive ? 'at least' : 'greater than'} ${f.min}, got '${v}'`);
  }
  if (f.max !== undefined && n > f.max) throw new UsageError(`--${f.name} must be at most ${f.max}, got '${v}'`);
  return n;
}

/** `BEFORE [+ MORE...] AFTER [+ MORE...]`: the two sides, each one or more profiles joined by `+`. */
function diffSides(words: string[]): { before: string[]; after: string[] } {
  const sides: string[][] = [];
  let join = false;
  for (const w of words) {
    if (w === '+') {
      if (sides.length === 0 || join) throw new UsageError("diff: '+' joins two profiles of one side: BEFORE [+ MORE] AFTER [+ MORE]");
      join = true;
    } else if (join) {
      sides[sides.length - 1].push(w);
      join = false;
    } else sides.push([w]);
  }
  if (join) throw new UsageError("diff: '+' joins two profiles of one side: BEFORE [+ MORE] AFTER [+ MORE]");
  if (sides.length !== 2) {
    throw new UsageError(`diff needs two sides, BEFORE and AFTER, got ${sides.length} (join several profiles of one side with +)`);
  }
  return { before: sides[0], after: sides[1] };
}

export function version(): string {
  return typeof FLAMEPROF_VERSION === 'string' ? FLAMEPROF_VERSION : (require('../package.json') as { version: string }).version;
}

/** --help text, built by yargs from the same flag table (yargs 17 hands it back as a promise). */
export async function helpText(): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const yargs = require('yargs/yargs') as typeof import('yargs/yargs');
  let y = yargs([])
    .scriptName('flameprof')
    .usage(
      '$0 [options] <profile...>\n$0 [options] -r SCRIPT | -m MODULE [-- ARGS...]\n$0 [options] diff BEFORE [+ MORE] AFTER [+ MORE]\n$0 [options] serve [DIR]\n\n' +
        'Flame graphs from Python profiles (cProfile/profile dumps). Use - to read standard input.',
    )
    .version(false)
    .help(false)
    .wrap(Math.min(100, process.stdout.columns || 100));
  for (const f of FLAGS) {
    const def = f.option ? DEFAULT_OPTIONS[f.option] : undefined;
    y = y.option(f.name, {
      alias: f.alias,
      type: f.kind === 'int' ? 'number' : f.kind === 'strings' ? 'array' : f.kind,
      describe: f.describe,
      choices: f.choices as string[] | undefined,
      default: def === undefined ? undefined : def,
    });
  }
  for (const [cmd, what] of EXAMPLES) y = y.example(cmd, what);
  return y.getHelp();
}

const HINT = "(see 'flameprof --help')";

/** Run the CLI. Returns the exit code; never throws. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  let debug = argv.includes('--debug');
  try {
    const args = parseArgs(argv);
    debug = args.debug;
    if (args.help) {
      io.stdout.write((await helpText()) + '\n');
      return 0;
    }
    if (args.pythonPath) {
      io.stdout.write(require('node:path').resolve(runModule().PYTHON_PATH) + '\n');
      return 0;
    }
    if (args.version) {
      io.stdout.write(version() + '\n');
      return 0;
    }
    if (args.run) return await runPython(args, args.run, io);
    if (args.diff) return await runDiff(args, args.diff, io);
    if (args.serve) return await runServe(args, args.serve.dir, io);
    if (args.inputs.length === 0) throw new UsageError('no profile given');
    return await runRender(args, io);
  } catch (err) {
    return reportError(err, debug, io);
  }
}

/** The inputs read (as they come) and merged, as a graph's or a diff side's (`-` is standard input, read once). */
function load(paths: string[], args: ParsedArgs, io: CliIo): Promise<Profile> {
  return loadProfilesStreamed(paths, args.options, () => io.stdin());
}

/** --files needs a folder among the inputs. */
async function checkFiles(inputs: string[], args: ParsedArgs): Promise<void> {
  if (args.options.files === undefined) return;
  const folder = async (p: string): Promise<boolean> => p !== '-' && (await stat(p).then((s) => s.isDirectory(), () => false));
  for (const p of inputs) if (await folder(p)) return;
  throw new UsageError('--files works only with a folder among the inputs');
}

function oneStdin(paths: string[]): void {
  if (paths.filter((p) => p === '-').length > 1) throw new UsageError('standard input (-) can be read only once');
}

/**
 * Write the output to -o, or to stdout. A file is written chunk by chunk, so one buffer
 * serves them all; a stream may hold on to a chunk it has queued, so it gets chunks of its own.
 */
async function output(args: ParsedArgs, io: CliIo, chunks: (reuse: boolean) => Iterable<Uint8Array>): Promise<void> {
  if (args.out !== undefined) await writeOutput(args.out, chunks(true));
  else await writeStream(io.stdout, chunks(false));
}

function warn(io: CliIo, warnings: readonly string[]): void {
  for (const w of warnings) io.stderr.write(`flameprof: warning: ${w}\n`);
}

async function runRender(args: ParsedArgs, io: CliIo): Promise<number> {
  oneStdin(args.inputs);
  if (args.out === undefined && io.stdout.isTTY === true && renderer(args.options.format).binary === true) {
    throw new UsageError(`the ${args.options.format} output is binary: give -o FILE, or redirect standard output`);
  }
  await checkFiles(args.inputs, args);
  const frames = buildFrames(await load(args.inputs, args, io), args.options);
  warn(io, frames.warnings);
  await output(args, io, (reuse) => render(frames, args.options, { reuse }));
  return 0;
}

/** `flameprof serve`: until Ctrl-C or SIGTERM, which stop it cleanly (exit 0). */
async function runServe(args: ParsedArgs, dir: string, io: CliIo): Promise<number> {
  const { port, host, open } = args.options;
  const serving = await serveModule().serve({ dir, port, host });
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) {
    io.stderr.write(`flameprof: warning: listening on ${host}: the profiles can be read by anyone who reaches this machine there\n`);
  }
  io.stdout.write(`flameprof: serving ${dir} at ${serving.url} (Ctrl-C stops)\n`);
  if (open) {
    const opener = process.env.BROWSER || (process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open');
    const child = require('node:child_process').spawn(opener, [serving.url], { stdio: 'ignore', detached: true });
    child.on('error', () => io.stderr.write(`flameprof: warning: could not start ${opener} to open ${serving.url}\n`));
    child.unref();
  }
  await new Promise<void>((done) => {
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, () => done());
  });
  await serving.close();
  return 0;
}

/** `flameprof diff`: each side loaded and merged like a graph's inputs, then compared. */
async function runDiff(args: ParsedArgs, sides: { before: string[]; after: string[] }, io: CliIo): Promise<number> {
  oneStdin([...sides.before, ...sides.after]);
  await checkFiles([...sides.before, ...sides.after], args);
  const diff = diffProfiles(await load(sides.before, args, io), await load(sides.after, args, io), args.options);
  warn(io, diff.warnings);
  await output(args, io, (reuse) => render(diff, args.options, { reuse }));
  return 0;
}

/**
 * -r/-m: run the program, then render its dump like any other input. The graph never goes to
 * stdout (that is the program's), and our exit code is the program's.
 */
async function runPython(args: ParsedArgs, run: NonNullable<ParsedArgs['run']>, io: CliIo): Promise<number> {
  const { defaultRunOutput, ensureDir, pstatPath } = runModule();
  const what = 'script' in run.target ? run.target.script : run.target.module;
  // Named when the run starts: snapshots (SIGUSR1, with --sample) go where the graph will.
  const out = args.out ?? defaultRunOutput(run.target, renderer(args.options.format).extension, 'profiles');
  const draw = async (dump: Buffer, kind: 'profile' | 'snapshot'): Promise<void> => {
    if (args.out === undefined) ensureDir('profiles');
    const profile = readInput(dump, `${kind} of ${what}`, { ...args.options, inputFormat: args.options.sample ? 'folded' : 'pstats' });
    // Titled by the script's file name, or the module.
    const frames = buildFrames(fromSources(profile, [what]), args.options);
    warn(io, frames.warnings);
    await writeOutput(out, render(frames, args.options, { reuse: true }));
    io.stderr.write(kind === 'snapshot' ? `flameprof: wrote a snapshot to ${out}\n` : `flameprof: wrote ${out}\n`);
  };
  const onSnapshot = async (stacks: Buffer): Promise<void> => {
    try {
      await draw(stacks, 'snapshot');
    } catch (err) {
      reportError(err, args.debug, io);
    }
  };
  const result = await runProgram(run.target, args.options, { args: run.args, onSnapshot });
  if (result.dump === undefined) {
    const how = result.signal ? `was killed by ${result.signal}` : `exited with ${result.status}`;
    io.stderr.write(`flameprof: no profile of ${what}: Python ${how} before writing one\n`);
    return result.status || 1;
  }
  try {
    if (args.options.pstat) {
      if (args.out === undefined) ensureDir('profiles');
      await writeOutput(pstatPath(out), [result.dump]);
      io.stderr.write(`flameprof: wrote ${pstatPath(out)}\n`);
    }
    await draw(result.dump, 'profile');
  } catch (err) {
    const code = reportError(err, args.debug, io);
    return result.status || code;
  }
  return result.status;
}

function reportError(err: unknown, debug: boolean, io: CliIo): number {
  if (err instanceof UsageError) {
    io.stderr.write(`flameprof: ${err.message} ${HINT}\n`);
    return 2;
  }
  if (err instanceof FlameprofError) {
    io.stderr.write(`flameprof: ${err.message}\n`);
    if (debug) io.stderr.write(`${err.stack}\n`);
    return 1;
  }
  const e = err as Error;
  io.stderr.write(`flameprof: internal error: ${e?.message ?? String(err)}\n`);
  io.stderr.write(debug ? `${e?.stack}\n` : 'Run again with --debug for the stack trace.\n');
  return 1;
}
