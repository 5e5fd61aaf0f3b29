/**
 * The SVG flame graph: a header (title, legend), then the frame area with the flame section
 * on top and the inverted section below, in flameprof 0.4's geometry shifted down by the
 * header's height (a `translate` on the frame group, so every frame's own coordinates are
 * the reference's).
 *
 * The header is built from escaped string templates; the frames, 100,000s at low
 * thresholds, are written as bytes (./svg-frames.ts) and yielded in chunks.
 */
import { diffFrames } from '../frames/diff';
import type { FrameSet } from '../frames/frame-set';
import { asset } from './assets';
import { ByteWriter, utf8, type ChunkOptions } from './bytes';
import { diffLegend, diffPaint, diffUnit } from './diff';
import { layoutSections } from './layout';
import { checkSize, sizeBy, type DiffSides, type Renderer, type RenderSettings, type SvgOptions } from './renderer';
import { FrameWriter, primeFrames, primeNumbers } from './svg-frames';
import { CELL_WIDTH, fitLabel } from './text';
import { escapeXml } from './xml';

/**
 * Height of the header above the frame area: a title row and a legend row, plus, with the
 * script, a row of controls and a row for the hovered frame's details. A constant for given
 * options, so that comparisons with the reference can subtract it.
 */
export function headerHeight(fontSize: number, js = true, subtitle = false): number {
  const rows = headerRows(fontSize);
  return rows.title + rows.line + (subtitle ? rows.line : 0) + (js ? rows.controls + rows.line : 0);
}

function headerRows(fontSize: number): { title: number; line: number; controls: number } {
  return { title: Math.ceil(fontSize * 2 + 8), line: Math.ceil(fontSize + 10), controls: Math.ceil(fontSize + 16) };
}

export const svgRenderer = {
  name: 'svg',
  describe: 'the flame graph, with zoom and search',
  extension: '.svg',
  flameOnly: false,
  size: sizeBy(false, svgSize),
  render: (frames: FrameSet, s: RenderSettings, chunks: ChunkOptions) => renderSvg(frames, svgOptions(s), chunks),
  renderDiff: (sides: DiffSides, s: RenderSettings, chunks: ChunkOptions) => {
    const diff = diffFrames(sides.before, sides.after, s);
    checkSize(svgRenderer, diff.frames, s.maxOutput);
    return renderSvg(diff.frames, { ...svgOptions(s), legend: diffLegend(diff, s.normalize), paint: diffPaint(diff, diffUnit(diff, s)) }, chunks);
  },
} as const satisfies Renderer;

/** What the SVG writer takes from the settings. */
function svgOptions(s: RenderSettings): SvgOptions {
  const { width, rowHeight, fontSize, icicle, title, subtitle, fluid, js, countName, colors, notes } = s;
  return { width, rowHeight, fontSize, icicle, title, subtitle, fluid, js, countName, colors, notes };
}

export function* renderSvg(frames: FrameSet, opts: SvgOptions, chunks: ChunkOptions = {}): Generator<Uint8Array> {
  const layout = layoutSections(frames, opts);
  const header = headerHeight(opts.fontSize, opts.js, opts.subtitle !== undefined);
  const empty = frames.flame.length === 0 && frames.inverted.length === 0;
  const noteHeight = empty ? opts.rowHeight * 2 : 0;
  const height = header + layout.height + noteHeight;
  const unit = frames.unit === 'seconds' ? 's' : 'samples';
  const notes = opts.notes === undefined ? '' : `<metadata>${escapeXml(opts.notes)}</metadata>\n`;

  const w = new ByteWriter(chunks);
  let out =
    `<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n` +
    // Fluid: as wide as the window, the height following (a root sized 100% by 100% would
    // shrink a tall graph to the window's height).
    `<svg version="1.1" xmlns="http://www.w3.org/2000/svg" ${opts.fluid ? 'width="100%" style="height:auto"' : `width="${opts.width}" height="${height}"`} ` +
    `viewBox="0 0 ${opts.width} ${height}" data-total="${frames.total}" data-unit="${unit}" ` +
    `data-row-height="${opts.rowHeight}" data-font-size="${opts.fontSize}">\n` +
    notes +
    style(opts) +
    headerSvg(frames, opts) +
    `<g id="frames" transform="translate(0,${header})">\n`;
  if (empty) {
    const why =
      frames.total === 0
        ? 'This profile holds no time: there is nothing to draw.'
        : 'No frame is above the threshold: lower --threshold to see more.';
    out += `<text class="note" x="${opts.width / 2}" y="${opts.rowHeight}" text-anchor="middle">${escapeXml(why)}</text>\n`;
  }
  w.text(out);

  // The unit's word goes into tooltips as it is: a word the user gave is escaped first.
  const writer = new FrameWriter(frames, opts, layout, opts.countName === undefined ? unit : escapeXml(opts.countName));
  primeNumbers();
  primeFrames(writer, frames.flame, frames.inverted);
  for (const section of ['flame', 'inverted'] as const) {
    const list = frames[section];
    const flame = section === 'flame';
    w.text(`<g id="${section}" class="section">\n`);
    for (let i = 0; i < list.length; ) {
      i = writer.writeFrames(w, list, i, list.length, flame);
      if (w.full) yield w.take();
    }
    w.text('</g>\n');
  }
  w.text('</g>\n');
  if (opts.js) w.bytes(scriptSvg());
  w.text('</svg>\n');
  yield w.take();
}

/**
 * About how many bytes the SVG takes: the header and script, then per frame its markup and
 * numbers, its escaped label and name.
 */
export function svgSize(frames: FrameSet): number {
  const perFunc = new Float64Array(frames.funcs.length).fill(-1);
  let size = 64 * 1024;
  for (const list of [frames.flame, frames.inverted]) {
    for (let i = 0; i < list.length; i++) {
      const func = list.func[i];
      if (perFunc[func] < 0) {
        const f = frames.funcs[func];
        perFunc[func] = escapedBytes(f.label) + escapedBytes(f.key.name);
      }
      size += 400 + perFunc[func];
    }
  }
  return size;
}

/** UTF-8 bytes of `s` once escaped; most labels need no escaping, and no escaped copy. */
function escapedBytes(s: string): number {
  return Buffer.byteLength(/[&<>"'\t\n\r]/.test(s) ? escapeXml(s) : s, 'utf8');
}

function style(opts: SvgOptions): string {
  const fs = opts.fontSize;
  let css =
    `<style>\n` +
    `text { font-family: monospace; font-size: ${fs}px; fill: #000; }\n` +
    `.f text { dominant-baseline: central; pointer-events: none; }\n` +
    `.f rect { rx: 2px; ry: 2px; }\n` +
    `.f:hover rect { stroke: #000; stroke-width: 0.5; cursor: pointer; }\n` +
    `.title { font-size: ${Math.round(fs * 1.4)}px; font-weight: bold; }\n` +
    `.note { fill: #555; }\n` +
    // White frames (unchanged, in a diff) need an edge on the white page.
    (opts.paint === undefined ? '' : `.f rect { stroke: #bbb; stroke-width: 0.5; }\n`);
  if (opts.js) {
    css +=
      // Zoomed: only the zoomed frame, its subtree and its ancestors (dimmed) stay.
      `.zoomed .f:not(.z) { display: none; }\n` +
      `.f.a rect { opacity: 0.6; }\n` +
      `.f.m rect { fill: rgb(230,0,230); }\n` +
      `.btn { cursor: pointer; }\n` +
      `.btn rect { fill: #eee; stroke: #888; rx: 3px; ry: 3px; }\n` +
      `.btn:hover rect { fill: #ddd; }\n` +
      `.btn text { dominant-baseline: central; text-anchor: middle; pointer-events: none; }\n` +
      `.btn.off { opacity: 0.5; }\n` +
      `#status.err { fill: #c00; }\n` +
      `#search { box-sizing: border-box; width: 100%; height: 100%; margin: 0; padding: 0 4px; ` +
      `font: ${fs}px monospace; border: 1px solid #888; border-radius: 3px; }\n`;
  }
  return css + `</style>\n`;
}

/** Cells of the header's fixed strings: the layout below is in monospace cells. */
function cells(n: number, fontSize: number): number {
  return Math.ceil(n * fontSize * CELL_WIDTH);
}

function headerSvg(frames: FrameSet, opts: SvgOptions): string {
  const fs = opts.fontSize;
  const rows = headerRows(fs);
  const titleFs = Math.round(fs * 1.4);
  const titleY = Math.ceil(fs * 1.4) + 4;
  const baseline = (bottom: number): number => bottom - Math.ceil(fs / 2) - 4;
  // A subtitle takes a row under the title, and pushes everything below down by one.
  const sub = opts.subtitle === undefined ? 0 : rows.line;
  const legendY = baseline(rows.title + rows.line + sub);
  const legend =
    opts.legend ??
    (frames.unit === 'samples'
      ? 'width = samples · inverted section = own samples by caller'
      : frames.profile.kind === 'sampled'
        ? 'width = time, on whole stacks · inverted section = own time by caller'
        : frames.fromStacks === true
        ? 'width = time on the estimated stacks (--hide, --focus, --reverse) · inverted section = own time by caller'
        : 'width = cumulative time · green = time estimated by call share · inverted section = own time by caller');
  const title = fitLabel(opts.title, opts.width - 8, titleFs);
  let out =
    `<g id="header">\n` +
    `<text class="title" x="${opts.width / 2}" y="${titleY}" text-anchor="middle">${escapeXml(title)}</text>\n` +
    (opts.subtitle === undefined
      ? ''
      : `<text id="subtitle" x="${opts.width / 2}" y="${baseline(rows.title + rows.line)}" text-anchor="middle">${escapeXml(fitLabel(opts.subtitle, opts.width - 8, fs))}</text>\n`) +
    `<text id="legend" class="note" x="4" y="${legendY}">${escapeXml(fitLabel(legend, opts.width - 8, fs))}</text>\n`;
  if (opts.js) {
    // Hidden until the script shows them: in an <img> or a sanitising viewer they would do nothing.
    const top = rows.title + rows.line + sub + 4;
    const h = fs + 8;
    const resetW = cells(10, fs) + 16;
    const searchX = 4 + resetW + 8;
    const clearW = cells(5, fs) + 16;
    // The search box gives up width in a narrow graph, down to 6 characters, so that the
    // buttons stay inside it.
    const searchW = Math.max(cells(6, fs) + 8, Math.min(cells(32, fs) + 8, opts.width - searchX - 8 - clearW - 4));
    const clearX = searchX + searchW + 8;
    const statusX = clearX + clearW + 8;
    const button = (id: string, x: number, w: number, text: string, tip: string): string =>
      `<g id="${id}" class="btn" role="button" tabindex="0"><title>${tip}</title>` +
      `<rect x="${x}" y="${top}" width="${w}" height="${h}"/>` +
      `<text x="${x + w / 2}" y="${top + h / 2}">${text}</text></g>\n`;
    out +=
      `<g id="controls" display="none">\n` +
      button('reset', 4, resetW, 'Reset zoom', 'Undo the zoom in both sections (Esc)') +
      `<foreignObject x="${searchX}" y="${top}" width="${searchW}" height="${h}">` +
      `<input xmlns="http://www.w3.org/1999/xhtml" id="search" type="text" spellcheck="false" autocomplete="off" ` +
      `placeholder="Search regex (/ or Ctrl-F)" ` +
      `title="Highlight frames whose file:line:name matches; case-insensitive unless it holds a capital letter"/>` +
      `</foreignObject>\n` +
      button('clear', clearX, clearW, 'Clear', 'Clear the search') +
      `<text id="status" class="note" x="${statusX}" y="${top + h / 2}" dominant-baseline="central"></text>\n` +
      `</g>\n` +
      `<text id="details" class="note" x="4" y="${baseline(headerHeight(fs, true, sub > 0))}"></text>\n`;
  }
  return out + `</g>\n`;
}

let scriptBytes: Uint8Array | undefined;

/**
 * The Content-Security-Policy under which a served SVG runs its viewer and nothing else: the
 * script by the hash of its text (what the CDATA sections hold), inline styles, no fetches.
 */
export function svgPolicy(): string {
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  const hash = createHash('sha256').update(`\n${asset('viewer.js').trimEnd()}\n`).digest('base64');
  return `default-src 'none'; script-src 'sha256-${hash}'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`;
}

/**
 * The viewer (src/viewer/, built into dist/viewer.js) inside CDATA. Profile text never goes
 * in here (the script reads frames from the DOM), but the script's own text is split
 * wherever it would close the section.
 * The same for every graph: encoded once per process.
 */
function scriptSvg(): Uint8Array {
  if (scriptBytes === undefined) {
    const body = asset('viewer.js').trimEnd().split(']]>').join(']]]]><![CDATA[>');
    scriptBytes = utf8(`<script type="application/ecmascript"><![CDATA[\n${body}\n]]></script>\n`);
  }
  return scriptBytes;
}
