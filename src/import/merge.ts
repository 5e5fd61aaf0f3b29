/**
 * Several profiles as one, as `pstats.Stats(a, b, ...)` merges dumps: the CLI's many inputs.
 */
import { FlameprofError, InputError } from '../errors';
import { CallGraphBuilder, SampledBuilder, type CallGraphProfile, type Profile, type SampledProfile } from '../model/profile';

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
  const graph = new CallGraphBuilder();
  for (const p of profiles) {
    const local = new Int32Array(p.count);
    for (let i = 0; i < p.count; i++) local[i] = graph.fn(p.strings[p.file[i]], p.line[i], p.strings[p.name[i]]);
    for (let i = 0; i < p.count; i++) {
      graph.addStats(local[i], p.cc[i], p.nc[i], p.tt[i], p.ct[i]);
      for (let e = p.edgeStart[i]; e < p.edgeStart[i + 1]; e++) {
        const estimated = p.estimated[e] === 1;
        const before = graph.edge(local[i], local[p.caller[e]], p.ecc[e], p.enc[e], p.ett[e], p.ect[e], estimated, 'add');
        if (before !== undefined && before !== estimated) {
          throw new InputError('cannot merge a cProfile dump with a dump of the pure-Python profile module');
        }
      }
    }
  }
  return { ...graph.build(profiles[0].pythonVersion), sources: sourcesOf(profiles), format: formatOf(profiles) };
}

/** Sampled profiles together: functions by key in first-seen order, the weights of a stack summed. */
export function mergeSampled(profiles: SampledProfile[]): SampledProfile {
  const unit = profiles[0].unit ?? 'samples';
  if (profiles.some((p) => (p.unit ?? 'samples') !== unit)) throw new InputError('cannot merge profiles of times with profiles of sample counts');
  const out = new SampledBuilder();
  const warnings: string[] = [];
  for (const p of profiles) {
    const local = p.funcs.map((k) => out.func(k));
    for (const s of p.stacks) out.add(s.frames.map((f) => local[f]), s.weight);
    if (p.warnings) warnings.push(...p.warnings);
  }
  return { ...out.build({ unit, warnings }), sources: sourcesOf(profiles), format: formatOf(profiles) };
}

/** The format all the profiles were read from, if one. */
function formatOf(profiles: readonly Profile[]): string | undefined {
  return profiles.every((p) => p.format !== undefined && p.format === profiles[0].format) ? profiles[0].format : undefined;
}

/** Every input the profiles came from, when they all say. */
function sourcesOf(profiles: readonly Profile[]): readonly string[] | undefined {
  return profiles.every((p) => p.sources !== undefined) ? profiles.flatMap((p) => p.sources!) : undefined;
}
