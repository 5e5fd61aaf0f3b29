/**
 * Frames: what the estimator (call graphs) or the stack merger (sampled profiles) produce
 * and every renderer consumes. Positions are in profile units (seconds or samples), not
 * pixels: the layout step scales them.
 */
import { FlameprofError } from '../errors';
import type { FuncKey, Profile } from '../model/profile';

/** Which palette a frame is drawn from (flameprof's four colour classes). */
export type FrameColor =
  /** flame section, time known from the dump; also inverted level 0 for functions that call others */
  | 'normal'
  /** flame section, first frame on a path whose time was estimated by call share */
  | 'guessed'
  /** inverted section level 0: a function that calls nothing */
  | 'calleeless'
  /** inverted section level > 0: a caller */
  | 'caller';

export interface Frame {
  /** Depth: 0 is the bottom row of the flame and the top row of the inverted section. */
  readonly level: number;
  /** Left edge, in profile units from the section's left. */
  readonly x: number;
  /** Width in profile units. */
  readonly w: number;
  /** Index into `FrameSet.funcs`. */
  readonly func: number;
  readonly color: FrameColor;
  /** Calls and times shown in the tooltip (for an inverted caller frame: of the edge). */
  readonly cc: number;
  readonly nc: number;
  readonly tt: number;
  readonly ct: number;
  /**
   * Own time written to the folded log: `tt` plus the time of children too small to draw,
   * so that the log's lines still add up.
   */
  self: number;
}

/** A function that frames refer to, with the label its frames show (`file:line:name`). */
export interface FrameFunc {
  readonly key: FuncKey;
  readonly label: string;
}

/**
 * What the frame builders (estimate.ts, stacks.ts) make and every renderer reads: both
 * sections' frames as columns, in pre-order (the log's line order). `FrameColumns.toArray()`
 * gives them as objects.
 */
export interface FrameSet {
  /** Function `i` of the profile is `funcs[i]` (its file shortened by --short-paths, --strip). */
  readonly funcs: readonly FrameFunc[];
  /** Top section. */
  readonly flame: FrameColumns;
  /** Inverted section: own time, and through which callers it was spent. */
  readonly inverted: FrameColumns;
  /** What 100 % is, in profile units. */
  readonly total: number;
  /** 'seconds' for pstats dumps, 'samples' for sampled stacks. */
  readonly unit: 'seconds' | 'samples';
  /** Things the user should know that do not stop the graph (printed to stderr). */
  readonly warnings: string[];
  /**
   * True when the frames were merged from whole stacks: sampled inputs, and a pstats dump's
   * estimated stacks under --hide, --focus or --reverse. Their tooltips give no call counts.
   */
  readonly fromStacks: boolean;
  /** The profile the frames were drawn from: its exact numbers are the report's (./exact.ts). */
  readonly profile: Profile;
}

/** Colour classes by their number in `FrameColumns.color`. */
export const FRAME_COLORS: readonly FrameColor[] = ['normal', 'guessed', 'calleeless', 'caller'];

export const NORMAL = 0;
export const GUESSED = 1;
export const CALLEELESS = 2;
export const CALLER = 3;

/**
 * One section's frames, a typed array per field (frame `i` is `level[i]`, `x[i]`, ...).
 * 100,000s of frame objects cost ~180 bytes each on the JS heap, six heap objects apiece
 * (the doubles are boxed), and the garbage collector copied them again and again while
 * the estimator was still allocating and once more in the middle of the render; here a
 * frame is 65 bytes outside the heap, which the collector never walks.
 */
export class FrameColumns {
  length = 0;
  /**
   * The deepest level added, -1 while there is none. Kept as frames are added because the
   * layout needs it before the first frame is drawn: a pass over 36,000 levels in a fresh
   * process, where the loop is not yet compiled, cost the render 0.7 ms.
   */
  maxLevel = -1;
  level: Int32Array;
  func: Int32Array;
  /** Index into FRAME_COLORS. */
  color: Uint8Array;
  x: Float64Array;
  w: Float64Array;
  cc: Float64Array;
  nc: Float64Array;
  tt: Float64Array;
  ct: Float64Array;
  /** See Frame.self: frame builders add the time of children too small to draw. */
  self: Float64Array;

  constructor(capacity = 256) {
    const n = Math.max(1, capacity);
    this.level = new Int32Array(n);
    this.func = new Int32Array(n);
    this.color = new Uint8Array(n);
    this.x = new Float64Array(n);
    this.w = new Float64Array(n);
    this.cc = new Float64Array(n);
    this.nc = new Float64Array(n);
    this.tt = new Float64Array(n);
    this.ct = new Float64Array(n);
    this.self = new Float64Array(n);
  }

  /** Append a frame (its `self` starts as `tt`); returns its index. */
  add(level: number, x: number, w: number, func: number, color: number, cc: number, nc: number, tt: number, ct: number): number {
    const i = this.length;
    if (i === this.level.length) this.grow();
    this.level[i] = level;
    if (level > this.maxLevel) this.maxLevel = level;
    this.x[i] = x;
    this.w[i] = w;
    this.func[i] = func;
    this.color[i] = color;
    this.cc[i] = cc;
    this.nc[i] = nc;
    this.tt[i] = tt;
    this.ct[i] = ct;
    this.self[i] = tt;
    this.length = i + 1;
    return i;
  }

  private grow(): void {
    const n = this.level.length * 2;
    const more = <T extends Int32Array | Uint8Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a);
      return b;
    };
    this.level = more(this.level);
    this.func = more(this.func);
    this.color = more(this.color);
    this.x = more(this.x);
    this.w = more(this.w);
    this.cc = more(this.cc);
    this.nc = more(this.nc);
    this.tt = more(this.tt);
    this.ct = more(this.ct);
    this.self = more(this.self);
  }

  /** Frame `i` as an object (a copy: changing it changes nothing here). */
  frame(i: number): Frame {
    return {
      level: this.level[i],
      x: this.x[i],
      w: this.w[i],
      func: this.func[i],
      color: FRAME_COLORS[this.color[i]],
      cc: this.cc[i],
      nc: this.nc[i],
      tt: this.tt[i],
      ct: this.ct[i],
      self: this.self[i],
    };
  }

  toArray(): Frame[] {
    const out = new Array<Frame>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.frame(i);
    return out;
  }

  static from(frames: readonly Frame[]): FrameColumns {
    const c = new FrameColumns(frames.length);
    for (const f of frames) {
      const i = c.add(f.level, f.x, f.w, f.func, FRAME_COLORS.indexOf(f.color), f.cc, f.nc, f.tt, f.ct);
      c.self[i] = f.self;
    }
    return c;
  }
}

export type Sections = 'both' | 'flame' | 'inverted';

/** The frames with one section emptied ('flame': no inverted section; 'inverted': no flame). */
export function onlySections(frames: FrameSet, which: Sections): FrameSet {
  if (which === 'both') return frames;
  return which === 'flame' ? { ...frames, inverted: new FrameColumns(1) } : { ...frames, flame: new FrameColumns(1) };
}

/** What both frame builders (estimate.ts, stacks.ts) take: the threshold and the frame budget. */
export interface FrameOptions {
  /** Per cent of the total below which frames are not drawn. */
  readonly threshold: number;
  /** Abort when more frames than this would be produced. */
  readonly maxFrames: number;
  /** Abort at a path deeper than this (see Options.maxDepth). Default: none. */
  readonly maxDepth?: number;
}

/**
 * Counts frames as a builder makes them, and stops it with an error that says what to do
 * once there are too many: the paths of a call graph multiply, and without this a low
 * threshold runs for minutes into gigabytes.
 */
export class FrameBudget {
  private used = 0;
  constructor(private readonly opts: FrameOptions) {}

  /** Count a frame at `level` (0 at the root). */
  take(level: number): void {
    if (level >= (this.opts.maxDepth ?? Infinity)) {
      throw new FlameprofError(
        `the graph's paths go more than ${this.opts.maxDepth} frames deep (the limit is --max-depth ${this.opts.maxDepth}); ` +
          'raise --max-depth, or --threshold to draw less',
      );
    }
    if (++this.used > this.opts.maxFrames) {
      throw new FlameprofError(
        `the graph would have more than ${this.opts.maxFrames} frames at --threshold ${this.opts.threshold}; ` +
          'raise --threshold (or --max-frames, at the cost of time and memory)',
      );
    }
  }
}
