/**
 * The HTML report: one self-contained page (script and style inline, nothing fetched) with
 * the flame, icicle, table, sandwich and call-graph views. The frames and the exact numbers
 * go in once, as JSON data (./report-data.ts) that the page's script (src/report/, bundled
 * into dist/report.js at build time) draws on canvas. No profile text is ever part of a
 * script: names reach the page only as JSON data, escaped for a script element, and the
 * script writes them only as text.
 */
import { createHash } from 'node:crypto';
import { FlameprofError } from '../errors';
import { diffFrames, type FrameDiff } from '../frames/diff';
import { exactStats, type ExactStats } from '../frames/exact';
import { FRAME_COLORS, type FrameColumns, type FrameSet, type Sections } from '../frames/frame-set';
import { asset } from './assets';
import { ByteWriter, type ChunkOptions } from './bytes';
import { Colorizer, type ColorScheme } from './colour';
import { diffLegend, diffPaint, diffUnit } from './diff';
import { checkSize, type DiffSides, type FramePaint, type Renderer, type RenderSettings } from './renderer';
import { DATA_ID, type B64, type DiffData, type ReportData, type SectionData } from './report-data';
import { escapeXml } from './xml';

export const htmlRenderer = {
  name: 'html',
  describe: 'the interactive report: flame, icicle, table, sandwich, call graph',
  extension: '.html',
  flameOnly: false,
  size: (frames: FrameSet): number => htmlSizeBound(frames),
  render: (frames: FrameSet, s: RenderSettings, chunks: ChunkOptions) => renderHtml(frames, htmlOptions(s), chunks),
  renderDiff: (sides: DiffSides, s: RenderSettings, chunks: ChunkOptions) => {
    const diff = diffFrames(sides.before, sides.after, s);
    checkSize(htmlRenderer, diff.frames, s.maxOutput);
    const paint = diffPaint(diff, diffUnit(diff, s));
    const scale = s.normalize && sides.before.total > 0 ? sides.after.total / sides.before.total : 1;
    // The table of changes pairs functions as the frames are paired.
    const side = (f: FrameSet) => ({ funcs: s.match === 'name' ? f.funcs.map((fn) => ({ key: fn.key, label: fn.key.name })) : f.funcs, exact: exactStats(f.profile) });
    const legend = diffLegend(diff, s.normalize);
    return renderHtml(diff.frames, { ...htmlOptions(s), diff: { diff, paint, legend, before: side(sides.before), after: side(sides.after), scale } }, chunks);
  },
} as const satisfies Renderer;

/** What the report takes from the settings. */
function htmlOptions(s: RenderSettings): HtmlOptions {
  const { title, subtitle, icicle, rowHeight, fontSize, colors, sections, countName } = s;
  return { title, subtitle, icicle, rowHeight, fontSize, colors, sections, countName };
}

export interface HtmlOptions {
  readonly title: string;
  /** A line under the title. */
  readonly subtitle?: string;
  /** Open on the icicle view (when the link names no view). */
  readonly icicle?: boolean;
  readonly rowHeight: number;
  readonly fontSize: number;
  readonly colors: ColorScheme;
  readonly sections: Sections;
  /** The unit's word in tooltips, instead of 's' or 'samples'. */
  readonly countName?: string;
  /** A differential report: the frames' comparison and both sides' exact numbers. */
  readonly diff?: HtmlDiff;
}

export interface HtmlDiff {
  readonly diff: FrameDiff;
  readonly paint: FramePaint;
  readonly legend: string;
  /** Each side's functions and exact numbers, for the table of changes. */
  readonly before: { readonly funcs: FrameSet['funcs']; readonly exact: ExactStats };
  readonly after: { readonly funcs: FrameSet['funcs']; readonly exact: ExactStats };
  /** What BEFORE's numbers are multiplied by (its total to AFTER's when normalizing, else 1). */
  readonly scale: number;
}

/** The report's Content-Security-Policy: its own script by hash, nothing from anywhere. */
export function reportPolicy(): string {
  return (
    `default-src 'none'; script-src 'sha256-${createHash('sha256').update(asset('report.js')).digest('base64')}'; ` +
    "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
  );
}

export function* renderHtml(frames: FrameSet, opts: HtmlOptions, chunks: ChunkOptions = {}): Generator<Uint8Array> {
  const script = asset('report.js');
  const csp = reportPolicy();
  const w = new ByteWriter(chunks);
  w.text(
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
      `<meta http-equiv="Content-Security-Policy" content="${csp}">\n` +
      '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
      `<title>${escapeXml(opts.title)}</title>\n</head>\n<body>\n` +
      `<script type="application/json" id="${DATA_ID}">`,
  );
  if (w.full) yield w.take();
  for (const piece of dataJson(reportData(frames, opts))) {
    w.text(piece);
    if (w.full) yield w.take();
  }
  w.text(`</script>\n<script>${script}</script>\n</body>\n</html>\n`);
  yield w.take();
}

/** An upper bound of the report's size in bytes, for --max-output. */
export function htmlSizeBound(frames: FrameSet): number {
  const { flame, inverted } = frames;
  const exact = exactStats(frames.profile);
  let text = 0;
  for (const f of frames.funcs) text += f.key.file.length + f.key.name.length;
  const edges = exact.edges.caller.length;
  // base64 of 58 bytes a frame (33 more in a diff) and 40 an edge; JSON-escaped text at
  // most 6 bytes a code unit.
  return (1 << 20) + (flame.length + inverted.length) * 128 + edges * 56 + frames.funcs.length * 80 + text * 6;
}

/** The data, as JSON text safe inside a script element (no `<`, `>`, `&`, U+2028/2029 left). */
function* dataJson(data: ReportData): Generator<string> {
  // Field by field: the frame columns are megabytes of base64 that need no escaping.
  const entries = Object.entries(data);
  yield '{';
  for (let i = 0; i < entries.length; i++) {
    const [k, v] = entries[i];
    yield `${i > 0 ? ',' : ''}${JSON.stringify(k)}:${scriptSafe(JSON.stringify(v))}`;
  }
  yield '}';
}

function scriptSafe(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function reportData(frames: FrameSet, opts: HtmlOptions): ReportData {
  const exact = exactStats(frames.profile);
  const files: string[] = [];
  const fileIndex = new Map<string, number>();
  const funcFile = frames.funcs.map((f) => {
    let i = fileIndex.get(f.key.file);
    if (i === undefined) {
      i = files.length;
      files.push(f.key.file);
      fileIndex.set(f.key.file, i);
    }
    return i;
  });
  const colorizer = new Colorizer(opts.colors);
  // Fill indices are one byte: palettes hold a few dozen fills, a diff 173 shades at most.
  const fills: string[] = [];
  const fillIndex = new Map<string, number>();
  const { flame, inverted } = frames;
  const paint = opts.diff?.paint;
  const section = (c: FrameColumns): SectionData => {
    const fill = new Uint8Array(c.length);
    const flameSection = c === flame;
    for (let i = 0; i < c.length; i++) {
      const fn = frames.funcs[c.func[i]];
      const rgb = paint !== undefined ? paint.fill(flameSection, i) : colorizer.fill(fn.label, FRAME_COLORS[c.color[i]], fn.key.file);
      let k = fillIndex.get(rgb);
      if (k === undefined) {
        k = fills.length;
        if (k === 256) throw new FlameprofError('the html report holds at most 256 fills');
        fills.push(rgb);
        fillIndex.set(rgb, k);
      }
      fill[i] = k;
    }
    const n = c.length;
    return {
      n,
      maxLevel: c.maxLevel,
      level: b64(c.level, n),
      func: b64(c.func, n),
      color: b64(c.color, n),
      fill: b64(fill, n),
      x: b64(c.x, n),
      w: b64(c.w, n),
      cc: b64(c.cc, n),
      nc: b64(c.nc, n),
      tt: b64(c.tt, n),
      ct: b64(c.ct, n),
    };
  };
  const e = exact.edges;
  const m = e.caller.length;
  return {
    version: 1,
    title: opts.title,
    subtitle: opts.subtitle ?? '',
    view: opts.icicle === true ? 'icicle' : 'flame',
    unit: frames.unit,
    fromStacks: frames.fromStacks === true,
    sampled: frames.profile.kind === 'sampled',
    unitWord: opts.countName ?? (frames.unit === 'seconds' ? 's' : 'samples'),
    total: frames.total,
    rowHeight: opts.rowHeight,
    fontSize: opts.fontSize,
    sections: opts.sections,
    files,
    funcFile,
    funcLine: frames.funcs.map((f) => f.key.line),
    funcName: frames.funcs.map((f) => f.key.name),
    fills,
    flame: section(flame),
    inverted: section(inverted),
    exact: { cc: b64(exact.cc), nc: b64(exact.nc), tt: b64(exact.tt), ct: b64(exact.ct) },
    edges: { n: m, caller: b64(e.caller), callee: b64(e.callee), cc: b64(e.cc), nc: b64(e.nc), tt: b64(e.tt), ct: b64(e.ct) },
    warnings: frames.warnings,
    ...(opts.diff === undefined ? {} : { diff: diffData(opts.diff) }),
  };
}

function diffData(d: HtmlDiff): DiffData {
  const labels: string[] = [];
  const index = new Map<string, number>();
  for (const side of [d.before, d.after]) {
    for (const f of side.funcs) {
      if (!index.has(f.label)) {
        index.set(f.label, labels.length);
        labels.push(f.label);
      }
    }
  }
  const n = labels.length;
  const times = { ttBefore: new Float64Array(n), ttAfter: new Float64Array(n), ctBefore: new Float64Array(n), ctAfter: new Float64Array(n) };
  const fill = (side: HtmlDiff['before'], tt: Float64Array, ct: Float64Array, scale: number): void => {
    side.funcs.forEach((f, i) => {
      const k = index.get(f.label)!;
      tt[k] += side.exact.tt[i] * scale;
      ct[k] += side.exact.ct[i] * scale;
    });
  };
  fill(d.before, times.ttBefore, times.ctBefore, d.scale);
  fill(d.after, times.ttAfter, times.ctAfter, 1);
  const section = (s: FrameDiff['flame'], missing: Uint8Array) => ({
    before: b64(s.before),
    after: b64(s.after),
    selfBefore: b64(s.selfBefore),
    selfAfter: b64(s.selfAfter),
    missing: b64(missing),
  });
  return {
    legend: d.legend,
    negate: d.diff.negate,
    flame: section(d.diff.flame, d.diff.flameMissing),
    inverted: section(d.diff.inverted, d.diff.invertedMissing),
    labels,
    ttBefore: b64(times.ttBefore),
    ttAfter: b64(times.ttAfter),
    ctBefore: b64(times.ctBefore),
    ctAfter: b64(times.ctAfter),
  };
}

/** The first `n` entries of a typed array, as base64 of their little-endian bytes. */
function b64(a: Int32Array | Uint8Array | Float64Array, n = a.length): B64 {
  const bytes = Buffer.from(a.buffer, a.byteOffset, n * a.BYTES_PER_ELEMENT);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new FlameprofError('the html report needs a little-endian machine');
  return bytes.toString('base64');
}
