/**
 * The pipeline, as the library exposes it: bytes -> profile model -> frames -> output bytes.
 * The CLI is a thin layer over these functions.
 */
import { basename } from 'node:path';
import { FlameprofError } from './errors';
import { estimateFrames } from './frames/estimate';
import { exactStats } from './frames/exact';
import { columnFrameSet, columnsOf, onlySections, type FrameSet } from './frames/frame-set';
import { shortenPaths } from './frames/paths';
import { stackFrames } from './frames/stacks';
import { mergeProfiles } from './import/merge';
import { readProfile, type ReadOptions } from './import/read';
import { readInputFile } from './io/files';
import type { Profile } from './model/profile';
import { resolveOptions, type InputFormat, type Options } from './options';
import { decodeChunks, utf8, type ChunkOptions } from './render/bytes';
import { htmlSizeBound, renderHtml } from './render/html';
import { logSize, renderLog } from './render/log';
import { renderSpeedscope, speedscopeSize } from './render/speedscope';
import { renderSvg, svgSize } from './render/svg';

/** Load and merge profile files (as `pstats.Stats(a, b, ...)` merges dumps). */
export function loadProfiles(paths: string[], how: InputFormat | ReadOptions = 'auto'): Profile {
  return mergeProfiles(paths.map((p) => readProfile(readInputFile(p), p, how)));
}

/**
 * Frames for the sections `options.sections` names; see `Options` for the others that apply.
 * For the 'html' format they carry the profile's exact numbers too (FrameSet.exact).
 */
export function buildFrames(profile: Profile, options: Partial<Options> = {}): FrameSet {
  const opts = resolveOptions(options);
  const threshold = opts.minWidth === undefined ? opts.threshold : (opts.minWidth / opts.width) * 100;
  const budget = { threshold, maxFrames: opts.maxFrames, maxDepth: opts.maxDepth };
  let frames = profile.kind === 'callgraph' ? estimateFrames(profile, budget) : stackFrames(profile, budget);
  if (opts.format === 'html') frames = columnFrameSet(frames.funcs, columnsOf(frames), frames.total, frames.unit, frames.warnings, exactStats(profile));
  return onlySections(shortenPaths(frames, opts), opts.sections);
}

/**
 * The output in the format `options.format` names, as UTF-8 bytes in chunks (of 256 KiB
 * or so: outputs of 100,000s of frames are never held whole). Each chunk is the caller's to
 * keep, unless `chunks.reuse` asks for views of one buffer that the next chunk overwrites.
 */
export function render(
  frames: FrameSet,
  options: Partial<Options> = {},
  titleFallback = 'flameprof',
  chunks: ChunkOptions = {},
): Iterable<Uint8Array> {
  const opts = resolveOptions(options);
  if (opts.sections === 'inverted' && opts.format !== 'svg' && opts.format !== 'html') {
    throw new FlameprofError(`the ${opts.format} output holds the flame only: it cannot be drawn with the inverted section alone`);
  }
  checkSize(frames, opts);
  switch (opts.format) {
    case 'log':
      return renderLog(frames, opts.logMult, chunks);
    case 'svg':
      return renderSvg(
        frames,
        {
          width: opts.width,
          rowHeight: opts.rowHeight,
          fontSize: opts.fontSize,
          title: opts.title ?? titleFallback,
          js: opts.js,
          countName: opts.countName,
          colors: opts.colors,
          notes: opts.notes,
        },
        chunks,
      );
    case 'speedscope':
      return encodeChunks(renderSpeedscope(frames, { title: opts.title ?? titleFallback }));
    case 'html':
      return renderHtml(
        frames,
        {
          title: opts.title ?? titleFallback,
          rowHeight: opts.rowHeight,
          fontSize: opts.fontSize,
          colors: opts.colors,
          sections: opts.sections,
          countName: opts.countName,
        },
        chunks,
      );
    default:
      throw new FlameprofError(`output format '${opts.format}' is not supported yet`);
  }
}

/**
 * Stop before writing anything when the output would pass --max-output. A bound from the
 * frame count, the depth and the longest label settles most graphs; only when it does not
 * is the output's size worked out frame by frame.
 */
function checkSize(frames: FrameSet, opts: Options): void {
  const limit = opts.maxOutput * 2 ** 20;
  if (opts.format === 'html') return tooBig(opts, htmlSizeBound(frames), limit);
  const { flame, inverted } = columnsOf(frames);
  let longest = 0;
  for (const f of frames.funcs) longest = Math.max(longest, f.label.length + f.key.name.length);
  // A frame's markup, numbers and (escaped: at most 6 bytes a character) text; the log and
  // speedscope repeat a path's labels on every line.
  const perFrame = 2048 + 6 * longest;
  const depth = Math.max(flame.maxLevel, inverted.maxLevel) + 1;
  const bound = 65536 + (flame.length + inverted.length) * perFrame * (opts.format === 'svg' ? 1 : depth);
  if (bound <= limit) return;
  const size = opts.format === 'log' ? logSize(frames) : opts.format === 'speedscope' ? speedscopeSize(frames) : svgSize(frames);
  tooBig(opts, size, limit);
}

function tooBig(opts: Options, size: number, limit: number): void {
  if (size <= limit) return;
  const mb = (n: number): string => `${Math.ceil(n / 2 ** 20)} MB`;
  throw new FlameprofError(
    `the ${opts.format} output would be about ${mb(size)}, more than --max-output ${opts.maxOutput} (MB); ` +
      'raise --max-output, or --threshold to draw less',
  );
}

/** Text chunks as UTF-8 (the speedscope file is built as JSON text). */
function* encodeChunks(text: Iterable<string>): Generator<Uint8Array> {
  for (const s of text) yield utf8(s);
}

/**
 * The whole output as one string (convenient for small profiles and tests). Outputs beyond
 * what one string can hold (about 512 MB) are a FlameprofError: `render` streams them.
 */
export function renderToString(frames: FrameSet, options: Partial<Options> = {}, titleFallback?: string): string {
  try {
    return decodeChunks(render(frames, options, titleFallback, { reuse: true }));
  } catch (err) {
    if (err instanceof RangeError && /string length/i.test(err.message)) {
      throw new FlameprofError('the output is too big for one string: use render() to stream it');
    }
    throw err;
  }
}

/** The title the CLI shows when --title is absent: the inputs' file names. */
export function defaultTitle(paths: string[]): string {
  return paths.map((p) => (p === '-' ? 'stdin' : basename(p))).join(' + ');
}
