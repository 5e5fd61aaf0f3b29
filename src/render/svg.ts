/**
 * The SVG flame graph: a header (title, legend), then the frame area with the flame section
 * on top and the inverted section below, in flameprof 0.4's geometry shifted down by the
 * header's height (a `translate` on the frame group, so every frame's own coordinates are
 * the reference's).
 *
 * Built from escaped string templates and yielded in chunks: an XML builder is ~100x
 * slower at the 100,000+ frames that low thresholds give.
 */
import type { Frame, FrameSet } from '../frames';
import { Colorizer, fitLabel, frameBox, layoutSections, type Box, type Geometry, type Layout } from '../layout';
import { formatPercent } from '../pynum';
import { escapeXml } from './xml';

export interface SvgOptions extends Geometry {
  /** Shown in the header. */
  readonly title: string;
  /** Embed the interactive script. */
  readonly js: boolean;
}

/** Height of the header above the frame area. */
export function headerHeight(fontSize: number): number {
  return Math.ceil(fontSize * 2 + 8) + Math.ceil(fontSize + 10);
}

export function* renderSvg(frames: FrameSet, opts: SvgOptions, chunkSize = 1 << 16): Generator<string> {
  const layout = layoutSections(frames, opts);
  const header = headerHeight(opts.fontSize);
  const empty = frames.flame.length === 0 && frames.inverted.length === 0;
  const noteHeight = empty ? opts.rowHeight * 2 : 0;
  const height = header + layout.height + noteHeight;
  const unit = frames.unit === 'seconds' ? 's' : 'samples';

  let out =
    `<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n` +
    `<svg version="1.1" xmlns="http://www.w3.org/2000/svg" width="${opts.width}" height="${height}" ` +
    `viewBox="0 0 ${opts.width} ${height}" data-total="${frames.total}" data-unit="${unit}" ` +
    `data-row-height="${opts.rowHeight}" data-font-size="${opts.fontSize}">\n` +
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

  const colors = new Colorizer();
  const box: Box = { x: 0, y: 0, w: 0, rawW: 0 };
  for (const section of ['flame', 'inverted'] as const) {
    const list = frames[section];
    out += `<g id="${section}" class="section">\n`;
    for (const f of list) {
      out += frameSvg(f, section, frames, layout, opts, colors, box, unit);
      if (out.length >= chunkSize) {
        yield out;
        out = '';
      }
    }
    out += '</g>\n';
  }
  out += '</g>\n</svg>\n';
  yield out;
}

function style(opts: SvgOptions): string {
  return (
    `<style>\n` +
    `text { font-family: monospace; font-size: ${opts.fontSize}px; fill: #000; }\n` +
    `.f text { dominant-baseline: central; pointer-events: none; }\n` +
    `.f rect { rx: 2px; ry: 2px; }\n` +
    `.f:hover rect { stroke: #000; stroke-width: 0.5; cursor: pointer; }\n` +
    `.title { font-size: ${Math.round(opts.fontSize * 1.4)}px; font-weight: bold; }\n` +
    `.note { fill: #555; }\n` +
    `</style>\n`
  );
}

function headerSvg(frames: FrameSet, opts: SvgOptions): string {
  const titleY = Math.ceil(opts.fontSize * 1.4) + 4;
  const legendY = headerHeight(opts.fontSize) - Math.ceil(opts.fontSize / 2) - 4;
  const legend =
    frames.unit === 'seconds'
      ? 'width = cumulative time · green = time estimated by call share · inverted section = own time by caller'
      : 'width = samples · inverted section = own samples by caller';
  return (
    `<g id="header">\n` +
    `<text class="title" x="${opts.width / 2}" y="${titleY}" text-anchor="middle">${escapeXml(opts.title)}</text>\n` +
    `<text id="legend" class="note" x="4" y="${legendY}">${escapeXml(legend)}</text>\n` +
    `</g>\n`
  );
}

function frameSvg(
  f: Frame,
  section: 'flame' | 'inverted',
  frames: FrameSet,
  layout: Layout,
  opts: SvgOptions,
  colors: Colorizer,
  box: Box,
  unit: string,
): string {
  const fn = frames.funcs[f.func];
  frameBox(f, section, layout, opts, frames.total, box);
  const h = opts.rowHeight;
  const pad = h / 6;
  const label = fitLabel(fn.key.name, box.w - pad - 2, opts.fontSize);
  const text = label === '' ? '' : `<text x="${box.x + pad}" y="${box.y + h / 2}">${escapeXml(label)}</text>`;
  return (
    `<g class="f" data-l="${f.level}" data-w="${box.rawW}"><title>${escapeXml(tooltip(f, section, frames, unit))}</title>` +
    `<rect x="${box.x}" y="${box.y}" width="${box.w}" height="${h - 1}" fill="${colors.fill(fn.label, f.color)}"/>` +
    `${text}</g>\n`
  );
}

/**
 * The reference's tooltip (`label P%`), then what the numbers are. In the flame section the
 * percentage is cumulative time; in the inverted one, own time, as flameprof shows them.
 */
export function tooltip(f: Frame, section: 'flame' | 'inverted', frames: FrameSet, unit: string): string {
  const label = frames.funcs[f.func].label;
  const pct = formatPercent((section === 'flame' ? f.ct : f.tt) / frames.total);
  const calls = f.cc === f.nc ? `${f.nc} calls` : `${f.nc} calls (${f.cc} primitive)`;
  let what: string;
  if (section === 'flame') {
    what = `${calls}, own ${num(f.tt)} ${unit}, cumulative ${num(f.ct)} ${unit}`;
    if (f.color === 'guessed') what += ' (estimated by call share)';
  } else if (f.level === 0) {
    what = `own ${num(f.tt)} ${unit}, cumulative ${num(f.ct)} ${unit}, ${calls}`;
  } else {
    what = `calls it: ${calls}, own ${num(f.tt)} ${unit}, cumulative ${num(f.ct)} ${unit} in those calls`;
  }
  return `${label} ${pct} — ${what}`;
}

function num(x: number): string {
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(6)));
}
