/**
 * Several profiles as one, as `pstats.Stats(a, b, ...)` merges dumps: the CLI's many inputs.
 */
import { FlameprofError, InputError } from '../errors';
import { keyId, type CallEdge, type CallGraphProfile, type FuncKey, type Profile, type SampledProfile, type SampledStack, type Timing } from '../model/profile';

/** Profiles of one kind merged; a mix of call graphs and sampled stacks is an error. */
export function mergeProfiles(profiles: Profile[]): Profile {
  if (profiles.length === 0) throw new FlameprofError('no profile given');
  if (profiles.length === 1) return profiles[0];
  if (profiles.every((p): p is CallGraphProfile => p.kind === 'callgraph')) return mergeCallGraphs(profiles);
  if (profiles.every((p): p is SampledProfile => p.kind === 'sampled')) return mergeSampled(profiles);
  throw new InputError('cannot merge profiles of different kinds (pstats dumps with sampled stacks)');
}

/**
 * Merge dumps as `pstats.Stats(a, b, ...)` does: functions and callers in first-seen order,
 * counts and times summed.
 */
export function mergeCallGraphs(profiles: CallGraphProfile[]): CallGraphProfile {
  if (profiles.length === 1) return profiles[0];
  const index = new Map<string, number>();
  const functions: Array<{ key: FuncKey; stat: Timing; callers: CallEdge[] }> = [];
  for (const p of profiles) {
    const local = p.functions.map((f) => {
      const id = keyId(f.key);
      let i = index.get(id);
      if (i === undefined) {
        i = functions.length;
        index.set(id, i);
        functions.push({ key: f.key, stat: { cc: 0, nc: 0, tt: 0, ct: 0 }, callers: [] });
      }
      return i;
    });
    p.functions.forEach((f, j) => {
      const target = functions[local[j]];
      target.stat = add(f.stat, target.stat);
      for (const e of f.callers) {
        const caller = local[e.caller];
        const k = target.callers.findIndex((c) => c.caller === caller);
        if (k < 0) {
          target.callers.push({ caller, timing: e.timing, estimated: e.estimated });
        } else {
          const old = target.callers[k];
          if (old.estimated !== e.estimated) {
            throw new InputError('cannot merge a cProfile dump with a dump of the pure-Python profile module');
          }
          target.callers[k] = { caller, timing: add(e.timing, old.timing), estimated: e.estimated };
        }
      }
    });
  }
  return { kind: 'callgraph', functions, pythonVersion: profiles[0].pythonVersion };
}

function add(a: Timing, b: Timing): Timing {
  return { cc: a.cc + b.cc, nc: a.nc + b.nc, tt: a.tt + b.tt, ct: a.ct + b.ct };
}

/** Sampled profiles together: functions by key in first-seen order, stacks one after another. */
export function mergeSampled(profiles: SampledProfile[]): SampledProfile {
  const funcs: FuncKey[] = [];
  const index = new Map<string, number>();
  const stacks: SampledStack[] = [];
  const warnings: string[] = [];
  for (const p of profiles) {
    const local = p.funcs.map((k) => {
      const id = keyId(k);
      let i = index.get(id);
      if (i === undefined) {
        i = funcs.length;
        funcs.push(k);
        index.set(id, i);
      }
      return i;
    });
    for (const s of p.stacks) stacks.push({ frames: s.frames.map((f) => local[f]), weight: s.weight });
    if (p.warnings) warnings.push(...p.warnings);
  }
  return { kind: 'sampled', funcs, stacks, warnings };
}
