/**
 * The flame (root at the bottom, the inverted section below it) and the icicle (root at the
 * top), drawn on a canvas the size of the window: only the rows in view are painted, and
 * in a row only the frames in the zoomed range, found by binary search, so a repaint costs
 * what is on screen, not the 150,000 frames of the graph. Geometry, fills, labels and
 * tooltips are the SVG's (the same functions make them).
 */
import type { FrameSet } from '../frames/frame-set';
import { formatPercent } from '../model/pynum';
import { diffDetails } from '../render/diff';
import { tooltip } from '../render/svg-frames';
import { fitLabel } from '../render/text';
import type { Report, Section } from './data';

export const HIGHLIGHT = 'rgb(230,0,230)';

type SectionName = 'flame' | 'inverted';

interface Zoom {
  readonly x0: number;
  readonly x1: number;
  /** The zoomed frame's level: rows below it show its ancestors, across the whole width. */
  readonly level: number;
}

interface Hit {
  readonly section: SectionName;
  readonly i: number;
}

export interface FlameHooks {
  /** Show a frame's details (undefined: nothing hovered). */
  details(text: string | undefined): void;
  /** The user asked for a function's sandwich (double click). */
  openSandwich(fn: number): void;
  /** The zoom changed (for the reset button). */
  zoomed(any: boolean): void;
}

export class FlameView {
  readonly el: HTMLDivElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly spacer: HTMLDivElement;
  private readonly zoom: Record<SectionName, Zoom | undefined> = { flame: undefined, inverted: undefined };
  private matches: Uint8Array | undefined;
  private hover: Hit | undefined;
  private readonly frameSet: Pick<FrameSet, 'funcs' | 'total' | 'unit' | 'fromStacks'>;
  private readonly rowH: number;
  private readonly fontSize: number;
  private readonly pad: number;
  /** Rows of each section drawn (0 when the section is left out), and the gap between them. */
  private readonly flameRows: number;
  private readonly invertedRows: number;
  private readonly gap: number;
  private pending = false;

  constructor(
    private readonly report: Report,
    private readonly icicle: boolean,
    private readonly hooks: FlameHooks,
  ) {
    const d = report.data;
    this.rowH = d.rowHeight;
    this.fontSize = d.fontSize;
    this.pad = d.rowHeight / 6;
    this.flameRows = d.sections === 'inverted' ? 0 : report.flame.frames.maxLevel + 1;
    this.invertedRows = d.sections === 'flame' || icicle ? 0 : report.inverted.frames.maxLevel + 1;
    this.gap = this.flameRows > 0 && this.invertedRows > 0 ? 1 : 0;
    // tooltip() reads the labels, the total and the unit of a frame set.
    this.frameSet = {
      funcs: report.labels.map((label, i) => ({ key: { file: report.files[i], line: report.lines[i], name: report.names[i] }, label })),
      total: report.total,
      unit: d.unit,
      fromStacks: d.fromStacks,
    };

    this.el = document.createElement('div');
    this.el.className = 'flame-scroll';
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'flame-canvas';
    this.spacer = document.createElement('div');
    this.el.append(this.canvas, this.spacer);
    this.ctx = this.canvas.getContext('2d')!;

    this.el.addEventListener('scroll', () => this.schedule());
    this.canvas.addEventListener('mousemove', (e) => this.onMove(e));
    this.canvas.addEventListener('mouseleave', () => this.setHover(undefined));
    this.canvas.addEventListener('click', (e) => {
      const hit = this.hitAt(e);
      if (hit !== undefined) this.zoomTo(hit);
    });
    this.canvas.addEventListener('dblclick', (e) => {
      const hit = this.hitAt(e);
      if (hit !== undefined) this.hooks.openSandwich(this.section(hit.section).frames.func[hit.i]);
    });
  }

  get zoomed(): boolean {
    return this.zoom.flame !== undefined || this.zoom.inverted !== undefined;
  }

  /** Highlight the frames of these functions (by function index), or none. */
  setMatches(matches: Uint8Array | undefined): void {
    this.matches = matches;
    this.paint();
  }

  resetZoom(): void {
    this.zoom.flame = undefined;
    this.zoom.inverted = undefined;
    this.hooks.zoomed(false);
    this.paint();
  }

  /** Zoom a section to frame i of it: its width becomes the whole width. */
  zoomTo(hit: Hit): void {
    const f = this.section(hit.section).frames;
    this.zoom[hit.section] = { x0: f.x[hit.i], x1: f.x[hit.i] + f.w[hit.i], level: f.level[hit.i] };
    this.hooks.zoomed(true);
    this.paint();
  }

  /** Where frame i of a section is now drawn, in the canvas's CSS pixels (undefined: not in view). */
  boxOf(section: SectionName, i: number): { x: number; y: number; w: number; h: number } | undefined {
    const f = this.section(section).frames;
    const z = this.zoomOf(section);
    const width = this.el.clientWidth;
    const scale = width / (z.x1 - z.x0);
    const x0 = Math.max(f.x[i], z.x0);
    const x1 = Math.min(f.x[i] + f.w[i], z.x1);
    if (x1 <= x0) return undefined;
    return { x: (x0 - z.x0) * scale, y: this.rowOf(section, f.level[i]) * this.rowH - this.el.scrollTop, w: Math.max(1, (x1 - x0) * scale - 1), h: this.rowH - 1 };
  }

  /** Repaint on the next frame (scrolling and resizing ask many times a frame). */
  schedule(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.paint();
    });
  }

  paint(): void {
    const el = this.el;
    const width = el.clientWidth;
    const height = el.clientHeight;
    if (width === 0 || height === 0) return;
    const rows = this.flameRows + this.gap + this.invertedRows;
    this.spacer.style.height = `${Math.max(0, rows * this.rowH + this.rowH - height)}px`;
    const ratio = window.devicePixelRatio || 1;
    if (this.canvas.width !== Math.round(width * ratio) || this.canvas.height !== Math.round(height * ratio)) {
      this.canvas.width = Math.round(width * ratio);
      this.canvas.height = Math.round(height * ratio);
      this.canvas.style.width = `${width}px`;
      this.canvas.style.height = `${height}px`;
    }
    const ctx = this.ctx;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.font = `${this.fontSize}px monospace`;
    ctx.textBaseline = 'middle';
    const top = el.scrollTop;
    const first = Math.max(0, Math.floor(top / this.rowH));
    const last = Math.min(rows - 1, Math.floor((top + height) / this.rowH));
    for (let r = first; r <= last; r++) {
      const at = this.rowAt(r);
      if (at !== undefined) this.paintRow(at.section, at.level, r * this.rowH - top, width);
    }
  }

  private paintRow(name: SectionName, level: number, y: number, width: number): void {
    const s = this.section(name);
    const row = s.rows[level];
    if (row === undefined || row.length === 0) return;
    const f = s.frames;
    const z = this.zoomOf(name);
    const scale = width / (z.x1 - z.x0);
    const ctx = this.ctx;
    const fills = this.report.data.fills;
    const matches = this.matches;
    const hover = this.hover !== undefined && this.hover.section === name ? this.hover.i : -1;
    let lastPx = -1;
    for (let k = this.firstInRange(f, row, z.x0); k < row.length; k++) {
      const i = row[k];
      const x = f.x[i];
      if (x >= z.x1) break;
      const a = Math.max(x, z.x0);
      const px = (a - z.x0) * scale;
      const raw = (Math.min(x + f.w[i], z.x1) - a) * scale;
      // Many frames thinner than a pixel in one pixel: one is enough.
      if (raw < 1 && Math.floor(px) === lastPx && i !== hover) continue;
      lastPx = Math.floor(px);
      const w = Math.max(1, raw - 1);
      ctx.fillStyle = matches !== undefined && matches[f.func[i]] === 1 ? HIGHLIGHT : fills[s.fill[i]];
      ctx.fillRect(px, y, w, this.rowH - 1);
      if (i === hover) {
        ctx.strokeStyle = '#000';
        ctx.lineWidth = 1;
        ctx.strokeRect(px + 0.5, y + 0.5, Math.max(0, w - 1), this.rowH - 2);
      }
      if (w > 3 * this.fontSize * 0.62 + this.pad) {
        const label = fitLabel(this.report.names[f.func[i]], w - this.pad - 2, this.fontSize);
        if (label !== '') {
          ctx.fillStyle = '#000';
          ctx.fillText(label, px + this.pad, y + this.rowH / 2);
        }
      }
    }
  }

  /** The first frame of a row that ends after x0 (rows are in x order). */
  private firstInRange(f: Section['frames'], row: Int32Array, x0: number): number {
    let lo = 0;
    let hi = row.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const i = row[mid];
      if (f.x[i] + f.w[i] <= x0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private onMove(e: MouseEvent): void {
    this.setHover(this.hitAt(e));
  }

  private setHover(hit: Hit | undefined): void {
    const same = hit === this.hover || (hit !== undefined && this.hover !== undefined && hit.section === this.hover.section && hit.i === this.hover.i);
    if (same) return;
    this.hover = hit;
    this.hooks.details(hit === undefined ? undefined : this.tooltipOf(hit.section, hit.i));
    this.canvas.style.cursor = hit === undefined ? '' : 'pointer';
    this.schedule();
  }

  /** The SVG's tooltip of frame i of a section. */
  tooltipOf(section: SectionName, i: number): string {
    const f = this.section(section).frames;
    const diff = this.report.diff;
    if (diff !== undefined) {
      const d = diff[section];
      const share = formatPercent((section === 'flame' ? f.ct[i] : f.tt[i]) / this.report.total);
      const only = d.missing[i] === 1 ? (diff.negate ? 'gone' : 'new') : undefined;
      return `${this.report.labels[f.func[i]]} ${share} — ${diffDetails(d.before[i], d.after[i], d.selfBefore[i], d.selfAfter[i], this.report.total, this.report.data.unitWord, only)}`;
    }
    return tooltip(f.frame(i), section, this.frameSet, this.report.data.unitWord);
  }

  private hitAt(e: MouseEvent): Hit | undefined {
    const rect = this.canvas.getBoundingClientRect();
    const mx = e.clientX - rect.left;
    const my = e.clientY - rect.top;
    const at = this.rowAt(Math.floor((my + this.el.scrollTop) / this.rowH));
    if (at === undefined) return undefined;
    const s = this.section(at.section);
    const row = s.rows[at.level];
    if (row === undefined) return undefined;
    const z = this.zoomOf(at.section);
    const xu = z.x0 + (mx / this.el.clientWidth) * (z.x1 - z.x0);
    const f = s.frames;
    const scale = this.el.clientWidth / (z.x1 - z.x0);
    for (let k = this.firstInRange(f, row, xu); k < row.length; k++) {
      const i = row[k];
      if (f.x[i] > xu) break;
      // A frame drawn 1 px wide (narrower in truth) still takes the pointer.
      if (xu < f.x[i] + Math.max(f.w[i], 1 / scale)) return { section: at.section, i };
    }
    return undefined;
  }

  private section(name: SectionName): Section {
    return name === 'flame' ? this.report.flame : this.report.inverted;
  }

  private zoomOf(name: SectionName): Zoom {
    return this.zoom[name] ?? { x0: 0, x1: this.report.total, level: -1 };
  }

  /** Which section and level content row r shows. */
  private rowAt(r: number): { section: SectionName; level: number } | undefined {
    if (r < 0) return undefined;
    if (r < this.flameRows) return { section: 'flame', level: this.icicle ? r : this.flameRows - 1 - r };
    const k = r - this.flameRows - this.gap;
    if (k >= 0 && k < this.invertedRows) return { section: 'inverted', level: k };
    return undefined;
  }

  private rowOf(section: SectionName, level: number): number {
    if (section === 'flame') return this.icicle ? level : this.flameRows - 1 - level;
    return this.flameRows + this.gap + level;
  }
}
