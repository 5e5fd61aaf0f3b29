/**
 * Geometry of frames in pixels, as flameprof 0.4 draws them (docs/how-it-works.md,
 * "Geometry and colour"). Renderers ask this module where a frame goes; nothing here writes output.
 */
import { FrameColumns, type Frame } from '../frames/frame-set';
import type { Geometry } from './renderer';

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

/** Where each section's rows go, for frames whose sections are these columns. */
export function layoutSections(frames: { readonly flame: FrameColumns; readonly inverted: FrameColumns }, geo: Geometry): Layout {
  const h = geo.rowHeight;
  const topMax = frames.flame.maxLevel;
  const botMax = frames.inverted.maxLevel;
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
  if (flame) return geo.icicle === true ? level * h : layout.flame.height - level * h - h;
  const s = layout.inverted;
  return s.top + s.height - (s.maxLevel - level) * h - h;
}
