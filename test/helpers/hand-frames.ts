/**
 * A frame set written by hand, frames as objects: the shape tests find easy to write,
 * made into the model's columns by the one conversion (FrameColumns.from). Its profile is
 * the functions with no stacks: exact numbers all zero.
 */
import { FrameColumns, type Frame, type FrameFunc, type FrameSet } from '../../src/frames/frame-set';

export interface HandFrames {
  readonly funcs: readonly FrameFunc[];
  readonly flame: readonly Frame[];
  readonly inverted: readonly Frame[];
  readonly total: number;
  readonly unit: 'seconds' | 'samples';
  readonly warnings?: string[];
  readonly fromStacks?: boolean;
}

export function handFrames(h: HandFrames): FrameSet {
  return {
    funcs: h.funcs,
    flame: FrameColumns.from(h.flame),
    inverted: FrameColumns.from(h.inverted),
    total: h.total,
    unit: h.unit,
    warnings: h.warnings ?? [],
    fromStacks: h.fromStacks ?? false,
    profile: { kind: 'sampled', funcs: h.funcs.map((f) => f.key), stacks: [] },
  };
}
