/**
 * Several profiles as one, as `pstats.Stats(a, b, ...)` merges dumps: the CLI's many inputs,
 * a folder's profiles, and `flameprof serve`'s merges. One profile at a time (ProfileMerger),
 * so that a merge of thousands holds one decoded profile and the sum.
 */
import { FlameprofError, InputError } from '../errors';
import { CallGraphBuilder, SampledBuilder, type CallGraphProfile, type Profile, type SampledProfile } from '../model/profile';

/** Profiles of one kind merged; a mix of call graphs and sampled stacks is an error. */
export function mergeProfiles(profiles: Profile[]): Profile {
  const m = new ProfileMerger();
  for (const p of profiles) m.add(p);
  return m.result();
}

/** Dumps merged as `pstats.Stats(a, b, ...)` merges them (see ProfileMerger). */
export function mergeCallGraphs(profiles: CallGraphProfile[]): CallGraphProfile {
  return mergeProfiles(profiles) as CallGraphProfile;
}

/** Sampled profiles merged (see ProfileMerger). */
export function mergeSampled(profiles: SampledProfile[]): SampledProfile {
  return mergeProfiles(profiles) as SampledProfile;
}

/**
 * Profiles added one by one and merged: dumps as pstats merges them (functions and callers in
 * first-seen order, counts and times summed, in the order added, so that sums agree to the
 * last bit with the CLI's over the same files); sampled stacks by key, weights summed. One
 * profile alone is itself.
 */
export class ProfileMerger {
  private first: Profile | undefined;
  private kind: Profile['kind'] | undefined;
  private unit: 'samples' | 'seconds' = 'samples';
  private pythonVersion: CallGraphProfile['pythonVersion'] = 3;
  private graph: CallGraphBuilder | undefined;
  private stacks: SampledBuilder | undefined;
  private readonly warnings: string[] = [];
  private sources: string[] | undefined = [];
  private format: string | undefined;
  private added = 0;

  get count(): number {
    return this.added;
  }

  /** Why `p` cannot be merged with the profiles added so far, or undefined when it can. */
  refusal(p: Profile): string | undefined {
    if (this.kind === undefined) return undefined;
    if (p.kind !== this.kind) return 'cannot merge profiles of different kinds (pstats dumps with sampled stacks)';
    if (p.kind === 'sampled' && (p.unit ?? 'samples') !== this.unit) return 'cannot merge profiles of times with profiles of sample counts';
    return undefined;
  }

  add(p: Profile): void {
    const why = this.refusal(p);
    if (why !== undefined) throw new InputError(why);
    this.added++;
    this.sources = this.sources !== undefined && p.sources !== undefined ? [...this.sources, ...p.sources] : undefined;
    this.format = this.added === 1 || p.format === this.format ? p.format : undefined;
    if (p.kind === 'sampled' && p.warnings) this.warnings.push(...p.warnings);
    if (this.added === 1) {
      this.first = p;
      this.kind = p.kind;
      if (p.kind === 'sampled') this.unit = p.unit ?? 'samples';
      else this.pythonVersion = p.pythonVersion;
      return;
    }
    if (this.first !== undefined) {
      // The second profile: from here on, sums.
      const first = this.first;
      this.first = undefined;
      if (first.kind === 'callgraph') this.graph = new CallGraphBuilder();
      else this.stacks = new SampledBuilder();
      this.merge(first);
    }
    this.merge(p);
  }

  result(): Profile {
    if (this.added === 0) throw new FlameprofError('no profile given');
    if (this.first !== undefined) return this.first;
    const rest = { sources: this.sources, format: this.format };
    if (this.graph !== undefined) return { ...this.graph.build(this.pythonVersion), ...rest };
    return { ...this.stacks!.build({ unit: this.unit, warnings: this.warnings }), ...rest };
  }

  private merge(p: Profile): void {
    if (p.kind === 'sampled') {
      const out = this.stacks!;
      const local = p.funcs.map((k) => out.func(k));
      for (const s of p.stacks) out.add(s.frames.map((f) => local[f]), s.weight);
      return;
    }
    const graph = this.graph!;
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
}
