/**
 * A call graph as objects, a function and an edge at a time: the one conversion between the
 * model's columns and the shape that is easy to write by hand or to inspect, for tests and
 * library users. Nothing in the pipeline uses it.
 */
import { CallGraphBuilder, funcKey, type CallGraphProfile, type FuncKey } from './profile';

/** Calls and times as pstats keeps them: primitive calls, all calls, own and cumulative time. */
export interface Timing {
  cc: number;
  nc: number;
  tt: number;
  ct: number;
}

/** One call edge `caller -> callee` with the timing of calls made along it. */
export interface CallEdge {
  /** Index of the caller in the list of functions. */
  readonly caller: number;
  readonly timing: Timing;
  /** The dump held only a call count for this edge (CallGraphColumns.estimated). */
  readonly estimated: boolean;
}

export interface FunctionStats {
  readonly key: FuncKey;
  readonly stat: Timing;
  /** Callers in dump order. Empty for a root. */
  readonly callers: CallEdge[];
}

/** The functions of a call graph as objects, in its order. */
export function callGraphObjects(p: CallGraphProfile): FunctionStats[] {
  const out: FunctionStats[] = [];
  for (let i = 0; i < p.count; i++) {
    const callers: CallEdge[] = [];
    for (let e = p.edgeStart[i]; e < p.edgeStart[i + 1]; e++) {
      callers.push({ caller: p.caller[e], timing: { cc: p.ecc[e], nc: p.enc[e], tt: p.ett[e], ct: p.ect[e] }, estimated: p.estimated[e] === 1 });
    }
    out.push({ key: funcKey(p, i), stat: { cc: p.cc[i], nc: p.nc[i], tt: p.tt[i], ct: p.ct[i] }, callers });
  }
  return out;
}

/** A call graph made from functions as objects (callers refer to their index in `functions`). */
export function callGraphFromObjects(functions: readonly FunctionStats[], pythonVersion: 2 | 3 = 3): CallGraphProfile {
  const b = new CallGraphBuilder();
  // Every function first, so that indices stay those of the list (keys are unique).
  for (const f of functions) b.fn(f.key.file, f.key.line, f.key.name);
  functions.forEach((f, i) => {
    b.setStats(i, f.stat.cc, f.stat.nc, f.stat.tt, f.stat.ct);
    for (const e of f.callers) b.edge(i, e.caller, e.timing.cc, e.timing.nc, e.timing.tt, e.timing.ct, e.estimated, 'replace');
  });
  return b.build(pythonVersion);
}
