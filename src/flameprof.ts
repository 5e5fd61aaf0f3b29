/**
 * The pipeline, as the library exposes it: bytes -> profile model -> frames -> output text.
 * The CLI is a thin layer over these functions.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { FlameprofError, InputError, inFile } from './errors';
import { estimateFrames } from './estimate';
import type { FrameSet } from './frames';
import { mergeCallGraphs, readPstats } from './load/pstats';
import type { CallGraphProfile, Profile } from './model';
import { resolveOptions, type InputFormat, type Options } from './options';
import { renderLog } from './render/log';
import { renderSvg } from './render/svg';

/**
 * Read one input's bytes into a profile. `name` is used in error messages only.
 * Errors are `FlameprofError`s whose message starts with `name: `.
 */
export function readProfile(bytes: Uint8Array, name: string, inputFormat: InputFormat = 'auto'): Profile {
  try {
    if (inputFormat !== 'auto' && inputFormat !== 'pstats') {
      throw new InputError(`input format '${inputFormat}' is not supported yet`);
    }
    return readPstats(bytes);
  } catch (err) {
    throw inFile(name, err);
  }
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
  try {
    return readFileSync(path);
  } catch (err) {
    throw new FlameprofError(`${path}: ${fsReason(err)}`);
  }
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
export function loadProfiles(paths: string[], inputFormat: InputFormat = 'auto'): Profile {
  const profiles = paths.map((p) => readProfile(readInputFile(p), p, inputFormat));
  return mergeProfiles(profiles);
}

export function mergeProfiles(profiles: Profile[]): Profile {
  if (profiles.length === 0) throw new FlameprofError('no profile given');
  if (profiles.length === 1) return profiles[0];
  if (profiles.every((p): p is CallGraphProfile => p.kind === 'callgraph')) return mergeCallGraphs(profiles);
  throw new InputError('cannot merge profiles of different kinds (pstats dumps with sampled stacks)');
}

/** Frames for both sections; see `Options` for threshold and maxFrames. */
export function buildFrames(profile: Profile, options: Partial<Options> = {}): FrameSet {
  const opts = resolveOptions(options);
  if (profile.kind === 'callgraph') {
    return estimateFrames(profile, { threshold: opts.threshold, maxFrames: opts.maxFrames });
  }
  throw new InputError('sampled profiles are not supported yet');
}

/** The output text in chunks, in the format `options.format` names. */
export function render(frames: FrameSet, options: Partial<Options> = {}, titleFallback = 'flameprof'): Iterable<string> {
  const opts = resolveOptions(options);
  switch (opts.format) {
    case 'log':
      return renderLog(frames, opts.logMult);
    case 'svg':
      return renderSvg(frames, {
        width: opts.width,
        rowHeight: opts.rowHeight,
        fontSize: opts.fontSize,
        title: opts.title ?? titleFallback,
        js: opts.js,
      });
    default:
      throw new FlameprofError(`output format '${opts.format}' is not supported yet`);
  }
}

/** The whole output as one string (convenient for small profiles and tests). */
export function renderToString(frames: FrameSet, options: Partial<Options> = {}, titleFallback?: string): string {
  let s = '';
  for (const chunk of render(frames, options, titleFallback)) s += chunk;
  return s;
}

/** The title the CLI shows when --title is absent: the inputs' file names. */
export function defaultTitle(paths: string[]): string {
  return paths.map((p) => (p === '-' ? 'stdin' : basename(p))).join(' + ');
}
