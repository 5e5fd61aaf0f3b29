/**
 * The timing estimator: call graph -> frames, exactly as flameprof 0.4 does it
 * (docs/how-it-works.md).
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
import { CALLEELESS, CALLER, FrameBudget, FrameColumns, GUESSED, NORMAL, type FrameOptions, type FrameSet } from './frame-set';
import { keyRanks } from '../model/keys';
import { funcKey, funcLabel, type CallGraphColumns, type CallGraphProfile } from '../model/profile';
import { roundHalfEven } from '../model/pynum';
import { InputError } from '../errors';

/**
 * How far past the total a frame may reach (in multiples of it). A consistent dump stays
 * within a few; beyond this, inconsistent times would scale to Infinity pixels.
 */
const MAX_EXTENT = 1e250;

/** Stop at a frame (of function `f`) whose times are out of all proportion to the total. */
function checkExtent(end: number, total: number, c: CallGraphColumns, f: number): void {
  if (!(end / total < MAX_EXTENT)) {
    throw new InputError(`${funcLabel(funcKey(c, f))}: its time reaches ${end} s against a total of ${total} s: the profile's times are not consistent`);
  }
}

export type EstimateOptions = FrameOptions;

/**
 * The graph in the shape both traversals want: flat arrays, so that a walk producing
 * 100,000+ frames allocates nothing per frame (frames go into columns). Node `n` is the pseudo-node `root`.
 * Edge `j` (an index into the per-edge arrays) is one caller -> callee entry of the dump,
 * or root -> a root function; edges are grouped by caller and, within a caller, ordered by
 * the callee's key, which is the order the reference visits children in.
 */
interface Graph {
  readonly n: number;
  /** The profile's own columns: keys (error messages name them) and per-function totals. */
  readonly columns: CallGraphColumns;
  /** Callees of node p are edges calleeStart[p] .. calleeStart[p + 1] - 1. */
  readonly calleeStart: Int32Array;
  readonly child: Int32Array;
  /** Edge timings (profile-module edges already given their share of the callee's times). */
  readonly cc: Float64Array;
  readonly nc: Float64Array;
  readonly tt: Float64Array;
  readonly ct: Float64Array;
  /** The dump held only a call count for this edge (profile module): its times are a share. */
  readonly estimated: Uint8Array;
  /** Per node: some callee edge is `estimated`. */
  readonly hasEstimated: Uint8Array;
  /** Per node p: count(p, c) for every callee c, i.e. in how many places p is drawn. */
  readonly visits: Float64Array;
  /** Callers of function f, by key: entries callerStart[f] .. callerStart[f + 1] - 1. */
  readonly callerStart: Int32Array;
  readonly callerEdge: Int32Array;
  readonly callerNode: Int32Array;
  /** Path key of the (caller, f) pair; a pair listed twice shares one key, as in the reference. */
  readonly callerPair: Int32Array;
  /** Per function: the sum of its callers' edge ct, in dump order (the order the reference adds). */
  readonly callerCtSum: Float64Array;
  /** Every function, by key. */
  readonly order: Int32Array;
  readonly total: number;
}

export function estimateFrames(profile: CallGraphProfile, opts: EstimateOptions): FrameSet {
  const warnings: string[] = [];
  const funcs = [];
  for (let i = 0; i < profile.count; i++) {
    const key = funcKey(profile, i);
    funcs.push({ key, label: funcLabel(key) });
  }
  const frames = { funcs, total: 0, unit: 'seconds' as const, warnings, fromStacks: false, profile };
  const graph = buildGraph(profile, warnings);
  if (graph === undefined) return { ...frames, flame: new FrameColumns(1), inverted: new FrameColumns(1) };
  const threshold = opts.threshold / 100;
  const budget = new FrameBudget(opts);
  const flame = flameFrames(graph, threshold, budget);
  const inverted = invertedFrames(graph, threshold, budget);
  return { ...frames, flame, inverted, total: graph.total };
}

function buildGraph(c: CallGraphColumns, warnings: string[]): Graph | undefined {
  const n = c.count;
  const root = n;
  const callers = (f: number): number => c.edgeStart[f + 1] - c.edgeStart[f];

  const roots: number[] = [];
  for (let f = 0; f < n; f++) if (callers(f) === 0) roots.push(f);
  const dumpEdges = c.edgeStart[n];

  let rootsum = 0;
  for (const r of roots) rootsum += c.ct[r];
  let selfsum = 0;
  for (let f = 0; f < n; f++) selfsum += c.tt[f];
  if (!Number.isFinite(selfsum) || !Number.isFinite(rootsum)) {
    throw new InputError("the functions' times add up to more than a number can hold");
  }
  if (selfsum === 0) {
    warnings.push('the profile holds no time (its functions\' own times add up to 0): nothing to draw');
    return undefined;
  }
  const rootsOff = !(rootsum / selfsum > 0.8 && rootsum / selfsum < 1.2);

  // The reference then tries the biggest non-root as an extra root, and falls back to the
  // sum of own times as 100 % when that does not help (usually: see the spec).
  const rootChildren = roots.slice();
  let candidate = -1;
  for (let i = 0; i < n; i++) {
    if (callers(i) > 0 && (candidate < 0 || c.ct[i] > c.ct[candidate])) candidate = i;
  }
  let total = selfsum;
  let extraRoot = -1;
  if (candidate >= 0) {
    const ntotal = rootsum + c.ct[candidate];
    if (ntotal / selfsum > 0.8 && ntotal / selfsum < 1.2) {
      rootChildren.push(candidate);
      total = ntotal;
      extraRoot = candidate;
    }
  }
  const said = rootsOff ? rootsWarning(c, roots, rootsum, selfsum, extraRoot) : undefined;
  if (said !== undefined) warnings.push(said);

  // Sort the functions once; every list below is then filled in key order directly, with
  // no comparisons (function keys are unique within a profile).
  const rank = keyRanks(c);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[rank[i]] = i;

  const m = dumpEdges + rootChildren.length;
  const calleeStart = new Int32Array(n + 2);
  for (let e = 0; e < dumpEdges; e++) calleeStart[c.caller[e] + 1]++;
  calleeStart[root + 1] = rootChildren.length;
  for (let p = 0; p <= n; p++) calleeStart[p + 1] += calleeStart[p];
  const fill = calleeStart.slice(0, n + 1);
  const child = new Int32Array(m);
  const cc = new Float64Array(m);
  const nc = new Float64Array(m);
  const tt = new Float64Array(m);
  const ct = new Float64Array(m);
  const estimated = new Uint8Array(m);
  const hasEstimated = new Uint8Array(n + 1);
  const callerCtSum = new Float64Array(n);
  // Callees in key order: visit callees by key, append each to its callers' lists. A caller
  // listed twice keeps the order of its entries, as a stable sort would.
  for (let r = 0; r < n; r++) {
    const f = order[r];
    let sum = 0;
    for (let e = c.edgeStart[f]; e < c.edgeStart[f + 1]; e++) {
      const p = c.caller[e];
      const j = fill[p]++;
      child[j] = f;
      cc[j] = c.ecc[e];
      nc[j] = c.enc[e];
      if (c.estimated[e] === 1) {
        // Profile-module edges carry a call count only: share the callee's times.
        const share = c.nc[f] === 0 ? 0 : c.enc[e] / c.nc[f];
        tt[j] = c.tt[f] * share;
        ct[j] = c.ct[f] * share;
        estimated[j] = 1;
        hasEstimated[p] = 1;
      } else {
        tt[j] = c.ett[e];
        ct[j] = c.ect[e];
      }
      sum += ct[j];
    }
    // Callers were visited in dump order: the sum adds up as the reference's does.
    callerCtSum[f] = sum;
  }
  rootChildren.sort((a, b) => rank[a] - rank[b]);
  for (const f of rootChildren) {
    const j = fill[root]++;
    child[j] = f;
    cc[j] = c.cc[f];
    nc[j] = c.nc[f];
    tt[j] = c.tt[f];
    ct[j] = c.ct[f];
  }

  // count(p, c) is the number of times the reference's counting walk visits p, which is
  // one per reachable edge into p (it descends an edge only the first time it counts it).
  const visits = new Float64Array(n + 1);
  const reached = new Uint8Array(n + 1);
  visits[root] = 1;
  reached[root] = 1;
  const queue = new Int32Array(n + 1);
  queue[0] = root;
  let tail = 1;
  for (let q = 0; q < tail; q++) {
    const p = queue[q];
    for (let j = calleeStart[p]; j < calleeStart[p + 1]; j++) {
      const c = child[j];
      visits[c]++;
      if (!reached[c]) {
        reached[c] = 1;
        queue[tail++] = c;
      }
    }
  }

  // Callers in key order, the same way round: walk callers by key, append to their callees.
  const callerStart = new Int32Array(n + 1);
  for (let j = 0; j < calleeStart[root]; j++) callerStart[child[j] + 1]++;
  for (let f = 0; f < n; f++) callerStart[f + 1] += callerStart[f];
  const at = callerStart.slice(0, n);
  const callerEdge = new Int32Array(dumpEdges);
  const callerNode = new Int32Array(dumpEdges);
  const callerPair = new Int32Array(dumpEdges);
  for (let r = 0; r < n; r++) {
    const p = order[r];
    for (let j = calleeStart[p]; j < calleeStart[p + 1]; j++) {
      const c = child[j];
      const k = at[c]++;
      callerEdge[k] = j;
      callerNode[k] = p;
      callerPair[k] = k > callerStart[c] && callerNode[k - 1] === p ? callerPair[k - 1] : k;
    }
  }

  return {
    n,
    columns: c,
    calleeStart,
    child,
    cc,
    nc,
    tt,
    ct,
    estimated,
    hasEstimated,
    visits,
    callerStart,
    callerEdge,
    callerNode,
    callerPair,
    callerCtSum,
    order,
    total,
  };
}

/** What the profilers themselves leave in a dump: cProfile's `disable`, the profile module's `profiler`. */
function isProfilerEntry(c: CallGraphColumns, f: number): boolean {
  const file = c.strings[c.file[f]];
  const name = c.strings[c.name[f]];
  return (file === '~' && /^<(method|built-in method) '?(_lsprof\.Profiler\.)?disable'? ?(of '_lsprof\.Profiler' objects)?>$/.test(name)) || (file === 'profile' && name === 'profiler');
}

/**
 * flameprof's "can't find proper roots", said only when it matters: when the roots, with
 * flameprof's extra root, do not add up to the 100 % (the sum of own times), so that the
 * flame's bottom row does not fill the width and time a user would look for is not where
 * they look. When an extra root makes them add up (a dump of `python -m cProfile` or of the
 * profile module, whose only root is the profiler's own entry) nothing is said.
 */
function rootsWarning(c: CallGraphColumns, roots: number[], rootsum: number, selfsum: number, extraRoot: number): string | undefined {
  if (extraRoot >= 0) return undefined;
  const nameOf = (f: number): string => c.strings[c.name[f]];
  const named = roots.filter((f) => !isProfilerEntry(c, f));
  const which = named.length === 0 ? 'none but the profiler' : named.length <= 2 ? named.map(nameOf).join(' and ') : `${named.length} functions`;
  const share = `${Number(((100 * rootsum) / selfsum).toPrecision(3))} %`;
  if (rootsum < selfsum) {
    return (
      `the flame's bottom row holds ${share} of the time: the functions nobody calls (${which}) take ${seconds(rootsum)} of ${seconds(selfsum)} ` +
      "(profiling started inside running code?). The inverted section and the report's table hold all of it; " +
      'for whole stacks, profile from the start (flameprof -r, or python -m cProfile)'
    );
  }
  return (
    `the flame's bottom row is ${share} of the width: the functions nobody calls (${which}) take ${seconds(rootsum)}, ` +
    `but the own times add up to ${seconds(selfsum)}, so the dump's times do not agree (a merge of unrelated runs?). ` +
    "The inverted section and the report's table hold the dump's own numbers"
  );
}

/** A time in seconds, to 3 significant digits, in the unit that reads best. */
function seconds(s: number): string {
  const a = Math.abs(s);
  const [scale, unit] = a >= 1 || a === 0 ? [1, 's'] : a >= 1e-3 ? [1e3, 'ms'] : a >= 1e-6 ? [1e6, 'µs'] : [1e9, 'ns'];
  return `${Number((s * scale).toPrecision(3))} ${unit}`;
}

/** An open `visit` of the flame walk. Entries are reused: the walk allocates nothing per frame. */
interface FlameVisit {
  node: number;
  /** Next callee edge to look at, and the end of the node's callee edges. */
  next: number;
  end: number;
  /** 0: exact children (k == 1); 1: guessed ones (k > 1), which the reference takes second. */
  phase: number;
  /** max(count(node, .), pcount): k of every child but profile-module ones (at least 2). */
  base: number;
  /** What guessed children's times are multiplied by. */
  factor: number;
  origin: number;
  level: number;
  pcount: number;
  /** The frame drawn for `node` (its index), or -1: small children add their time to its `self`. */
  frame: number;
  /** The edge that led here, marked on the path while this visit is open. */
  via: number;
}

function flameFrames(g: Graph, threshold: number, budget: FrameBudget): FrameColumns {
  const frames = new FrameColumns();
  const maxw = g.total;
  const onPath = new Uint8Array(g.child.length);
  const stack: FlameVisit[] = [];
  let depth = 0;

  /** Start visiting `node`: where its children are, and the share-out of guessed ones. */
  const open = (
    node: number,
    ctP: number,
    ttP: number,
    level: number,
    origin: number,
    pcount: number,
    frame: number,
    via: number,
  ): void => {
    const start = g.calleeStart[node];
    const end = g.calleeStart[node + 1];
    const base = Math.max(g.visits[node], pcount);
    const mixed = base === 1 && g.hasEstimated[node] === 1;
    let factor = 1;
    if (base > 1 || mixed) {
      // The reference adds exact and guessed children's ct separately, each in key order.
      let gctc = 0;
      let bctc = 0;
      for (let j = start; j < end; j++) {
        if (base > 1 || g.estimated[j]) bctc += g.ct[j];
        else gctc += g.ct[j];
      }
      const rest = ctP - ttP - gctc;
      factor = bctc !== 0 ? rest / bctc : 1;
    }
    let v = stack[depth];
    if (v === undefined) {
      v = { node, next: 0, end: 0, phase: 0, base: 0, factor: 0, origin: 0, level: 0, pcount: 0, frame: -1, via: 0 };
      stack[depth] = v;
    }
    depth++;
    v.node = node;
    v.next = start;
    v.end = end;
    v.phase = base > 1 ? 1 : 0;
    v.base = base;
    v.factor = factor;
    v.origin = origin;
    v.level = level;
    v.pcount = pcount;
    v.frame = frame;
    v.via = via;
  };

  open(g.n, maxw, maxw, 0, 0, 1, -1, -1);
  while (depth > 0) {
    const v = stack[depth - 1];
    if (v.next === v.end) {
      if (v.phase === 0 && g.hasEstimated[v.node] === 1) {
        // Exact children done; now the profile-module ones, which are guessed.
        v.phase = 1;
        v.next = g.calleeStart[v.node];
        continue;
      }
      depth--;
      v.frame = -1;
      if (v.via >= 0) onPath[v.via] = 0;
      continue;
    }
    const j = v.next++;
    let k: number;
    if (v.phase === 0) {
      if (g.estimated[j]) continue;
      k = 1;
    } else {
      k = g.estimated[j] ? Math.max(v.base, 2) : v.base;
      if (k === 1) continue;
    }
    let ct = g.ct[j];
    let tt = g.tt[j];
    let cc = g.cc[j];
    let nc = g.nc[j];
    if (k > 1) {
      const factor = v.factor;
      cc = roundHalfEven(cc * factor);
      nc = roundHalfEven(nc * factor);
      tt = tt * factor;
      ct = ct * factor;
    }
    const origin = v.origin;
    v.origin += ct;
    if (ct / maxw > threshold) {
      budget.take(v.level);
      checkExtent(origin + ct, maxw, g.columns, g.child[j]);
      const color = v.pcount === 1 && k > 1 ? GUESSED : NORMAL;
      const frame = frames.add(v.level, origin, ct, g.child[j], color, cc, nc, tt, ct);
      if (!onPath[j]) {
        onPath[j] = 1;
        open(g.child[j], ct, tt, v.level + 1, origin, k, frame, j);
      }
    } else if (v.frame >= 0) {
      frames.self[v.frame] += ct;
    }
  }
  return frames;
}

/** An open `back` call of the inverted walk (reused, like FlameVisit). */
interface BackVisit {
  /** The function whose callers these are; -1 at level 0, where the items are all functions. */
  to: number;
  next: number;
  end: number;
  /** Width of an item: its ct times this (level > 0). */
  factor: number;
  origin: number;
  level: number;
  /** The (item, to) path key marked while this visit is open, or -1. */
  pathKey: number;
}

function invertedFrames(g: Graph, threshold: number, budget: FrameBudget): FrameColumns {
  const frames = new FrameColumns();
  const c = g.columns;
  const maxw = g.total;
  // Path keys: callerPair values for (caller, f) pairs, then one per function for (f, none).
  const level0Key = g.callerEdge.length;
  const onPath = new Uint8Array(level0Key + g.n);
  const stack: BackVisit[] = [{ to: -1, next: 0, end: g.n, factor: 1, origin: 0, level: 0, pathKey: -1 }];
  let depth = 1;

  while (depth > 0) {
    const v = stack[depth - 1];
    if (v.next === v.end) {
      depth--;
      if (v.pathKey >= 0) onPath[v.pathKey] = 0;
      continue;
    }
    const i = v.next++;
    let node: number;
    let w: number;
    let cc: number;
    let nc: number;
    let tt: number;
    let ct: number;
    let key: number;
    if (v.to < 0) {
      node = g.order[i];
      cc = c.cc[node];
      nc = c.nc[node];
      tt = c.tt[node];
      ct = c.ct[node];
      w = tt;
      key = level0Key + node;
    } else {
      node = g.callerNode[i];
      const j = g.callerEdge[i];
      cc = g.cc[j];
      nc = g.nc[j];
      tt = g.tt[j];
      ct = g.ct[j];
      w = ct * v.factor;
      key = g.callerPair[i];
    }
    const origin = v.origin;
    v.origin += w;
    if (w / maxw > threshold) {
      budget.take(v.level);
      checkExtent(origin + w, maxw, g.columns, node);
      const color = v.level > 0 ? CALLER : g.calleeStart[node + 1] === g.calleeStart[node] ? CALLEELESS : NORMAL;
      frames.add(v.level, origin, w, node, color, cc, nc, tt, ct);
      if (!onPath[key]) {
        onPath[key] = 1;
        const start = g.callerStart[node];
        const end = g.callerStart[node + 1];
        // The reference divides by zero here; with nothing to share, callers get no width.
        const sum = g.callerCtSum[node];
        const factor = end === start ? 1 : sum === 0 ? 0 : w / sum;
        let u = stack[depth];
        if (u === undefined) {
          u = { to: 0, next: 0, end: 0, factor: 0, origin: 0, level: 0, pathKey: 0 };
          stack[depth] = u;
        }
        depth++;
        u.to = node;
        u.next = start;
        u.end = end;
        u.factor = factor;
        u.origin = origin;
        u.level = v.level + 1;
        u.pathKey = key;
      }
    }
  }
  return frames;
}
