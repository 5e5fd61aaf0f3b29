/**
 * Sampled profile -> frames. Whole stacks are known with exact counts, so nothing is
 * estimated: the flame section is the stacks merged into a tree, and the inverted section
 * is the same stacks reversed (innermost frame first) and merged, i.e. own samples by
 * caller. Both sections follow the estimator's conventions (docs/how-it-works.md) so
 * that one renderer serves both kinds of profile:
 *
 * - children in function-key order, in pre-order; `x` counts the widths of earlier
 *   siblings too small to draw, and a hidden child's samples go to its parent's `self`
 *   (what the folded log writes);
 * - a frame is drawn when its share of the total is above the threshold;
 * - colours: flame frames 'normal' (no frame is a guess); inverted level 0 'calleeless'
 *   when the function is the innermost frame of every stack it is in, else 'normal';
 *   deeper levels 'caller'.
 *
 * Samples have no call counts: `cc` and `nc` are 0. For a flame frame `tt` is its own
 * samples and `ct` its width; for an inverted frame both are its width (the own samples of
 * the level-0 function spent through that chain of callers), except at level 0, where `ct`
 * is how many samples the function is anywhere in.
 */
import { FlameprofError } from '../errors';
import { CALLEELESS, CALLER, FrameBudget, FrameColumns, NORMAL, type FrameOptions, type FrameSet } from './frame-set';
import { compareFuncKeys } from '../model/keys';
import { funcLabel, type FuncKey, type Profile, type SampledProfile } from '../model/profile';

export interface StackFrameOptions extends FrameOptions {
  /**
   * What the weights are: 'samples' (default), or 'seconds' for a pstats dump's estimated
   * stacks (select.ts), whose log then scales them by --log-mult as usual.
   */
  readonly unit?: 'seconds' | 'samples';
  /** The profile the stacks were taken from (FrameSet.profile), when it is not `profile` itself. */
  readonly source?: Profile;
}

/**
 * The label a sampled function is shown and logged under: `file:line:name`, except for a
 * bare name from another tool's folded stacks (line -1, see import/folded.ts), which stays
 * bare, so that a log of it reads back the same.
 */
export function sampledLabel(key: FuncKey): string {
  return key.line < 0 ? key.name : funcLabel(key);
}

/**
 * Stacks merged into a tree: node 0 is the root, each node one frame on one path. Inputs can
 * hold millions of nodes, so children are found through one open-addressing hash table of
 * (parent, function) -> node in typed arrays, not a Map per node (10x the memory, and a
 * Map stops at 2^24 entries).
 */
class Tree {
  readonly func: number[] = [-1];
  readonly parent: number[] = [-1];
  /** Samples whose stack ends at this node. */
  readonly own: number[] = [0];
  private readonly firstChild: number[] = [-1];
  private readonly nextSibling: number[] = [-1];
  private keys = new Int32Array(1 << 10).fill(-1); // parent node; -1: empty slot
  private funcs = new Int32Array(1 << 10);
  private values = new Int32Array(1 << 10);

  add(frames: readonly number[], weight: number, reversed: boolean): void {
    let node = 0;
    const n = frames.length;
    for (let i = 0; i < n; i++) node = this.child(node, frames[reversed ? n - 1 - i : i]);
    this.own[node] += weight;
  }

  /** The child of `node` for function `f`, created if need be. */
  private child(node: number, f: number): number {
    let mask = this.keys.length - 1;
    let slot = hash(node, f) & mask;
    for (;;) {
      const k = this.keys[slot];
      if (k === -1) break;
      if (k === node && this.funcs[slot] === f) return this.values[slot];
      slot = (slot + 1) & mask;
    }
    const id = this.func.length;
    if (id >= 0x7fffffff) throw new FlameprofError('the input has too many distinct stacks to merge');
    this.func.push(f);
    this.parent.push(node);
    this.own.push(0);
    this.firstChild.push(-1);
    this.nextSibling.push(this.firstChild[node]);
    this.firstChild[node] = id;
    // Keep the table at most half full.
    if (id * 2 >= this.keys.length) {
      this.grow();
      mask = this.keys.length - 1;
      slot = hash(node, f) & mask;
      while (this.keys[slot] !== -1) slot = (slot + 1) & mask;
    }
    this.keys[slot] = node;
    this.funcs[slot] = f;
    this.values[slot] = id;
    return id;
  }

  private grow(): void {
    const { keys, funcs, values } = this;
    const size = keys.length * 2;
    this.keys = new Int32Array(size).fill(-1);
    this.funcs = new Int32Array(size);
    this.values = new Int32Array(size);
    const mask = size - 1;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === -1) continue;
      let slot = hash(keys[i], funcs[i]) & mask;
      while (this.keys[slot] !== -1) slot = (slot + 1) & mask;
      this.keys[slot] = keys[i];
      this.funcs[slot] = funcs[i];
      this.values[slot] = values[i];
    }
  }

  /** Samples in each node's subtree. Children are created after their parents, so one backward pass does. */
  totals(): number[] {
    const t = this.own.slice();
    for (let i = t.length - 1; i > 0; i--) t[this.parent[i]] += t[i];
    return t;
  }

  sortedChildren(node: number, funcs: readonly FuncKey[]): number[] {
    const list: number[] = [];
    for (let c = this.firstChild[node]; c !== -1; c = this.nextSibling[c]) list.push(c);
    list.sort((a, b) => compareFuncKeys(funcs[this.func[a]], funcs[this.func[b]]) || this.func[a] - this.func[b]);
    return list;
  }
}

function hash(node: number, f: number): number {
  return (Math.imul(node, 0x9e3779b1) ^ Math.imul(f + 0x7f4a7c15, 0x85ebca77)) >>> 0;
}

export function stackFrames(profile: SampledProfile, opts: StackFrameOptions): FrameSet {
  const unit = opts.unit ?? profile.unit ?? 'samples';
  const funcs = profile.funcs.map((key) => ({ key, label: sampledLabel(key) }));
  const warnings = [...(profile.warnings ?? [])];
  const flameTree = new Tree();
  const invertedTree = new Tree();
  // A function with a callee somewhere: anything but the innermost frame of a stack.
  const hasCallee = new Uint8Array(profile.funcs.length);
  let total = 0;
  for (const s of profile.stacks) {
    if (s.frames.length === 0) continue;
    total += s.weight;
    flameTree.add(s.frames, s.weight, false);
    invertedTree.add(s.frames, s.weight, true);
    for (let i = 0; i < s.frames.length - 1; i++) hasCallee[s.frames[i]] = 1;
  }
  const frames = { funcs, total: 0, unit, warnings, fromStacks: true, profile: opts.source ?? profile };
  if (!(total > 0) || !Number.isFinite(total)) {
    warnings.push(unit === 'seconds' ? 'the selected stacks hold no time: nothing to draw' : 'the profile holds no samples: nothing to draw');
    return { ...frames, flame: new FrameColumns(1), inverted: new FrameColumns(1) };
  }

  const threshold = opts.threshold / 100;
  const budget = new FrameBudget(opts);
  const take = (level: number): void => budget.take(level);

  const flame = walk(flameTree, profile.funcs, total, threshold, take, (_node, _level, w, own) => ({
    color: NORMAL,
    tt: own,
    ct: w,
  }));

  // How many samples each function is anywhere in (once per stack), for level-0 tooltips.
  const inStacks = new Array<number>(profile.funcs.length).fill(0);
  const seen = new Int32Array(profile.funcs.length).fill(-1);
  profile.stacks.forEach((s, k) => {
    for (const f of s.frames) {
      if (seen[f] !== k) {
        seen[f] = k;
        inStacks[f] += s.weight;
      }
    }
  });
  const inverted = walk(invertedTree, profile.funcs, total, threshold, take, (node, level, w) => {
    const f = invertedTree.func[node];
    const color = level > 0 ? CALLER : hasCallee[f] ? NORMAL : CALLEELESS;
    return { color, tt: w, ct: level === 0 ? inStacks[f] : w };
  });
  return { ...frames, flame, inverted, total };
}

/** A frame's colour (index into FRAME_COLORS) and times. */
type Describe = (node: number, level: number, w: number, own: number) => { color: number; tt: number; ct: number };

/** Pre-order frames of a tree, iteratively (stacks can be tens of thousands deep). */
function walk(
  tree: Tree,
  funcs: readonly FuncKey[],
  total: number,
  threshold: number,
  take: (level: number) => void,
  describe: Describe,
): FrameColumns {
  const frames = new FrameColumns();
  const widths = tree.totals();
  interface Visit {
    readonly children: number[];
    next: number;
    origin: number;
    readonly level: number;
    /** Index of the frame drawn for this node, or -1. */
    readonly frame: number;
  }
  const stack: Visit[] = [{ children: tree.sortedChildren(0, funcs), next: 0, origin: 0, level: 0, frame: -1 }];
  while (stack.length > 0) {
    const v = stack[stack.length - 1];
    if (v.next === v.children.length) {
      stack.pop();
      continue;
    }
    const node = v.children[v.next++];
    const w = widths[node];
    const origin = v.origin;
    v.origin += w;
    if (w / total > threshold) {
      take(v.level);
      const own = tree.own[node];
      const d = describe(node, v.level, w, own);
      const frame = frames.add(v.level, origin, w, tree.func[node], d.color, 0, 0, d.tt, d.ct);
      frames.self[frame] = own;
      stack.push({ children: tree.sortedChildren(node, funcs), next: 0, origin, level: v.level + 1, frame });
    } else if (v.frame >= 0) {
      frames.self[v.frame] += w;
    }
  }
  return frames;
}
