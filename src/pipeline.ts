/**
 * The pipeline, as the library exposes it: bytes -> profile model -> frames -> output bytes.
 * The CLI is a thin layer over these functions.
 */
import { basename } from 'node:path';
import { FlameprofError } from './errors';
import { estimateFrames } from './frames/estimate';
import { diffFrames, type FrameDiff } from './frames/diff';
import { exactStats } from './frames/exact';
import { columnsOf, onlySections, withParts, type FrameSet } from './frames/frame-set';
import { shortenPaths } from './frames/paths';
import { flameStacks, selects, selectStacks, type Selection } from './frames/select';
import { sampledLabel, stackFrames } from './frames/stacks';
import { mergeProfiles } from './import/merge';
import { readProfile, type ReadOptions } from './import/read';
import { readInputFile } from './io/files';
import { formatSix } from './model/pynum';
import { funcLabel, type Profile } from './model/profile';
import { resolveOptions, type FramePaint, type InputFormat, type Options, type SvgOptions } from './options';
import { decodeChunks, utf8, type ChunkOptions } from './render/bytes';
import { htmlSizeBound, renderHtml, type HtmlDiff, type HtmlOptions } from './render/html';
import { logSize, renderLog } from './render/log';
import { renderSpeedscope, speedscopeSize } from './render/speedscope';
import { diffLegend, diffPaint, renderDiffLog } from './render/diff';
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
  const sel = selection(opts);
  let frames = selects(sel)
    ? selectedFrames(profile, sel, budget)
    : profile.kind === 'callgraph'
      ? estimateFrames(profile, budget)
      : stackFrames(profile, budget);
  if (opts.format === 'html') frames = withParts(frames, { exact: exactStats(profile) });
  return onlySections(shortenPaths(frames, opts), opts.sections);
}

/** --hide, --focus and --reverse, compiled: a FlameprofError names the flag of a bad regex. */
export function selection(opts: Pick<Options, 'hide' | 'focus' | 'reverse'>): Selection {
  const compile = (flag: string, source: string): RegExp => {
    try {
      return new RegExp(source);
    } catch (err) {
      throw new FlameprofError(`${flag} '${source}' is not a regular expression: ${(err as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '')}`);
    }
  };
  return {
    hide: opts.hide.map((h) => compile('--hide', h)),
    focus: opts.focus === undefined ? undefined : compile('--focus', opts.focus),
    reverse: opts.reverse,
  };
}

/**
 * The frames of the selected stacks: a sampled profile's own, or a pstats dump's estimated
 * ones (its flame's paths, drawn ten times finer than asked so that a focused part keeps
 * its detail), merged again.
 */
function selectedFrames(profile: Profile, sel: Selection, budget: { threshold: number; maxFrames: number; maxDepth: number }): FrameSet {
  const callgraph = profile.kind === 'callgraph';
  const estimated = callgraph ? estimateFrames(profile, { ...budget, threshold: budget.threshold / 10 }) : undefined;
  const stacks = estimated === undefined ? (profile as Extract<Profile, { kind: 'sampled' }>) : flameStacks(estimated);
  const chosen = selectStacks(stacks, sel, callgraph ? undefined : sampledLabel);
  if (sel.focus !== undefined && chosen.focused.length === 0) {
    throw new FlameprofError(`--focus '${sel.focus.source}' matches no function on any stack of the profile`);
  }
  const frames = stackFrames(chosen.profile, { ...budget, unit: callgraph ? 'seconds' : 'samples' });
  if (callgraph && sel.focus !== undefined && profile.kind === 'callgraph') {
    // The estimate can be far from the dump's own numbers: say both.
    const exact = chosen.focused.map((f) => `${funcLabel(profile.functions[f].key)} ${formatSix(profile.functions[f].stat.ct)} s`).join(', ');
    frames.warnings.push(
      `--focus on a cProfile dump draws the estimator's stacks (${formatSix(frames.total)} s here); ` +
        `by the dump's exact cumulative times: ${exact}`,
    );
  }
  if (estimated !== undefined) frames.warnings.unshift(...estimated.warnings);
  return frames;
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
      return renderSvg(frames, svgOptions(opts, opts.title ?? titleFallback), chunks);
    case 'html':
      return renderHtml(frames, htmlOptions(opts, opts.title ?? titleFallback), chunks);
    case 'speedscope':
      return encodeChunks(renderSpeedscope(frames, { title: opts.title ?? titleFallback }));
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

/**
 * What changed from BEFORE to AFTER, each side's frames built by `buildFrames` from one kind
 * of profile: the folded diff log ('log'), or a graph coloured by the change ('svg', 'html').
 */
export function renderDiff(
  before: FrameSet,
  after: FrameSet,
  options: Partial<Options> = {},
  titleFallback = 'flameprof diff',
  chunks: ChunkOptions = {},
): Iterable<Uint8Array> {
  const opts = resolveOptions(options);
  if (before.unit !== after.unit) throw new FlameprofError('both sides of a diff must be of one kind: pstats dumps, or sampled stacks');
  if (opts.format === 'log') return renderDiffLog(before, after, opts.logMult, opts.normalize, chunks);
  const diff = diffFrames(before, after, opts);
  const estimated = diff.frames.unit === 'seconds' && diff.frames.fromStacks !== true;
  const legend = diffLegend(diff, estimated, opts.normalize);
  const unit = opts.countName ?? (diff.frames.unit === 'seconds' ? 's' : 'samples');
  const paint = diffPaint(diff, unit);
  const title = opts.title ?? titleFallback;
  switch (opts.format) {
    case 'svg':
      checkSize(diff.frames, opts);
      return renderSvg(diff.frames, { ...svgOptions(opts, title), legend, paint }, chunks);
    case 'html':
      checkSize(diff.frames, opts);
      return renderHtml(diff.frames, { ...htmlOptions(opts, title), diff: htmlDiff(diff, before, after, paint, legend, opts) }, chunks);
    default:
      throw new FlameprofError(`a diff is drawn as svg, html or log, not ${opts.format}`);
  }
}

/** What the SVG renderer takes from the options. */
function svgOptions(opts: Options, title: string): SvgOptions {
  const { width, rowHeight, fontSize, icicle, subtitle, fluid, js, countName, colors, notes } = opts;
  return { width, rowHeight, fontSize, icicle, title, subtitle, fluid, js, countName, colors, notes };
}

/** What the HTML report takes from the options. */
function htmlOptions(opts: Options, title: string): HtmlOptions {
  const { rowHeight, fontSize, icicle, subtitle, colors, sections, countName } = opts;
  return { title, subtitle, icicle, rowHeight, fontSize, colors, sections, countName };
}

function htmlDiff(diff: FrameDiff, before: FrameSet, after: FrameSet, paint: FramePaint, legend: string, opts: Options): HtmlDiff {
  if (before.exact === undefined || after.exact === undefined) {
    throw new FlameprofError("an html diff needs both profiles' exact numbers: build each side's frames with buildFrames(profile, { format: 'html' })");
  }
  const scale = opts.normalize && before.total > 0 ? after.total / before.total : 1;
  return { diff, paint, legend, before: { funcs: before.funcs, exact: before.exact }, after: { funcs: after.funcs, exact: after.exact }, scale };
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
