/**
 * The profile model every importer produces and every later stage reads.
 *
 * Two kinds of profile exist because the inputs know different things:
 * - a call graph (pstats dumps) knows per-function totals and per-edge totals, but not
 *   whole stacks, so frames below the first level are estimated. It is held as columns
 *   (typed arrays), its one shape: a dump holds an object per function and per edge
 *   otherwise, whose garbage collection cost more than reading the file, and ~1 KB of
 *   memory per edge. `objects.ts` converts to and from objects, for tests and library users.
 * - a sampled profile (plop, folded stacks) knows whole stacks with exact counts.
 */
import { KeyIndex } from './key-index';
import { keyId } from './keys';

/** A function as Python identifies it: `(file, line, name)`. */
export interface FuncKey {
  readonly file: string;
  readonly line: number;
  readonly name: string;
}

/**
 * A call graph as typed arrays: function `i` is `file[i]`, `line[i]`, `name[i]` and, as
 * pstats keeps them, `cc[i]` primitive (non-recursive) calls, `nc[i]` all calls, `tt[i]` own
 * time, `ct[i]` cumulative time. Its callers are edges `edgeStart[i]` .. `edgeStart[i + 1] - 1`,
 * in dump order, each with the timing of the calls made along it.
 */
export interface CallGraphColumns {
  /** How many functions. */
  readonly count: number;
  /** Distinct files and names; `file[i]` and `name[i]` index it. */
  readonly strings: readonly string[];
  readonly file: Int32Array;
  readonly line: Float64Array;
  readonly name: Int32Array;
  readonly cc: Float64Array;
  readonly nc: Float64Array;
  readonly tt: Float64Array;
  readonly ct: Float64Array;
  /** `count + 1` entries. */
  readonly edgeStart: Int32Array;
  /** Per edge: the caller's index, and the calls and times along it. */
  readonly caller: Int32Array;
  readonly ecc: Float64Array;
  readonly enc: Float64Array;
  readonly ett: Float64Array;
  readonly ect: Float64Array;
  /**
   * Per edge: 1 when the dump held only a call count (the pure-Python `profile` module): its
   * times are 0 here, and the estimator shares the callee's times out by call counts.
   */
  readonly estimated: Uint8Array;
}

export interface CallGraphProfile extends CallGraphColumns {
  readonly kind: 'callgraph';
  /** 2 or 3: the Python major version that wrote the dump (merged inputs: the first). */
  readonly pythonVersion: 2 | 3;
  /** The inputs it was read from, as named to the reader ('stdin' for standard input). */
  readonly sources?: readonly string[];
  /** The input format its reader read (an importer's name), when one reader read it all. */
  readonly format?: string;
}

export interface SampledStack {
  /** Indices into `SampledProfile.funcs`, outermost call first. */
  readonly frames: number[];
  /** Number of samples (or any non-negative weight) taken with exactly this stack. */
  readonly weight: number;
}

export interface SampledProfile {
  readonly kind: 'sampled';
  readonly funcs: FuncKey[];
  readonly stacks: SampledStack[];
  /**
   * What the weights are: sample counts ('samples', the default), or seconds (a pprof or
   * speedscope profile of times, a pyinstrument session).
   */
  readonly unit?: 'samples' | 'seconds';
  /** What the reader skipped or tolerated (e.g. malformed lines), to be shown on stderr. */
  readonly warnings?: string[];
  /** As CallGraphProfile.sources and format. */
  readonly sources?: readonly string[];
  readonly format?: string;
}

export type Profile = CallGraphProfile | SampledProfile;

/** The key of function `i`. */
export function funcKey(p: CallGraphColumns, i: number): FuncKey {
  return { file: p.strings[p.file[i]], line: p.line[i], name: p.strings[p.name[i]] };
}

/**
 * The largest time or count a profile may hold. Anything bigger is not a measurement, and
 * scaled into pixels it would overflow to `Infinity`.
 */
export const MAX_VALUE = 1e300;

/** What is wrong with a time or count read from a profile, or undefined if nothing is. */
export function badValue(v: number): string | undefined {
  if (Number.isNaN(v)) return 'not a number (NaN)';
  if (!(Math.abs(v) <= MAX_VALUE)) return `too large (${v}; at most 1e300)`;
  return undefined;
}

/** The label flameprof uses everywhere: `file:line:name`. */
export function funcLabel(key: FuncKey): string {
  return `${key.file}:${key.line}:${key.name}`;
}

/** The same profile as coming from `sources` (what its title and messages name). */
export function fromSources<P extends Profile>(p: P, sources: readonly string[]): P {
  return { ...p, sources };
}

/**
 * Sampled stacks gathered one by one, as every reader of stacks makes them: each function
 * (by key) and each stack kept once, in the order first met, so that memory grows with what
 * is distinct; a stack met again adds its weight, or with `replace` takes it (a plop dict
 * keeps a repeated key's last value, as Python does).
 */
export class SampledBuilder {
  private readonly funcs: FuncKey[] = [];
  private readonly byKey = new Map<string, number>();
  private readonly stacks: SampledStack[] = [];
  /** A stack's frames, joined -> its index in `stacks`. */
  private readonly byStack = new Map<string, number>();

  /** The index of the function `key`. */
  func(key: FuncKey): number {
    const id = keyId(key);
    let i = this.byKey.get(id);
    if (i === undefined) {
      i = this.funcs.length;
      this.funcs.push(key);
      this.byKey.set(id, i);
    }
    return i;
  }

  /** `weight` more with exactly these frames (function indices, outermost first). */
  add(frames: number[], weight: number, replace = false): void {
    const id = frames.join(',');
    const seen = this.byStack.get(id);
    if (seen === undefined) {
      this.byStack.set(id, this.stacks.length);
      this.stacks.push({ frames, weight });
    } else {
      this.stacks[seen] = { frames, weight: replace ? weight : this.stacks[seen].weight + weight };
    }
  }

  build(rest: Pick<SampledProfile, 'unit' | 'warnings'> = {}): SampledProfile {
    return { kind: 'sampled', funcs: this.funcs, stacks: this.stacks, ...rest };
  }
}

/**
 * A call graph built function by function and edge by edge, as the general pstats reader and
 * the merge of several dumps make one: functions in the order first met, each one's callers
 * in the order first met.
 */
export class CallGraphBuilder {
  private readonly index = new KeyIndex<string>();
  private readonly strings: string[] = [];
  private readonly stringIds = new Map<string, number>();
  private readonly file: number[] = [];
  private readonly line: number[] = [];
  private readonly name: number[] = [];
  private readonly stats: number[] = [];
  /** Per function: its caller edges, as indices into the per-edge arrays below. */
  private readonly callers: number[][] = [];
  private readonly edgeCaller: number[] = [];
  private readonly timings: number[] = [];
  private readonly estimated: number[] = [];
  /** (callee, caller) -> edge, so that an edge met again is found without a scan. */
  private readonly edgeOf = new Map<number, number>();

  /** The index of function (file, line, name), added with no calls and no time if new. */
  fn(file: string, line: number, name: string): number {
    let i = this.index.get(file, line, name);
    if (i < 0) {
      i = this.file.length;
      this.index.add(file, line, name, i);
      this.file.push(this.id(file));
      this.line.push(line);
      this.name.push(this.id(name));
      this.stats.push(0, 0, 0, 0);
      this.callers.push([]);
    }
    return i;
  }

  /** Set the calls and times of function `i`. */
  setStats(i: number, cc: number, nc: number, tt: number, ct: number): void {
    const s = this.stats;
    s[4 * i] = cc;
    s[4 * i + 1] = nc;
    s[4 * i + 2] = tt;
    s[4 * i + 3] = ct;
  }

  /** Add calls and times to function `i`. */
  addStats(i: number, cc: number, nc: number, tt: number, ct: number): void {
    const s = this.stats;
    s[4 * i] += cc;
    s[4 * i + 1] += nc;
    s[4 * i + 2] += tt;
    s[4 * i + 3] += ct;
  }

  /**
   * The edge `caller -> callee` with these calls and times: new, or added to the one met
   * before ('add', as pstats merges dumps) or replacing its numbers ('replace', as a Python
   * dict keeps the last value of a key written twice). Returns whether the edge was met before
   * and with what `estimated` flag, or undefined if it is new.
   */
  edge(callee: number, caller: number, cc: number, nc: number, tt: number, ct: number, estimated: boolean, how: 'add' | 'replace'): boolean | undefined {
    const id = callee * 2 ** 26 + caller;
    const e = this.edgeOf.get(id);
    if (e === undefined) {
      this.edgeOf.set(id, this.edgeCaller.length);
      this.callers[callee].push(this.edgeCaller.length);
      this.edgeCaller.push(caller);
      this.timings.push(cc, nc, tt, ct);
      this.estimated.push(estimated ? 1 : 0);
      return undefined;
    }
    const t = this.timings;
    const before = this.estimated[e] === 1;
    if (how === 'add') {
      t[4 * e] += cc;
      t[4 * e + 1] += nc;
      t[4 * e + 2] += tt;
      t[4 * e + 3] += ct;
    } else {
      t[4 * e] = cc;
      t[4 * e + 1] = nc;
      t[4 * e + 2] = tt;
      t[4 * e + 3] = ct;
    }
    this.estimated[e] = estimated ? 1 : 0;
    return before;
  }

  build(pythonVersion: 2 | 3): CallGraphProfile {
    const n = this.file.length;
    const m = this.edgeCaller.length;
    const p = {
      kind: 'callgraph' as const,
      pythonVersion,
      count: n,
      strings: this.strings,
      file: Int32Array.from(this.file),
      line: Float64Array.from(this.line),
      name: Int32Array.from(this.name),
      cc: new Float64Array(n),
      nc: new Float64Array(n),
      tt: new Float64Array(n),
      ct: new Float64Array(n),
      edgeStart: new Int32Array(n + 1),
      caller: new Int32Array(m),
      ecc: new Float64Array(m),
      enc: new Float64Array(m),
      ett: new Float64Array(m),
      ect: new Float64Array(m),
      estimated: new Uint8Array(m),
    };
    let k = 0;
    for (let i = 0; i < n; i++) {
      p.cc[i] = this.stats[4 * i];
      p.nc[i] = this.stats[4 * i + 1];
      p.tt[i] = this.stats[4 * i + 2];
      p.ct[i] = this.stats[4 * i + 3];
      p.edgeStart[i] = k;
      for (const e of this.callers[i]) {
        p.caller[k] = this.edgeCaller[e];
        p.ecc[k] = this.timings[4 * e];
        p.enc[k] = this.timings[4 * e + 1];
        p.ett[k] = this.timings[4 * e + 2];
        p.ect[k] = this.timings[4 * e + 3];
        p.estimated[k] = this.estimated[e];
        k++;
      }
    }
    p.edgeStart[n] = k;
    return p;
  }

  private id(s: string): number {
    let k = this.stringIds.get(s);
    if (k === undefined) {
      k = this.strings.length;
      this.stringIds.set(s, k);
      this.strings.push(s);
    }
    return k;
  }
}
