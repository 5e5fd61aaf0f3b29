/**
 * Two profiles compared frame by frame: the frames of one side (AFTER's, or BEFORE's with
 * `negate`), each with its cumulative and its own time on both sides, matched by call path
 * (the labels from the root down, as the folded log names a frame; own time is the log's).
 * As flamegraph.pl colours diffs, a frame's change is that of its own time: the frame that
 * got slower stands out, not every frame below it. `normalize` scales BEFORE to AFTER's
 * total first, as difffolded.pl's -n does.
 */
import type { FrameColumns, FrameSet } from './frame-set';

export interface DiffOptions {
  /** Scale BEFORE's times so that both totals are equal. Default false. */
  readonly normalize?: boolean;
  /** Draw BEFORE's flame (where what is gone still shows) instead of AFTER's. Default false. */
  readonly negate?: boolean;
  /**
   * How frames of the two sides are paired: by their call path of `file:line:name` labels
   * ('path', the default), or of function names alone ('name': a file renamed or moved, or
   * lines shifted, still pairs).
   */
  readonly match?: DiffMatch;
}

export type DiffMatch = 'path' | 'name';

/** The word a frame's function goes by in a path key. */
export function pathWord(frames: FrameSet, func: number, match: DiffMatch | undefined): string {
  return match === 'name' ? frames.funcs[func].key.name : frames.funcs[func].label;
}

/** Per frame of a section: cumulative and own time before and after (BEFORE's scaled when normalizing). */
export interface SectionDiff {
  readonly before: Float64Array;
  readonly after: Float64Array;
  readonly selfBefore: Float64Array;
  readonly selfAfter: Float64Array;
}

export interface FrameDiff {
  /** The side drawn: its frames give the widths. */
  readonly frames: FrameSet;
  readonly flame: SectionDiff;
  readonly inverted: SectionDiff;
  /** Per frame: whether the path exists on the other side at all. */
  readonly flameMissing: Uint8Array;
  readonly invertedMissing: Uint8Array;
  /** The two totals, BEFORE's as given (not scaled). */
  readonly totals: { readonly before: number; readonly after: number };
  /** The largest change of a frame's own time, over both sections (0 when nothing changed). */
  readonly maxChange: number;
  readonly negate: boolean;
}

export function diffFrames(before: FrameSet, after: FrameSet, opts: DiffOptions = {}): FrameDiff {
  const negate = opts.negate === true;
  const scale = opts.normalize === true && before.total > 0 ? after.total / before.total : 1;
  const shown = negate ? before : after;
  const other = negate ? after : before;
  let maxChange = 0;
  const side = (mine: FrameColumns, theirs: FrameColumns, mineSet: FrameSet, theirSet: FrameSet) => {
    const ours = pathTimes(mine, mineSet, opts.match);
    const other = pathTimes(theirs, theirSet, opts.match);
    const n = mine.length;
    const d = { before: new Float64Array(n), after: new Float64Array(n), selfBefore: new Float64Array(n), selfAfter: new Float64Array(n) };
    const missing = new Uint8Array(n);
    forEachPath(mine, mineSet, opts.match, (i, key) => {
      const o = other.get(key);
      if (o === undefined) missing[i] = 1;
      const m = ours.get(key)!;
      const [was, now] = negate ? [m, o] : [o, m];
      d.before[i] = (was?.w ?? 0) * scale;
      d.selfBefore[i] = (was?.self ?? 0) * scale;
      d.after[i] = now?.w ?? 0;
      d.selfAfter[i] = now?.self ?? 0;
      maxChange = Math.max(maxChange, Math.abs(d.selfAfter[i] - d.selfBefore[i]));
    });
    return { d, missing };
  };
  const flame = side(shown.flame, other.flame, shown, other);
  const inverted = side(shown.inverted, other.inverted, shown, other);
  return {
    frames: shown,
    flame: flame.d,
    inverted: inverted.d,
    flameMissing: flame.missing,
    invertedMissing: inverted.missing,
    totals: { before: before.total, after: after.total },
    maxChange,
    negate,
  };
}

/** Each frame's path key (its words from level 0 down, `;`-joined), in pre-order. */
function forEachPath(c: FrameColumns, frames: FrameSet, match: DiffMatch | undefined, f: (i: number, key: string) => void): void {
  const path: string[] = [];
  for (let i = 0; i < c.length; i++) {
    path.length = c.level[i];
    path.push(pathWord(frames, c.func[i], match));
    f(i, path.join(';'));
  }
}

/** Cumulative and own time by path. A path can occur twice (an exact and an estimated child of one function): they add up. */
function pathTimes(c: FrameColumns, frames: FrameSet, match: DiffMatch | undefined): Map<string, { w: number; self: number }> {
  const out = new Map<string, { w: number; self: number }>();
  forEachPath(c, frames, match, (i, key) => {
    const t = out.get(key);
    if (t === undefined) out.set(key, { w: c.w[i], self: c.self[i] });
    else {
      t.w += c.w[i];
      t.self += c.self[i];
    }
  });
  return out;
}
