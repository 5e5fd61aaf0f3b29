/**
 * Geometry and colour of frames in pixels, as flameprof 0.4 draws them
 * (spec/flameprof-layout.md, section 5). Renderers ask this module where a frame goes;
 * nothing here writes output.
 */
import { FrameColumns, columnsOf, type Frame, type FrameColor, type FrameSet, type SectionColumns } from './frames';

export interface Geometry {
  readonly width: number;
  readonly rowHeight: number;
  readonly fontSize: number;
}

export interface SectionLayout {
  /** y of the section's top edge within the frame area. */
  readonly top: number;
  readonly height: number;
  readonly maxLevel: number;
}

export interface Layout {
  readonly flame: SectionLayout;
  readonly inverted: SectionLayout;
  /** Height of the frame area: the bottom of the inverted section. */
  readonly height: number;
  readonly width: number;
}

export interface Box {
  x: number;
  y: number;
  w: number;
  /** Unclamped width (the clamp to 1 px keeps tiny frames visible but lies about size). */
  rawW: number;
}

export function layoutSections(frames: FrameSet, geo: Geometry, columns: SectionColumns = columnsOf(frames)): Layout {
  const h = geo.rowHeight;
  const topMax = columns.flame.maxLevel;
  const botMax = columns.inverted.maxLevel;
  const topHeight = (topMax + 1) * h;
  // A blank row separates the sections, unless the flame section is empty.
  const botTop = topMax >= 0 ? topHeight + h : 0;
  const botHeight = (botMax + 1) * h;
  return {
    flame: { top: 0, height: topHeight, maxLevel: topMax },
    inverted: { top: botTop, height: botHeight, maxLevel: botMax },
    height: botTop + botHeight,
    width: geo.width,
  };
}

/** Where a frame goes (one frame object; renderers use `columnBox`). */
export function frameBox(
  f: Frame,
  section: 'flame' | 'inverted',
  layout: Layout,
  geo: Geometry,
  total: number,
  out: Box = { x: 0, y: 0, w: 0, rawW: 0 },
): Box {
  return columnBox(FrameColumns.from([f]), 0, section === 'flame', layout, geo, total, out);
}

/** `frameBox` of frame `i` of a section's columns (what the renderer calls, per frame). */
export function columnBox(fs: FrameColumns, i: number, flame: boolean, layout: Layout, geo: Geometry, total: number, out: Box): Box {
  const level = fs.level[i];
  out.x = (fs.x[i] * geo.width) / total;
  out.rawW = (fs.w[i] * geo.width) / total;
  out.w = Math.max(1, out.rawW - 1);
  out.y = rowY(level, flame, layout, geo);
  return out;
}

/** The top edge of a section's row at `level`: the flame grows up, the inverted section down. */
export function rowY(level: number, flame: boolean, layout: Layout, geo: Geometry): number {
  const h = geo.rowHeight;
  if (flame) return layout.flame.height - level * h - h;
  const s = layout.inverted;
  return s.top + s.height - (s.maxLevel - level) * h - h;
}

type RGB = readonly [number, number, number];

/** flameprof's palettes, index 0 first. */
export const PALETTES: Readonly<Record<FrameColor, readonly RGB[]>> = {
  normal: [
    [255, 240, 141],
    [255, 215, 125],
    [255, 190, 110],
    [255, 165, 95],
    [255, 140, 79],
    [255, 115, 64],
    [255, 90, 49],
  ],
  guessed: [
    [44, 255, 210],
    [57, 242, 168],
    [71, 230, 126],
    [85, 218, 84],
    [99, 206, 42],
  ],
  calleeless: [
    [230, 230, 255],
    [214, 214, 255],
    [198, 198, 255],
    [182, 182, 255],
    [166, 166, 255],
  ],
  caller: [
    [190, 190, 190],
    [197, 197, 197],
    [204, 204, 204],
    [211, 211, 211],
    [218, 218, 218],
    [225, 225, 225],
    [232, 232, 232],
  ],
};

/** A palette entry as SVG writes it. */
export function rgbFill([r, g, b]: RGB): string {
  return `rgb(${r},${g},${b})`;
}

let sha1: ((label: string) => Buffer) | undefined;

/** The first 32 bits of a label's SHA-1 (of its UTF-8 bytes) over 2^32: flameprof's colour choice. */
export function sha1Share(label: string): number {
  return labelDigest(label).readUInt32BE(0) / 2 ** 32;
}

/**
 * SHA-1 of a label, with node:crypto loaded on first use: it costs ~2.5 ms of start-up that
 * --version and logs never need. The one-shot `crypto.hash` (Node 20.12+) where there is one:
 * half the time of a Hash object per label.
 */
function labelDigest(label: string): Buffer {
  if (sha1 === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const crypto = require('node:crypto') as typeof import('node:crypto') & {
      hash?: (algorithm: string, data: string, encoding: 'buffer') => Buffer;
    };
    const hash = crypto.hash;
    sha1 = hash !== undefined ? (s) => hash('sha1', s, 'buffer') : (s) => crypto.createHash('sha1').update(s, 'utf8').digest();
  }
  return sha1(label);
}

/**
 * Colour by hashing the label, so a function keeps its colour across graphs and runs.
 * Cached per label and palette: sha1 per frame would dominate big renders.
 */
export class Colorizer {
  /** By palette, then label: no key string is built per frame (labels keep their hash). */
  private readonly cache = new Map<FrameColor, Map<string, string>>();
  /** Where a label falls in any palette, from its hash: one hash per label, not per palette. */
  private readonly shares = new Map<string, number>();

  /**
   * @param digest what `sha1Share` computes (node:crypto's SHA-1 by default; the SVG
   *   renderer brings its own in WebAssembly)
   */
  constructor(private readonly digest: (label: string) => number = sha1Share) {}

  fill(label: string, color: FrameColor): string {
    let byLabel = this.cache.get(color);
    if (byLabel === undefined) {
      byLabel = new Map();
      this.cache.set(color, byLabel);
    }
    let fill = byLabel.get(label);
    if (fill === undefined) {
      const palette = PALETTES[color];
      fill = rgbFill(palette[Math.floor(palette.length * this.share(label))]);
      byLabel.set(label, fill);
    }
    return fill;
  }

  /** Where a label falls in any palette, in [0, 1): palette[floor(palette.length * share)]. */
  share(label: string): number {
    let u = this.shares.get(label);
    if (u === undefined) {
      u = this.digest(label);
      this.shares.set(label, u);
    }
    return u;
  }
}

/**
 * How many monospace cells a label needs: East Asian wide characters take two. Labels are
 * cut to fit their box from this, so it errs on the wide side.
 */
export function textCells(s: string): number {
  let cells = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    cells += isWide(c) ? 2 : 1;
  }
  return cells;
}

/** East Asian wide characters take two monospace cells. Also sent to the browser (viewer.ts). */
export function isWide(c: number): boolean {
  return (
    c >= 0x1100 &&
    (c <= 0x115f ||
      (c >= 0x2e80 && c <= 0xa4cf) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) ||
      (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6) ||
      (c >= 0x1f300 && c <= 0x1faff) ||
      (c >= 0x20000 && c <= 0x3fffd))
  );
}

/** Width of one monospace cell relative to the font size (0.6 is typical; a margin for safety). */
export const CELL_WIDTH = 0.62;

/**
 * The label as it fits in `avail` pixels: whole, cut with "..", or empty when not even
 * three cells fit.
 */
export function fitLabel(name: string, avail: number, fontSize: number): string {
  const cells = Math.floor(avail / (fontSize * CELL_WIDTH));
  if (cells < 3) return '';
  // No code unit takes more than two cells: a box this wide needs no counting.
  if (name.length * 2 <= cells) return name;
  if (name.length <= cells && textCells(name) <= cells) return name;
  let used = 0;
  let out = '';
  for (const ch of name) {
    const w = isWide(ch.codePointAt(0)!) ? 2 : 1;
    if (used + w > cells - 2) break;
    used += w;
    out += ch;
  }
  return out + '..';
}
