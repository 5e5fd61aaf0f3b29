/**
 * The profile's exact numbers: per function and per caller -> callee edge, as the dump
 * recorded them (pstats: the call graph's own columns, not a copy) or as counted from whole
 * stacks (sampled). The report's table, sandwich and call graph are drawn from these, never
 * from the estimate. Function indices are the profile's, which are those of `FrameSet.funcs`.
 */
import type { CallGraphProfile, Profile, SampledProfile } from '../model/profile';

export interface ExactStats {
  /** Per function: primitive calls, all calls, own time, cumulative time (samples for sampled profiles, calls 0). */
  readonly cc: Float64Array;
  readonly nc: Float64Array;
  readonly tt: Float64Array;
  readonly ct: Float64Array;
  /** Per edge: the caller's and the callee's index, and the timing of calls along it. */
  readonly edges: {
    readonly caller: Int32Array;
    readonly callee: Int32Array;
    readonly cc: Float64Array;
    readonly nc: Float64Array;
    readonly tt: Float64Array;
    readonly ct: Float64Array;
  };
}

// Made once per profile: a report's size bound and the report itself both ask.
const made = new WeakMap<Profile, ExactStats>();

export function exactStats(profile: Profile): ExactStats {
  let stats = made.get(profile);
  if (stats === undefined) {
    stats = profile.kind === 'callgraph' ? fromCallGraph(profile) : fromStacks(profile);
    made.set(profile, stats);
  }
  return stats;
}

/** A call graph's own columns, with each edge's callee spelled out (the columns group edges by it). */
function fromCallGraph(p: CallGraphProfile): ExactStats {
  const callee = new Int32Array(p.caller.length);
  for (let f = 0; f < p.count; f++) callee.fill(f, p.edgeStart[f], p.edgeStart[f + 1]);
  return { cc: p.cc, nc: p.nc, tt: p.tt, ct: p.ct, edges: { caller: p.caller, callee, cc: p.ecc, nc: p.enc, tt: p.ett, ct: p.ect } };
}

/**
 * Sampled stacks: own = samples with the function innermost; cumulative = samples with the
 * function anywhere in the stack, once per stack (recursion is not counted twice); an edge's
 * cumulative = samples whose stack holds that call, once per stack, and its own = samples
 * with the callee innermost right under that caller. There are no call counts.
 */
function fromStacks(profile: SampledProfile): ExactStats {
  const n = profile.funcs.length;
  const tt = new Float64Array(n);
  const ct = new Float64Array(n);
  const seen = new Int32Array(n).fill(-1);
  const edgeIndex = new Map<number, number>();
  const pairs: number[] = [];
  const ett: number[] = [];
  const ect: number[] = [];
  const edgeSeen: number[] = [];
  profile.stacks.forEach((s, k) => {
    const fr = s.frames;
    if (fr.length === 0) return;
    tt[fr[fr.length - 1]] += s.weight;
    for (let i = 0; i < fr.length; i++) {
      const f = fr[i];
      if (seen[f] !== k) {
        seen[f] = k;
        ct[f] += s.weight;
      }
      if (i === 0) continue;
      const id = fr[i - 1] * n + f;
      let e = edgeIndex.get(id);
      if (e === undefined) {
        e = pairs.length / 2;
        edgeIndex.set(id, e);
        pairs.push(fr[i - 1], f);
        ett.push(0);
        ect.push(0);
        edgeSeen.push(-1);
      }
      if (edgeSeen[e] !== k) {
        edgeSeen[e] = k;
        ect[e] += s.weight;
      }
      if (i === fr.length - 1) ett[e] += s.weight;
    }
  });
  const edges = newEdges(ett.length);
  for (let e = 0; e < ett.length; e++) {
    edges.caller[e] = pairs[2 * e];
    edges.callee[e] = pairs[2 * e + 1];
    edges.tt[e] = ett[e];
    edges.ct[e] = ect[e];
  }
  return { cc: new Float64Array(n), nc: new Float64Array(n), tt, ct, edges };
}

function newEdges(m: number): ExactStats['edges'] {
  return {
    caller: new Int32Array(m),
    callee: new Int32Array(m),
    cc: new Float64Array(m),
    nc: new Float64Array(m),
    tt: new Float64Array(m),
    ct: new Float64Array(m),
  };
}
