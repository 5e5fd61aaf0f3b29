/**
 * The HTML report: one self-contained page (script and style inline, nothing fetched) with
 * the flame, icicle, table, sandwich and call-graph views. The frames and the exact numbers
 * go in once, as JSON data (./report-data.ts) that the page's script (src/report/, bundled
 * into dist/report.js at build time) draws on canvas. No profile text is ever part of a
 * script: names reach the page only as JSON data, escaped for a script element, and the
 * script writes them only as text.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlameprofError } from '../errors';
import { columnsOf, type FrameColumns, FRAME_COLORS, type FrameSet } from '../frames/frame-set';
import type { ColorScheme, Sections } from '../options';
import { ByteWriter, type ChunkOptions } from './bytes';
import { Colorizer } from './colour';
import { DATA_ID, type B64, type ReportData, type SectionData } from './report-data';
import { escapeXml } from './xml';

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
}

export function* renderHtml(frames: FrameSet, opts: HtmlOptions, chunks: ChunkOptions = {}): Generator<Uint8Array> {
  const script = reportScript();
  const csp =
    `default-src 'none'; script-src 'sha256-${createHash('sha256').update(script).digest('base64')}'; ` +
    "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";
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
  const { flame, inverted } = columnsOf(frames);
  const exact = frames.exact;
  let text = 0;
  for (const f of frames.funcs) text += f.key.file.length + f.key.name.length;
  const edges = exact === undefined ? 0 : exact.edges.caller.length;
  // base64 of 58 bytes a frame and 40 an edge; JSON-escaped text at most 6 bytes a unit.
  return (1 << 20) + (flame.length + inverted.length) * 80 + edges * 56 + frames.funcs.length * 80 + text * 6;
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
  const exact = frames.exact;
  if (exact === undefined) {
    throw new FlameprofError("the html report needs the profile's exact numbers: build the frames with buildFrames(profile, { format: 'html' })");
  }
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
  const fills: string[] = [];
  const fillIndex = new Map<string, number>();
  const { flame, inverted } = columnsOf(frames);
  const section = (c: FrameColumns): SectionData => {
    const fill = new Uint8Array(c.length);
    for (let i = 0; i < c.length; i++) {
      const fn = frames.funcs[c.func[i]];
      const rgb = colorizer.fill(fn.label, FRAME_COLORS[c.color[i]], fn.key.file);
      let k = fillIndex.get(rgb);
      if (k === undefined) {
        k = fills.length;
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
  };
}

/** The first `n` entries of a typed array, as base64 of their little-endian bytes. */
function b64(a: Int32Array | Uint8Array | Float64Array, n = a.length): B64 {
  const bytes = Buffer.from(a.buffer, a.byteOffset, n * a.BYTES_PER_ELEMENT);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new FlameprofError('the html report needs a little-endian machine');
  return bytes.toString('base64');
}

let script: string | undefined;

/**
 * The page's script, bundled at build time (scripts/build.js) next to the CLI bundle: found
 * beside this file in dist/, one folder up (dist/render/), or in dist/ from the sources.
 */
function reportScript(): string {
  if (script !== undefined) return script;
  const candidates = [join(__dirname, 'report.js'), join(__dirname, '..', 'report.js'), join(__dirname, '..', '..', 'dist', 'report.js')];
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) throw new FlameprofError("the html report's script (dist/report.js) is missing: run npm run build");
  script = readFileSync(found, 'utf8');
  return script;
}
