/**
 * The pipeline, as the library exposes it: bytes -> profile model -> frames -> output bytes,
 * and two profiles -> their diff. The CLI and the server are thin layers over these functions.
 */
import { existsSync } from 'node:fs';
import { basename, resolve as resolvePath } from 'node:path';
import { FlameprofError, InputError } from './errors';
import { estimateFrames } from './frames/estimate';
import { onlySections, type FrameOptions, type FrameSet } from './frames/frame-set';
import { shortenPaths } from './frames/paths';
import { flameStacks, selects, selectStacks, type Selection } from './frames/select';
import { sampledLabel, stackFrames } from './frames/stacks';
import { mergeProfiles, ProfileMerger } from './import/merge';
import { readInput, readInputStream, type InputFormat } from './import/registry';
import { openInputFile, readInputFile } from './io/files';
import { expandFolders } from './io/folder';
import type { RunResult, RunSettings, RunTarget } from './io/python';
import { formatSix } from './model/pynum';
import { funcKey, funcLabel, type Profile } from './model/profile';
import { filesRegex, resolveOptions, selection, type Options } from './options';
import { decodeChunks, type ChunkOptions } from './render/bytes';
import { renderer } from './render/registry';
import { checkSize, type RenderSettings } from './render/renderer';

/** One input's bytes as a profile; `name` starts its errors and warnings (see readInput). */
export function readProfile(bytes: Uint8Array, name: string, options: Partial<Options> | InputFormat = {}): Profile {
  const opts = resolveOptions(typeof options === 'string' ? { inputFormat: options } : options);
  return readInput(bytes, name, opts);
}

/**
 * One input's bytes as they come (a file's, standard input's) as a profile: text formats are
 * read as they come, so that a gigabyte of folded stacks in a gzip file costs the memory of
 * its distinct stacks. An input with no bytes at all is an error ("empty input").
 */
export function readProfileStream(source: AsyncIterable<Uint8Array>, name: string, options: Partial<Options> | InputFormat = {}): Promise<Profile> {
  const opts = resolveOptions(typeof options === 'string' ? { inputFormat: options } : options);
  return readInputStream(source, name, opts);
}

/** Load and merge profile files (as `pstats.Stats(a, b, ...)` merges dumps). */
export function loadProfiles(paths: string[], options: Partial<Options> | InputFormat = {}): Profile {
  return mergeProfiles(paths.map((p) => readProfile(readInputFile(p), p, options)));
}

/**
 * `loadProfiles`, each file read as it comes (see readProfileStream): for inputs of any size.
 * A folder stands for the profiles under it (see Options.files); `-` for `stdin`, when given.
 */
export async function loadProfilesStreamed(
  paths: string[],
  options: Partial<Options> | InputFormat = {},
  stdin?: () => AsyncIterable<Uint8Array>,
): Promise<Profile> {
  const opts = resolveOptions(typeof options === 'string' ? { inputFormat: options } : options);
  const merged = new ProfileMerger();
  for (const p of (await expandFolders(paths, filesRegex(opts))).paths) {
    const name = p === '-' ? 'stdin' : p;
    const profile = await readProfileStream(p === '-' && stdin !== undefined ? stdin() : openInputFile(p), name, opts);
    const why = merged.refusal(profile);
    if (why !== undefined) throw new InputError(`${name}: ${why}`);
    merged.add(profile);
  }
  return merged.result();
}

/** Frames for the sections `options.sections` names; see `Options` for the others that apply. */
export function buildFrames(profile: Profile, options: Partial<Options> = {}): FrameSet {
  const opts = resolveOptions(options);
  const threshold = opts.minWidth === undefined ? opts.threshold : (opts.minWidth / opts.width) * 100;
  const budget = { threshold, maxFrames: opts.maxFrames, maxDepth: opts.maxDepth };
  const sel = matching(selection(opts), profile);
  const frames = selects(sel)
    ? selectedFrames(profile, sel, budget)
    : profile.kind === 'callgraph'
      ? estimateFrames(profile, budget)
      : stackFrames(profile, budget);
  return onlySections(shortenPaths(frames, opts), opts.sections);
}

/** The selection without the --hide expressions that match no function: hiding nothing changes nothing. */
function matching(sel: Selection, profile: Profile): Selection {
  if (sel.hide.length === 0) return sel;
  const labels = profile.kind === 'callgraph' ? Array.from({ length: profile.count }, (_, i) => funcLabel(funcKey(profile, i))) : profile.funcs.map(sampledLabel);
  return { ...sel, hide: sel.hide.filter((re) => labels.some((l) => re.test(l))) };
}

/**
 * The frames of the selected stacks: a sampled profile's own, or a pstats dump's estimated
 * ones (its flame's paths with their own time, the folded log's lines), merged again. --hide
 * alone takes them at the threshold asked, so that the total is the log's; --focus and
 * --reverse draw ten times finer, so that a focused part keeps its detail.
 */
function selectedFrames(profile: Profile, sel: Selection, budget: FrameOptions): FrameSet {
  const fine = sel.focus !== undefined || sel.reverse;
  const estimated = profile.kind === 'callgraph' ? estimateFrames(profile, { ...budget, threshold: fine ? budget.threshold / 10 : budget.threshold }) : undefined;
  const stacks = profile.kind === 'callgraph' ? flameStacks(estimated!) : profile;
  const chosen = selectStacks(stacks, sel, profile.kind === 'callgraph' ? undefined : sampledLabel);
  if (sel.focus !== undefined && chosen.focused.length === 0) {
    throw new InputError(`--focus '${sel.focus.source}' matches no function on any stack of the profile`);
  }
  const frames = stackFrames(chosen.profile, { ...budget, unit: profile.kind === 'callgraph' ? 'seconds' : 'samples', source: profile });
  if (sel.focus !== undefined && profile.kind === 'callgraph') {
    // The estimate can be far from the dump's own numbers: say both.
    const exact = chosen.focused.map((f) => `${funcLabel(funcKey(profile, f))} ${formatSix(profile.ct[f])} s`).join(', ');
    frames.warnings.push(
      `--focus on a cProfile dump draws the estimator's stacks (${formatSix(frames.total)} s here); ` +
        `by the dump's exact cumulative times: ${exact}`,
    );
  }
  if (estimated !== undefined) frames.warnings.unshift(...estimated.warnings);
  return frames;
}

/** Two profiles of one kind, each built into frames as `buildFrames` builds a graph's. */
export interface ProfileDiff {
  readonly before: FrameSet;
  readonly after: FrameSet;
  /** Each side's warnings, starting with the side's name. */
  readonly warnings: string[];
}

/**
 * What changed from BEFORE to AFTER: both sides' frames, checked to be of one kind and to
 * hold some time. `render` draws it: the folded diff log ('log'), or a graph coloured by the
 * change ('svg', 'html').
 */
export function diffProfiles(before: Profile, after: Profile, options: Partial<Options> = {}): ProfileDiff {
  const opts = resolveOptions(options, 'diff');
  const kind = (p: Profile): string => (p.kind === 'callgraph' ? 'a pstats dump' : 'sampled stacks');
  const b = sourceTitle(before) ?? 'BEFORE';
  const a = sourceTitle(after) ?? 'AFTER';
  if (before.kind !== after.kind) throw new InputError(`${a}: is ${kind(after)} but ${b} is ${kind(before)}: both sides of a diff must be of one kind`);
  const warnings: string[] = [];
  const side = (profile: Profile, name: string): FrameSet => {
    const frames = buildFrames(profile, opts);
    warnings.push(...frames.warnings.map((w) => `${name}: ${w}`));
    if (!(frames.total > 0)) throw new InputError(`${name}: holds no time or samples: nothing to compare`);
    return frames;
  };
  return { before: side(before, b), after: side(after, a), warnings };
}

/**
 * The output in the format `options.format` names, of a graph's frames or of a diff, as
 * UTF-8 bytes in chunks (of 256 KiB or so: outputs of 100,000s of frames are never held
 * whole). Each chunk is the caller's to keep, unless `chunks.reuse` asks for views of one
 * buffer that the next chunk overwrites. Nothing is yielded when the output would pass
 * --max-output.
 */
export function render(what: FrameSet | ProfileDiff, options: Partial<Options> = {}, chunks: ChunkOptions = {}): Iterable<Uint8Array> {
  const isDiff = 'before' in what;
  const opts = resolveOptions(options, isDiff ? 'diff' : 'graph');
  const r = renderer(opts.format);
  const settings: RenderSettings = { ...opts, title: title(opts, what) };
  if (isDiff) return r.renderDiff!(what, settings, chunks);
  checkSize(r, what, opts.maxOutput);
  return r.render(what, settings, chunks);
}

/**
 * The whole output as one string (convenient for small profiles and tests). Outputs beyond
 * what one string can hold (about 512 MB) are a FlameprofError: `render` streams them.
 */
export function renderToString(what: FrameSet | ProfileDiff, options: Partial<Options> = {}): string {
  const format = options.format ?? 'svg';
  if (renderer(format).binary === true) throw new FlameprofError(`the ${format} output is binary, not text: use render() for its bytes`);
  try {
    return decodeChunks(render(what, options, { reuse: true }));
  } catch (err) {
    if (err instanceof RangeError && /string length/i.test(err.message)) {
      throw new FlameprofError('the output is too big for one string: use render() to stream it');
    }
    throw err;
  }
}

/** The title: --title, else the inputs' file names ('BEFORE -> AFTER' for a diff), else 'flameprof'. */
function title(opts: Options, what: FrameSet | ProfileDiff): string {
  if (opts.title !== undefined) return opts.title;
  if ('before' in what) {
    const [b, a] = [sourceTitle(what.before.profile), sourceTitle(what.after.profile)];
    return b === undefined || a === undefined ? 'flameprof diff' : `${b} -> ${a}`;
  }
  return sourceTitle(what.profile) ?? 'flameprof';
}

/** A profile's inputs by file name, joined by ` + `, or undefined when it does not say. */
function sourceTitle(p: Profile): string | undefined {
  return p.sources === undefined || p.sources.length === 0 ? undefined : p.sources.map((s) => basename(s)).join(' + ');
}

/**
 * Run a Python program under cProfile or, with `sample`, the sampler (the run options of
 * Options), and hand back its dump and status: `readProfile` reads the dump. The program's
 * arguments, folder and environment come beside the options, and, when sampling, what to do
 * with each snapshot SIGUSR1 to the program asks for (folded stacks).
 */
export async function runProgram(
  target: RunTarget,
  options: Partial<Options> = {},
  program: { readonly args?: readonly string[]; readonly cwd?: string; readonly env?: NodeJS.ProcessEnv; readonly onSnapshot?: RunSettings['onSnapshot'] } = {},
): Promise<RunResult> {
  const { args = [], cwd, env, onSnapshot } = program;
  const opts = resolveOptions(options, 'run');
  // A script that is not there is an input problem (exit 1), not Python's usage error (2).
  if ('script' in target && !existsSync(resolvePath(cwd ?? '.', target.script))) throw new InputError(`${target.script}: no such file (the script to run)`);
  // Loaded only for runs: with child_process it costs every other start-up time.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { runPython } = require('./io/python') as typeof import('./io/python');
  return runPython(target, { ...opts, args, cwd, env, onSnapshot });
}
