/**
 * The command line. Parsing uses yargs-parser, which is small and quick to load; the full
 * yargs is loaded only to print --help, because start-up is most of a typical run's time.
 */
import { closeSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { FlameprofError, UsageError } from './errors';
import { buildFrames, defaultTitle, fsReason, mergeProfiles, readInputFile, readProfile, render } from './flameprof';
import { DEFAULT_OPTIONS, INPUT_FORMATS, OUTPUT_FORMATS, resolveOptions, type Options } from './options';

declare const FLAMEPROF_VERSION: string | undefined;

/** One row per flag: the parser, the validation and --help all read this table. */
interface Flag {
  readonly name: string;
  readonly alias?: string;
  readonly kind: 'int' | 'number' | 'string' | 'boolean';
  readonly describe: string;
  readonly choices?: readonly string[];
  /** The Options field it sets, if any. */
  readonly option?: keyof Options;
  /** Smallest accepted value for numbers, and whether it is allowed itself. */
  readonly min?: number;
  readonly minInclusive?: boolean;
}

export const FLAGS: readonly Flag[] = [
  { name: 'width', kind: 'int', option: 'width', min: 1, minInclusive: true, describe: 'width of the graph in pixels' },
  { name: 'row-height', kind: 'int', option: 'rowHeight', min: 1, minInclusive: true, describe: 'height of a row of frames in pixels' },
  { name: 'font-size', kind: 'int', option: 'fontSize', min: 1, minInclusive: true, describe: 'label font size in pixels' },
  { name: 'threshold', kind: 'number', option: 'threshold', min: 0, minInclusive: true, describe: 'hide frames narrower than this per cent of the total' },
  { name: 'format', kind: 'string', option: 'format', choices: OUTPUT_FORMATS, describe: 'output format' },
  { name: 'log-mult', kind: 'number', option: 'logMult', min: 0, minInclusive: false, describe: 'multiplier for seconds in the folded log (1000000: microseconds)' },
  { name: 'out', alias: 'o', kind: 'string', describe: 'write to FILE (atomically) instead of standard output' },
  { name: 'max-frames', kind: 'int', option: 'maxFrames', min: 1, minInclusive: true, describe: 'fail instead of drawing more frames than this' },
  { name: 'title', kind: 'string', option: 'title', describe: 'title in the SVG header (default: the input file names)' },
  { name: 'js', kind: 'boolean', option: 'js', describe: 'embed the zoom and search script in the SVG (--no-js: a static picture)' },
  { name: 'input-format', kind: 'string', option: 'inputFormat', choices: INPUT_FORMATS, describe: 'how to read the inputs (default: detected from their content)' },
  { name: 'skip-bad-lines', kind: 'boolean', option: 'skipBadLines', describe: 'skip malformed lines of text inputs instead of failing' },
  { name: 'debug', kind: 'boolean', describe: 'show stack traces of errors' },
  { name: 'version', kind: 'boolean', describe: 'print the version and exit' },
  { name: 'help', alias: 'h', kind: 'boolean', describe: 'show this help and exit' },
];

const EXAMPLES: ReadonlyArray<[string, string]> = [
  ['flameprof app.prof > app.svg', 'flame graph of a cProfile dump (python -m cProfile -o app.prof app.py)'],
  ['flameprof -o app.svg a.prof b.prof', 'merge two dumps, as pstats.Stats(a, b) does'],
  ['flameprof --format=log app.prof | flamegraph.pl > out.svg', 'folded stacks for flamegraph.pl'],
  ['flameprof --threshold 0.01 --width 2000 app.prof > app.svg', 'more detail'],
];

export interface CliIo {
  stdout: NodeJS.WritableStream & { fd?: number };
  stderr: NodeJS.WritableStream;
  readStdin: () => Buffer;
}

export interface ParsedArgs {
  options: Options;
  inputs: string[];
  out: string | undefined;
  debug: boolean;
  version: boolean;
  help: boolean;
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
      'duplicate-arguments-array': false,
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

  const options: Partial<Options> = {};
  for (const f of FLAGS) {
    const v = a[f.name];
    if (v === undefined || f.option === undefined) continue;
    (options as Record<string, unknown>)[f.option] = flagValue(f, v);
  }
  const out = a.out === undefined ? undefined : flagValue(FLAGS.find((f) => f.name === 'out')!, a.out);
  const inputs = [...(a._ as Array<string | number>), ...((a['--'] as string[] | undefined) ?? [])].map(String);
  return {
    options: resolveOptions(options),
    inputs,
    out: out as string | undefined,
    debug: a.debug === true,
    version: a.version === true,
    help: a.help === true,
  };
}

function flagValue(f: Flag, v: unknown): unknown {
  if (Array.isArray(v)) throw new UsageError(`--${f.name} given more than once`);
  if (f.kind === 'boolean') return v === true;
  if (typeof v !== 'string' || (v === '' && f.kind !== 'string')) {
    throw new UsageError(`--${f.name} needs a value`);
  }
  if (f.choices && !f.choices.includes(v)) {
    throw new UsageError(`--${f.name} must be one of ${f.choices.join(', ')}, got '${v}'`);
  }
  if (f.kind === 'string') {
    if (v === '') throw new UsageError(`--${f.name} needs a value`);
    return v;
  }
  const n = Number(v);
  const intOk = f.kind !== 'int' || Number.isInteger(n);
  if (v.trim() === '' || !Number.isFinite(n) || !intOk) {
    throw new UsageError(`--${f.name} must be ${f.kind === 'int' ? 'a whole number' : 'a number'}, got '${v}'`);
  }
  if (f.min !== undefined && (f.minInclusive ? n < f.min : n <= f.min)) {
    throw new UsageError(`--${f.name} must be ${f.minInclusive ? 'at least' : 'greater than'} ${f.min}, got '${v}'`);
  }
  return n;
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
    .usage('$0 [options] <profile...>\n\nFlame graphs from Python profiles (cProfile/profile dumps). Use - to read standard input.')
    .version(false)
    .help(false)
    .wrap(Math.min(100, process.stdout.columns || 100));
  for (const f of FLAGS) {
    const def = f.option ? DEFAULT_OPTIONS[f.option] : undefined;
    y = y.option(f.name, {
      alias: f.alias,
      type: f.kind === 'int' ? 'number' : f.kind,
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
    if (args.version) {
      io.stdout.write(version() + '\n');
      return 0;
    }
    if (args.inputs.length === 0) throw new UsageError('no profile given');
    if (args.inputs.filter((p) => p === '-').length > 1) throw new UsageError('standard input (-) can be read only once');
    return await runRender(args, io);
  } catch (err) {
    return reportError(err, debug, io);
  }
}

async function runRender(args: ParsedArgs, io: CliIo): Promise<number> {
  const profiles = args.inputs.map((p) =>
    p === '-' ? readProfile(io.readStdin(), 'stdin', args.options.inputFormat) : readProfile(readInputFile(p), p, args.options.inputFormat),
  );
  const frames = buildFrames(mergeProfiles(profiles), args.options);
  for (const w of frames.warnings) io.stderr.write(`flameprof: warning: ${w}\n`);
  const chunks = render(frames, args.options, defaultTitle(args.inputs));
  if (args.out !== undefined) writeAtomically(args.out, chunks);
  else await writeStream(io.stdout, chunks);
  return 0;
}

/** Write to a temporary file beside `path` and rename it over: no half-written output, ever. */
export function writeAtomically(path: string, chunks: Iterable<string>): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, 'w');
  } catch (err) {
    throw new FlameprofError(`${path}: cannot write: ${fsReason(err)}`);
  }
  try {
    for (const c of chunks) writeSync(fd, c);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, path);
  } catch (err) {
    if (fd >= 0) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    if (err instanceof FlameprofError) throw err;
    throw new FlameprofError(`${path}: cannot write: ${fsReason(err)}`);
  }
}

class ClosedPipe extends Error {}

/** Stream chunks with backpressure; a reader that goes away (`| head`) ends us quietly. */
async function writeStream(out: NodeJS.WritableStream, chunks: Iterable<string>): Promise<void> {
  let closed = false;
  const onError = (err: NodeJS.ErrnoException): void => {
    if (err.code === 'EPIPE') closed = true;
  };
  out.on('error', onError);
  try {
    for (const c of chunks) {
      if (closed) throw new ClosedPipe();
      if (!out.write(c)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            out.off('drain', done);
            out.off('error', done);
            out.off('close', done);
            resolve();
          };
          out.once('drain', done);
          out.once('error', done);
          out.once('close', done);
        });
      }
    }
  } catch (err) {
    if (!(err instanceof ClosedPipe)) throw err;
  }
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
