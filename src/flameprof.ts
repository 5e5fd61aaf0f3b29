/**
 * The pipeline, as the library exposes it: bytes -> profile model -> frames -> output bytes.
 * The CLI is a thin layer over these functions.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { FlameprofError, InputError, inFile } from './errors';
import { estimateFrames } from './estimate';
import type { FrameSet } from './frames';
import { decodeText, detectFormat, looksLikeJson } from './load/detect';
import { readFolded } from './load/folded';
import { readPlop } from './load/plop';
import { keyId, mergeCallGraphs, readPstats } from './load/pstats';
import type { CallGraphProfile, FuncKey, Profile, SampledProfile, SampledStack } from './model';
import { resolveOptions, type InputFormat, type Options } from './options';
import { decodeChunks, utf8, type ChunkOptions } from './render/bytes';
import { renderLog } from './render/log';
import { renderSpeedscope } from './render/speedscope';
import { renderSvg } from './render/svg';
import { stackFrames } from './stacks';

/** How to read an input: its format ('auto': told from the content) and what to do with bad lines. */
export type ReadOptions = Partial<Pick<Options, 'inputFormat' | 'skipBadLines'>>;

/**
 * Read one input's bytes into a profile. `name` is used in error messages and warnings only.
 * `how` is the input format, or the options that say how to read (see `ReadOptions`).
 * Errors are `FlameprofError`s whose message starts with `name: `.
 */
export function readProfile(bytes: Uint8Array, name: string, how: InputFormat | ReadOptions = 'auto'): Profile {
  const opts = typeof how === 'string' ? { inputFormat: how } : how;
  const skipBadLines = opts.skipBadLines ?? false;
  try {
    const auto = !opts.inputFormat || opts.inputFormat === 'auto';
    if (auto && looksLikeJson(bytes)) {
      throw new InputError('not a profile: this is JSON text (flameprof reads pstats dumps, folded stacks and plop files)');
    }
    const format = auto ? detectFormat(bytes) : opts.inputFormat;
    switch (format) {
      case 'pstats':
        return readPstats(bytes);
      case 'folded':
        return named(readFolded(decodeText(bytes), { skipBadLines }), name);
      case 'plop':
        return named(readPlop(decodeText(bytes), { skipBadLines }), name);
      default:
        throw new InputError(`unknown input format '${String(format)}'`);
    }
  } catch (err) {
    throw inFile(name, err);
  }
}

/** Warnings of a reader name the file they are about. */
function named(p: SampledProfile, name: string): SampledProfile {
  if (!p.warnings || p.warnings.length === 0) return p;
  return { ...p, warnings: p.warnings.map((w) => `${name}: ${w}`) };
}

/** Read a file, with errors that say which file and what is wrong in one line. */
export function readInputFile(path: string): Buffer {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    throw new FlameprofError(`${path}: ${fsReason(err)}`);
  }
  if (st.isDirectory()) throw new FlameprofError(`${path}: is a directory, expected a profile file`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new FlameprofError(`${path}: ${fsReason(err)}`);
  }
  // Empty bytes would read as empty folded stacks, but an empty *file* is nearly always a
  // profiler that died before writing: say so rather than draw an empty graph.
  if (bytes.length === 0) throw new InputError(`${path}: empty file`);
  return bytes;
}

export function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return (err as Error).message;
  }
}

/** Load and merge profile files (as `pstats.Stats(a, b, ...)` merges dumps). */
export function loadProfiles(paths: string[], how: InputFormat | ReadOptions = 'auto'): Profile {
  const profiles = paths.map((p) => readProfile(readInputFile(p), p, how));
  return mergeProfiles(profiles);
}

export function mergeProfiles(profiles: Profile[]): Profile {
  if (profiles.length === 0) throw new FlameprofError('no profile given');
  if (profiles.length === 1) return profiles[0];
  if (profiles.every((p): p is CallGraphProfile => p.kind === 'callgraph')) return mergeCallGraphs(profiles);
  if (profiles.every((p): p is SampledProfile => p.kind === 'sampled')) return mergeSampled(profiles);
  throw new InputError('cannot merge profiles of different kinds (pstats dumps with sampled stacks)');
}

/** Sampled profiles together: functions by key in first-seen order, stacks one after another. */
export function mergeSampled(profiles: SampledProfile[]): SampledProfile {
  const funcs: FuncKey[] = [];
  const index = new Map<string, number>();
  const stacks: SampledStack[] = [];
  const warnings: string[] = [];
  for (const p of profiles) {
    const local = p.funcs.map((k) => {
      const id = keyId(k);
      let i = index.get(id);
      if (i === undefined) {
        i = funcs.length;
        funcs.push(k);
        index.set(id, i);
      }
      return i;
    });
    for (const s of p.stacks) stacks.push({ frames: s.frames.map((f) => local[f]), weight: s.weight });
    if (p.warnings) warnings.push(...p.warnings);
  }
  return { kind: 'sampled', funcs, stacks, warnings };
}

/** Frames for both sections; see `Options` for threshold and maxFrames. */
export function buildFrames(profile: Profile, options: Partial<Options> = {}): FrameSet {
  const opts = resolveOptions(options);
  if (profile.kind === 'callgraph') {
    return estimateFrames(profile, { threshold: opts.threshold, maxFrames: opts.maxFrames });
  }
  return stackFrames(profile, { threshold: opts.threshold, maxFrames: opts.maxFrames });
}

/**
 * The output in the format `options.format` names, as UTF-8 bytes in chunks (of 256 KiB
 * or so: outputs of 100,000s of frames are never held whole). Each chunk is the caller's to keep,
 * unless `chunks.reuse` asks for views of buffers that later chunks overwrite (for a consumer
 * that is done with each chunk soon, as the CLI's file writer is: see `ChunkOptions`).
 */
export function render(
  frames: FrameSet,
  options: Partial<Options> = {},
  titleFallback = 'flameprof',
  chunks: ChunkOptions = {},
): Iterable<Uint8Array> {
  const opts = resolveOptions(options);
  switch (opts.format) {
    case 'log':
      // --log-mult turns seconds into integers; sample counts are written as they are.
      return renderLog(frames, frames.unit === 'samples' ? 1 : opts.logMult, chunks);
    case 'svg':
      return renderSvg(
        frames,
        {
          width: opts.width,
          rowHeight: opts.rowHeight,
          fontSize: opts.fontSize,
          title: opts.title ?? titleFallback,
          js: opts.js,
        },
        chunks,
      );
    case 'speedscope':
      return encodeChunks(renderSpeedscope(frames, { title: opts.title ?? titleFallback }));
    default:
      throw new FlameprofError(`output format '${opts.format}' is not supported yet`);
  }
}

/** Text chunks as UTF-8 (the speedscope file is built as JSON text). */
function* encodeChunks(text: Iterable<string>): Generator<Uint8Array> {
  for (const s of text) yield utf8(s);
}

/** The whole output as one string (convenient for small profiles and tests). */
export function renderToString(frames: FrameSet, options: Partial<Options> = {}, titleFallback?: string): string {
  return decodeChunks(render(frames, options, titleFallback, { reuse: true }));
}

/** The title the CLI shows when --title is absent: the inputs' file names. */
export function defaultTitle(paths: string[]): string {
  return paths.map((p) => (p === '-' ? 'stdin' : basename(p))).join(' + ');
}
