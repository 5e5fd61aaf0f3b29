/**
 * --hide, --focus and --reverse: which stacks are drawn, and how. They work on whole stacks:
 * a sampled profile's own (exact), or, for a pstats dump, the estimated stacks of its flame
 * (`flameStacks`: every path with its own time, the lines of the folded log).
 */
import type { FrameSet } from './frame-set';
import { funcLabel, type FuncKey, type SampledProfile, type SampledStack } from '../model/profile';

export interface Selection {
  /** Frames whose `file:line:name` matches any of these are dropped, their time going to their caller. */
  readonly hide: readonly RegExp[];
  /** When set, only stacks through a matching function, each cut to start at the outermost match. */
  readonly focus: RegExp | undefined;
  /** Stacks merged from the innermost frame (flamegraph.pl's --reverse). */
  readonly reverse: boolean;
}

export function selects(sel: Selection): boolean {
  return sel.hide.length > 0 || sel.focus !== undefined || sel.reverse;
}

export interface Selected {
  readonly profile: SampledProfile;
  /** What the selection left out, in the profile's unit: stacks without a match, outermost hidden frames. */
  readonly dropped: number;
  /** The focused functions (indices into profile.funcs) that matched, outermost on some stack. */
  readonly focused: number[];
}

export function selectStacks(profile: SampledProfile, sel: Selection, label: (k: FuncKey) => string = funcLabel): Selected {
  const hidden = profile.funcs.map((k) => sel.hide.some((re) => re.test(label(k))));
  const focusing = sel.focus;
  const matches = focusing === undefined ? undefined : profile.funcs.map((k) => focusing.test(label(k)));
  const focused = new Set<number>();
  const stacks: SampledStack[] = [];
  let dropped = 0;
  for (const s of profile.stacks) {
    let frames = s.frames;
    if (matches !== undefined) {
      const at = frames.findIndex((f) => matches[f]);
      if (at < 0) {
        dropped += s.weight;
        continue;
      }
      focused.add(frames[at]);
      frames = frames.slice(at);
    }
    if (sel.hide.length > 0) frames = frames.filter((f) => !hidden[f]);
    // A stack whose every frame is hidden has no caller left to take its time.
    if (frames.length === 0) {
      dropped += s.weight;
      continue;
    }
    stacks.push({ frames: sel.reverse ? [...frames].reverse() : frames, weight: s.weight });
  }
  return { profile: { kind: 'sampled', funcs: profile.funcs, stacks, warnings: profile.warnings }, dropped, focused: [...focused] };
}

/** The flame's paths as stacks, each weighted by its frame's own time (the folded log's lines). */
export function flameStacks(frames: FrameSet): SampledProfile {
  const flame = frames.flame;
  const path: number[] = [];
  const stacks: SampledStack[] = [];
  for (let i = 0; i < flame.length; i++) {
    path.length = flame.level[i];
    path.push(flame.func[i]);
    if (flame.self[i] > 0) stacks.push({ frames: [...path], weight: flame.self[i] });
  }
  return { kind: 'sampled', funcs: frames.funcs.map((f) => f.key), stacks };
}
