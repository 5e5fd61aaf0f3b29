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
import { CELL_WIDTH, Colorizer, fitLabel, frameBox, layoutSections, type Box, type Geometry, type Layout } from '../layout';
import { formatPercent } from '../pynum';
import { viewerScript } from './viewer';
import { escapeXml } from './xml';

export interface SvgOptions extends Geometry {
  /** Shown in the header. */
  readonly title: string;
  /** Embed the interactive script. */
  readonly js: boolean;
}

/**
 * Height of the header above the frame area: a title row and a legend row, plus, with the
 * script, a row of controls and a row for the hovered frame's details. A constant for given
 * options, so that comparisons with the reference can subtract it.
 */
export function headerHeight(fontSize: number, js = true): number {
  const rows = headerRows(fontSize);
  return rows.title + rows.line + (js ? rows.controls + rows.line : 0);
}

function headerRows(fontSize: number): { title: number; line: number; controls: number } {
  return { title: Math.ceil(fontSize * 2 + 8), line: Math.ceil(fontSize + 10), controls: Math.ceil(fontSize + 16) };
}

export function* renderSvg(frames: FrameSet, opts: SvgOptions, chunkSize = 1 << 16): Generator<string> {
  const layout = layoutSections(frames, opts);
  const header = headerHeight(opts.fontSize, opts.js);
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
  out += '</g>\n';
  if (opts.js) out += scriptSvg();
  out += '</svg>\n';
  yield out;
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
    `.note { fill: #555; }\n`;
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
  const legendY = baseline(rows.title + rows.line);
  const legend =
    frames.unit === 'seconds'
      ? 'width = cumulative time · green = time estimated by call share · inverted section = own time by caller'
      : 'width = samples · inverted section = own samples by caller';
  const title = fitLabel(opts.title, opts.width - 8, titleFs);
  let out =
    `<g id="header">\n` +
    `<text class="title" x="${opts.width / 2}" y="${titleY}" text-anchor="middle">${escapeXml(title)}</text>\n` +
    `<text id="legend" class="note" x="4" y="${legendY}">${escapeXml(fitLabel(legend, opts.width - 8, fs))}</text>\n`;
  if (opts.js) {
    // Hidden until the script shows them: in an <img> or a sanitising viewer they would do nothing.
    const top = rows.title + rows.line + 4;
    const h = fs + 8;
    const resetW = cells(10, fs) + 16;
    const searchX = 4 + resetW + 8;
    const searchW = cells(32, fs) + 8;
    const clearX = searchX + searchW + 8;
    const clearW = cells(5, fs) + 16;
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
      `<text id="details" class="note" x="4" y="${baseline(headerHeight(fs, true))}"></text>\n`;
  }
  return out + `</g>\n`;
}

/**
 * The viewer inside CDATA. Profile text never goes in here (the script reads frames from
 * the DOM), but the script's own text is split wherever it would close the section.
 */
function scriptSvg(): string {
  const body = viewerScript().split(']]>').join(']]]]><![CDATA[>');
  return `<script type="application/ecmascript"><![CDATA[\n${body}\n]]></script>\n`;
}

/** What every frame of one function repeats, escaped once per render. */
interface FuncText {
  /** The name, escaped, for a box wide enough to show it whole. */
  readonly name: string;
  /** The `file:line:name` label, escaped. */
  readonly label: string;
  /** ` data-n="..."` or nothing. */
  readonly attrs: string;
}

/** Per frame set being rendered (a render is 100,000s of frames of a few 1,000 functions). */
const funcTexts = new WeakMap<FrameSet, Array<FuncText | undefined>>();

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
  let texts = funcTexts.get(frames);
  if (texts === undefined) {
    texts = [];
    funcTexts.set(frames, texts);
  }
  let ft = texts[f.func];
  if (ft === undefined) {
    ft = { name: escapeXml(fn.key.name), label: escapeXml(fn.label), attrs: nameLength(fn.key.name) };
    texts[f.func] = ft;
  }
  frameBox(f, section, layout, opts, frames.total, box);
  const h = opts.rowHeight;
  const pad = h / 6;
  const label = fitLabel(fn.key.name, box.w - pad - 2, opts.fontSize);
  const text =
    label === ''
      ? ''
      : `<text x="${box.x + pad}" y="${box.y + h / 2}">${label === fn.key.name ? ft.name : escapeXml(label)}</text>`;
  // The dash as a character reference keeps the output ASCII (for ASCII names), which
  // the writer encodes much faster than text holding a single wider character.
  return (
    `<g class="f" data-l="${f.level}" data-w="${box.rawW}"${ft.attrs}><title>${ft.label} ` +
    `${tooltipShare(f, section, frames)} &#8212; ${tooltipDetails(f, section, frames, unit)}</title>` +
    `<rect x="${box.x}" y="${box.y}" width="${box.w}" height="${h - 1}" fill="${colors.fill(fn.label, f.color)}"/>` +
    `${text}</g>\n`
  );
}

/**
 * The viewer takes a frame's name from the end of its label; only a name that holds a ':'
 * needs its length spelled out (rare, so it costs nothing per frame in practice).
 */
function nameLength(name: string): string {
  return name.includes(':') ? ` data-n="${name.length}"` : '';
}

/**
 * The reference's tooltip (`label P%`), then what the numbers are. In the flame section the
 * percentage is cumulative time; in the inverted one, own time, as flameprof shows them.
 */
export function tooltip(f: Frame, section: 'flame' | 'inverted', frames: FrameSet, unit: string): string {
  return `${frames.funcs[f.func].label} ${tooltipShare(f, section, frames)} — ${tooltipDetails(f, section, frames, unit)}`;
}

/** The tooltip's percentage, as pynum's formatPercent (Python's '{:.2%}') writes it. */
function tooltipShare(f: Frame, section: 'flame' | 'inverted', frames: FrameSet): string {
  const x = (section === 'flame' ? f.ct : f.tt) / frames.total;
  const v = x * 100;
  // Hundredths from one exact scaling, unless within rounding noise of a tie (Python
  // rounds those half to even on the exact value: formatPercent knows how).
  const m = v * 100;
  if (m >= 0 && m < 1e9) {
    const whole = Math.floor(m);
    const d = m - whole - 0.5;
    if (d < -1e-6 || d > 1e-6) {
      const n = d > 0 ? whole + 1 : whole;
      const cents = n % 100;
      return (n - cents) / 100 + (cents < 10 ? '.0' : '.') + cents + '%';
    }
  }
  return formatPercent(x);
}

/**
 * The tooltip after the dash: what the numbers are. Numbers and fixed words only, never
 * profile text: frames write it unescaped.
 */
function tooltipDetails(f: Frame, section: 'flame' | 'inverted', frames: FrameSet, unit: string): string {
  if (frames.unit === 'samples') {
    // Sampled stacks: exact sample counts, and no call counts to show.
    const n = section === 'flame' ? f.ct : f.tt;
    const own = section === 'flame' ? `, ${num(f.tt)} in the function itself` : f.level === 0 ? ` in the function itself, of ${num(f.ct)} it is in` : ' via this caller';
    return `${num(n)} samples${own}`;
  }
  const calls = `${f.nc} ${f.nc === 1 ? 'call' : 'calls'}${f.cc === f.nc ? '' : ` (${f.cc} primitive)`}`;
  let what: string;
  if (section === 'flame') {
    what = `${calls}, own ${num(f.tt)} ${unit}, cumulative ${num(f.ct)} ${unit}`;
    if (f.color === 'guessed') what += ' (estimated by call share)';
  } else if (f.level === 0) {
    what = `own ${num(f.tt)} ${unit}, cumulative ${num(f.ct)} ${unit}, ${calls}`;
  } else {
    what = `calls it: ${calls}, own ${num(f.tt)} ${unit}, cumulative ${num(f.ct)} ${unit} in those calls`;
  }
  return what;
}

/**
 * 6 significant digits, exactly as `String(Number(x.toPrecision(6)))` writes them (three
 * conversions, twice per frame). From 1e-15 to 1e6 the digits come from one scaling by a
 * power of ten (held exactly) and the point or exponent is placed by hand; within rounding
 * noise of a tie or of a power of ten, and outside that range, the slow way decides.
 */
function num(x: number): string {
  if (Number.isInteger(x)) return String(x);
  const a = x < 0 ? -x : x;
  if (!(a >= 1e-15 && a < 999999.5)) return slowNum(x);
  // The decimal exponent, by comparison; one off at a power of ten is corrected below.
  let e: number;
  if (a >= 1e-6) {
    e =
      a >= 1
        ? a >= 1e3
          ? a >= 1e5 ? 5 : a >= 1e4 ? 4 : 3
          : a >= 100 ? 2 : a >= 10 ? 1 : 0
        : a >= 1e-3
          ? a >= 0.1 ? -1 : a >= 0.01 ? -2 : -3
          : a >= 1e-4 ? -4 : a >= 1e-5 ? -5 : -6;
  } else {
    e = -7;
    for (let p = 1e-7; a < p && e > -15; p /= 10) e--;
  }
  let m = a * POW10[5 - e]; // six digits before the point
  if (m < 99999.5) {
    if (m > 99999.49) return slowNum(x);
    e--;
    m = a * POW10[5 - e];
  } else if (m > 999999.49) {
    if (m < 999999.51) return slowNum(x);
    e++;
    m = a * POW10[5 - e];
  }
  if (!(m >= 99999.51 && m <= 999999.49) || e > 5) return slowNum(x);
  const whole = Math.floor(m);
  const d = m - whole - 0.5;
  if (d > -1e-6 && d < 1e-6) return slowNum(x);
  let n = d > 0 ? whole + 1 : whole;
  let len = 6;
  while (n % 10 === 0) {
    n /= 10;
    len--;
  }
  const digits = String(n);
  let s: string;
  if (e < -6) s = (len > 1 ? digits[0] + '.' + digits.slice(1) : digits) + 'e' + e;
  else if (e < 0) s = '0.00000'.slice(0, 1 - e) + digits;
  else if (len <= e + 1) s = digits + '00000'.slice(0, e + 1 - len);
  else s = digits.slice(0, e + 1) + '.' + digits.slice(e + 1);
  return x < 0 ? '-' + s : s;
}

function slowNum(x: number): string {
  return String(Number(x.toPrecision(6)));
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20];
