/**
 * Frames: what the estimator (call graphs) or the stack merger (sampled profiles) produce
 * and every renderer consumes. Positions are in profile units (seconds or samples), not
 * pixels: the layout step scales them.
 */
import { FlameprofError } from './errors';
import type { FuncKey } from './model';

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

export interface FrameSet {
  /** Functions that frames refer to, with their `file:line:name` labels. */
  readonly funcs: ReadonlyArray<{ readonly key: FuncKey; readonly label: string }>;
  /** Top section, depth-first pre-order (the log's line order). */
  readonly flame: Frame[];
  /** Inverted section: own time, and through which callers it was spent. Pre-order. */
  readonly inverted: Frame[];
  /** What 100 % is, in profile units. */
  readonly total: number;
  /** 'seconds' for pstats dumps, 'samples' for sampled stacks. */
  readonly unit: 'seconds' | 'samples';
  /** Things the user should know that do not stop the graph (printed to stderr). */
  readonly warnings: string[];
}

/** What both frame builders (estimate.ts, stacks.ts) take: the threshold and the frame budget. */
export interface FrameOptions {
  /** Per cent of the total below which frames are not drawn. */
  readonly threshold: number;
  /** Abort when more frames than this would be produced. */
  readonly maxFrames: number;
}

/**
 * Counts frames as a builder makes them, and stops it with an error that says what to do
 * once there are too many: the paths of a call graph multiply, and without this a low
 * threshold runs for minutes into gigabytes.
 */
export class FrameBudget {
  private used = 0;
  constructor(private readonly opts: FrameOptions) {}

  take(): void {
    if (++this.used > this.opts.maxFrames) {
      throw new FlameprofError(
        `the graph would have more than ${this.opts.maxFrames} frames at --threshold ${this.opts.threshold}; ` +
          'raise --threshold (or --max-frames, at the cost of time and memory)',
      );
    }
  }
}
