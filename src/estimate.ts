/**
 * The timing estimator: call graph -> frames, exactly as flameprof 0.4 does it
 * (spec/flameprof-layout.md, sections 1-4 and 7).
 *
 * A pstats dump knows how long each function ran and how long each caller->callee edge
 * took, but not whole stacks. Where a function is reached along several paths, the time of
 * its outgoing edges has to be shared out among them in proportion: those frames are
 * "guessed" and the first of them on a path is drawn green.
 *
 * Both traversals are iterative: a call chain 50,000 deep must not overflow the JS stack.
 * Floating-point operations follow the reference's order, because the folded log is
 * compared byte for byte.
 */
import { FlameprofError } from './errors';
import type { Frame, FrameColor, FrameSet } from './frames';
import { compareFuncKeys, funcLabel, type CallGraphProfile, type Timing } from './model';
import { roundHalfEven } from './pynum';

export interface EstimateOptions {
  /** Per cent of the total below which frames are not drawn. */
  threshold: number;
  /** Abort when more frames than this would be produced. */
  maxFrames: number;
}

interface Child {
  readonly node: number;
  readonly timing: Timing;
  /** count(p, c): how many reachable callers the parent has, i.e. in how many places it is drawn. */
  count: number;
  /** The dump held only a call count for this edge (profile module): its times are a share. */
  readonly estimated: boolean;
  /** Dense id of the edge, for the "already on this path" check. */
  readonly id: number;
}

/** The graph in the shape both traversals want, with the pseudo-node `root` last. */
interface Graph {
  readonly n: number; // functions; root is node n
  /** Callees of each node in key order (computed once: every visit sorts the same list). */
  readonly callees: Child[][];
  /** Callers of each function in dump order, with the edge timing; for the inverted pass. */
  readonly callers: Array<Array<{ node: number; timing: Timing }>>;
  /** The same, sorted by key. */
  readonly callersSorted: Array<Array<{ node: number; timing: Timing }>>;
  readonly total: number;
  readonly edgeCount: number;
}

export function estimateFrames(profile: CallGraphProfile, opts: EstimateOptions): FrameSet {
  const warnings: string[] = [];
  const funcs = profile.functions.map((f) => ({ key: f.key, label: funcLabel(f.key) }));
  const graph = buildGraph(profile, warnings);
  if (graph === undefined) {
    return { funcs, flame: [], inverted: [], total: 0, unit: 'seconds', warnings };
  }
  const threshold = opts.threshold / 100;
  const budget = new FrameBudget(opts);
  const flame = flameFrames(graph, threshold, budget);
  const inverted = invertedFrames(profile, graph, threshold, budget);
  return { funcs, flame, inverted, total: graph.total, unit: 'seconds', warnings };
}

class FrameBudget {
  private used = 0;
  constructor(private readonly opts: EstimateOptions) {}
  take(): void {
    if (++this.used > this.opts.maxFrames) {
      throw new FlameprofError(
        `the graph would have more than ${this.opts.maxFrames} frames at --threshold ${this.opts.threshold}; ` +
          'raise --threshold (or --max-frames, at the cost of time and memory)',
      );
    }
  }
}

function buildGraph(profile: CallGraphProfile, warnings: string[]): Graph | undefined {
  const fs = profile.functions;
  const n = fs.length;
  const root = n;

  // Edge timings. Profile-module edges carry a call count only: share the callee's times.
  const edgeTiming = (callee: number, t: Timing, estimated: boolean): Timing => {
    if (!estimated) return t;
    const s = fs[callee].stat;
    const share = s.nc === 0 ? 0 : t.nc / s.nc;
    return { cc: t.cc, nc: t.nc, tt: s.tt * share, ct: s.ct * share };
  };

  const calleeLists: Child[][] = Array.from({ length: n + 1 }, () => []);
  const callers: Graph['callers'] = fs.map(() => []);
  let edgeId = 0;
  const roots: number[] = [];
  for (let c = 0; c < n; c++) {
    const f = fs[c];
    if (f.callers.length === 0) roots.push(c);
    for (const e of f.callers) {
      const timing = edgeTiming(c, e.timing, e.estimated);
      calleeLists[e.caller].push({ node: c, timing, count: 0, estimated: e.estimated, id: edgeId++ });
      callers[c].push({ node: e.caller, timing });
    }
  }

  let rootsum = 0;
  for (const r of roots) rootsum += fs[r].stat.ct;
  let selfsum = 0;
  for (const f of fs) selfsum += f.stat.tt;
  if (selfsum === 0 || !Number.isFinite(selfsum)) {
    warnings.push('the profile holds no time (its functions\' own times add up to 0): nothing to draw');
    return undefined;
  }
  if (!(rootsum / selfsum > 0.8 && rootsum / selfsum < 1.2)) {
    warnings.push(
      `can't find proper roots: the roots' cumulative time is ${rootsum} s ` +
        `but the functions' own times add up to ${selfsum} s`,
    );
  }

  // The reference then tries the biggest non-root as an extra root, and falls back to the
  // sum of own times as 100 % when that does not help (usually: see the spec).
  const rootChildren = roots.map((r) => ({ node: r, timing: fs[r].stat }));
  let candidate = -1;
  for (let i = 0; i < n; i++) {
    if (fs[i].callers.length > 0 && (candidate < 0 || fs[i].stat.ct > fs[candidate].stat.ct)) candidate = i;
  }
  let total = selfsum;
  if (candidate >= 0) {
    const ntotal = rootsum + fs[candidate].stat.ct;
    if (ntotal / selfsum > 0.8 && ntotal / selfsum < 1.2) {
      rootChildren.push({ node: candidate, timing: fs[candidate].stat });
      total = ntotal;
    }
  }
  for (const rc of rootChildren) {
    calleeLists[root].push({ node: rc.node, timing: rc.timing, count: 0, estimated: false, id: edgeId++ });
  }

  // count(p, c) is the number of times the reference's counting walk visits p, which is
  // one per reachable edge into p (it descends an edge only the first time it counts it).
  const visits = new Array<number>(n + 1).fill(0);
  const reached = new Uint8Array(n + 1);
  visits[root] = 1;
  reached[root] = 1;
  const queue = [root];
  for (let q = 0; q < queue.length; q++) {
    for (const ch of calleeLists[queue[q]]) {
      visits[ch.node]++;
      if (!reached[ch.node]) {
        reached[ch.node] = 1;
        queue.push(ch.node);
      }
    }
  }
  const byKey = (a: { node: number }, b: { node: number }): number => compareKeys(fs, a.node, b.node);
  for (let p = 0; p <= n; p++) {
    for (const ch of calleeLists[p]) ch.count = visits[p];
    calleeLists[p].sort(byKey);
  }
  const callersSorted = callers.map((list) => [...list].sort(byKey));
  return { n, callees: calleeLists, callers, callersSorted, total, edgeCount: edgeId };
}

function compareKeys(fs: CallGraphProfile['functions'], a: number, b: number): number {
  return compareFuncKeys(fs[a].key, fs[b].key);
}

interface FlameVisit {
  readonly node: number;
  /** Children in processing order (exact first, then guessed) with their timings. */
  readonly children: Array<{ ch: Child; timing: Timing; k: number }>;
  next: number;
  origin: number;
  readonly level: number;
  readonly pcount: number;
  /** The frame drawn for `node`, if any: small children add their time to its `self`. */
  readonly frame: Frame | undefined;
  /** The edge that led here, marked on the path while this visit is open. */
  readonly via: number;
}

function flameFrames(g: Graph, threshold: number, budget: FrameBudget): Frame[] {
  const frames: Frame[] = [];
  const maxw = g.total;
  const onPath = new Uint8Array(g.edgeCount);
  const stack: FlameVisit[] = [open(g, g.n, { cc: 1, nc: 1, tt: maxw, ct: maxw }, 0, 0, 1, undefined, -1)];

  while (stack.length > 0) {
    const v = stack[stack.length - 1];
    if (v.next === v.children.length) {
      stack.pop();
      if (v.via >= 0) onPath[v.via] = 0;
      continue;
    }
    const { ch, timing, k } = v.children[v.next++];
    const origin = v.origin;
    v.origin += timing.ct;
    if (timing.ct / maxw > threshold) {
      budget.take();
      const color: FrameColor = v.pcount === 1 && k > 1 ? 'guessed' : 'normal';
      const frame: Frame = {
        level: v.level,
        x: origin,
        w: timing.ct,
        func: ch.node,
        color,
        cc: timing.cc,
        nc: timing.nc,
        tt: timing.tt,
        ct: timing.ct,
        self: timing.tt,
      };
      frames.push(frame);
      if (!onPath[ch.id]) {
        onPath[ch.id] = 1;
        stack.push(open(g, ch.node, timing, v.level + 1, origin, k, frame, ch.id));
      }
    } else if (v.frame !== undefined) {
      v.frame.self += timing.ct;
    }
  }
  return frames;
}

/** Start visiting `node`: order its children and share out the time of guessed ones. */
function open(
  g: Graph,
  node: number,
  timing: Timing,
  level: number,
  origin: number,
  pcount: number,
  frame: Frame | undefined,
  via: number,
): FlameVisit {
  const exact: FlameVisit['children'] = [];
  const guessed: FlameVisit['children'] = [];
  for (const ch of g.callees[node]) {
    // A profile-module edge is a share of the callee's time: a guess wherever it is drawn.
    const k = Math.max(ch.count, pcount, ch.estimated ? 2 : 1);
    (k === 1 ? exact : guessed).push({ ch, timing: ch.timing, k });
  }
  if (guessed.length > 0) {
    let gctc = 0;
    for (const c of exact) gctc += c.timing.ct;
    let bctc = 0;
    for (const c of guessed) bctc += c.timing.ct;
    const rest = timing.ct - timing.tt - gctc;
    const factor = bctc !== 0 ? rest / bctc : 1;
    for (const c of guessed) {
      const t = c.timing;
      c.timing = {
        cc: roundHalfEven(t.cc * factor),
        nc: roundHalfEven(t.nc * factor),
        tt: t.tt * factor,
        ct: t.ct * factor,
      };
    }
  }
  for (const c of guessed) exact.push(c);
  return { node, children: exact, next: 0, origin, level, pcount, frame, via };
}

interface BackVisit {
  /** Functions at this level with the widths they get, in key order. */
  readonly items: Array<{ node: number; timing: Timing; w: number }>;
  next: number;
  origin: number;
  readonly level: number;
  /** The function whose callers these are (-1 at level 0). */
  readonly to: number;
}

function invertedFrames(profile: CallGraphProfile, g: Graph, threshold: number, budget: FrameBudget): Frame[] {
  const frames: Frame[] = [];
  const fs = profile.functions;
  const maxw = g.total;
  // The path holds (f, to) pairs; at level 0 `to` is none.
  const onPath = new Set<number>();
  const pairId = (f: number, to: number): number => f * (g.n + 1) + (to < 0 ? g.n : to);

  const level0 = fs.map((_, i) => i).sort((a, b) => compareKeys(fs, a, b));
  const stack: BackVisit[] = [
    { items: level0.map((i) => ({ node: i, timing: fs[i].stat, w: fs[i].stat.tt })), next: 0, origin: 0, level: 0, to: -1 },
  ];
  const pathKeys: number[] = [-1];

  while (stack.length > 0) {
    const v = stack[stack.length - 1];
    if (v.next === v.items.length) {
      stack.pop();
      const key = pathKeys.pop()!;
      if (key >= 0) onPath.delete(key);
      continue;
    }
    const item = v.items[v.next++];
    const origin = v.origin;
    v.origin += item.w;
    if (item.w / maxw > threshold) {
      budget.take();
      const color: FrameColor = v.level > 0 ? 'caller' : g.callees[item.node].length === 0 ? 'calleeless' : 'normal';
      const t = item.timing;
      frames.push({
        level: v.level,
        x: origin,
        w: item.w,
        func: item.node,
        color,
        cc: t.cc,
        nc: t.nc,
        tt: t.tt,
        ct: t.ct,
        self: t.tt,
      });
      const key = pairId(item.node, v.to);
      if (!onPath.has(key)) {
        onPath.add(key);
        pathKeys.push(key);
        stack.push(callersVisit(g, item.node, item.w, v.level + 1, origin));
      }
    }
  }
  return frames;
}

function callersVisit(g: Graph, to: number, pw: number, level: number, origin: number): BackVisit {
  // The sum runs over callers in dump order, as the reference sums them.
  let sum = 0;
  for (const c of g.callers[to]) sum += c.timing.ct;
  // The reference divides by zero here; with nothing to share, callers get no width.
  const factor = g.callers[to].length === 0 ? 1 : sum === 0 ? 0 : pw / sum;
  const items = g.callersSorted[to].map((c) => ({ node: c.node, timing: c.timing, w: c.timing.ct * factor }));
  return { items, next: 0, origin, level, to };
}
