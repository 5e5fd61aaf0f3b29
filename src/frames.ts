/**
 * Frames: what the estimator (call graphs) or the stack merger (sampled profiles) produce
 * and every renderer consumes. Positions are in profile units (seconds or samples), not
 * pixels: the layout step scales them.
 */
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
