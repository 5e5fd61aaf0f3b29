/**
 * The profile model shared by every importer and every output.
 *
 * Two kinds of profile exist because the inputs know different things:
 * - a call graph (pstats dumps) knows per-function totals and per-edge totals, but not
 *   whole stacks, so frames below the first level are estimated;
 * - a sampled profile (plop, folded stacks) knows whole stacks with exact counts.
 */

/** A function as Python identifies it: `(file, line, name)`. */
export interface FuncKey {
  readonly file: string;
  readonly line: number;
  readonly name: string;
}

/**
 * Call counts and times, as pstats keeps them: `cc` primitive (non-recursive) calls, `nc` all
 * calls, `tt` own time, `ct` cumulative time. For sampled profiles the times are sample counts.
 */
export interface Timing {
  cc: number;
  nc: number;
  tt: number;
  ct: number;
}

/** One call edge `caller -> callee` with the timing of calls made along it. */
export interface CallEdge {
  /** Index of the caller in `CallGraphProfile.functions`. */
  readonly caller: number;
  readonly timing: Timing;
  /**
   * True when the dump held only a call count for this edge (the pure-Python `profile`
   * module): its times were shared out from the callee's totals, so they are a guess.
   */
  readonly estimated: boolean;
}

export interface FunctionStats {
  readonly key: FuncKey;
  readonly stat: Timing;
  /** Callers in dump order. Empty for a root. */
  readonly callers: CallEdge[];
}

export interface CallGraphProfile {
  readonly kind: 'callgraph';
  /** Functions in dump order (the order every traversal that is not sorted follows). */
  readonly functions: FunctionStats[];
  /** 2 or 3: the Python major version that wrote the dump (merged inputs: the first). */
  readonly pythonVersion: 2 | 3;
  /**
   * The same graph as columns, when the reader made them (the fast pstats reader does;
   * `functions` is then made from them on first access). Absent from a hand-made profile.
   */
  readonly columns?: CallGraphColumns;
}

/**
 * A call graph as typed arrays: function `i` is `file[i]`, `line[i]`, `name[i]`, `cc[i]`...;
 * its callers are edges `edgeStart[i]` .. `edgeStart[i + 1] - 1`, in dump order. A dump
 * holds an object per function and per edge otherwise, whose garbage collection cost more
 * than reading the file, and ~1 KB of memory per edge.
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
  /** Per edge: the caller's index, and the timing of calls along it (as CallEdge.timing). */
  readonly caller: Int32Array;
  readonly ecc: Float64Array;
  readonly enc: Float64Array;
  readonly ett: Float64Array;
  readonly ect: Float64Array;
  /** Per edge: 1 when only a call count was known (CallEdge.estimated). */
  readonly estimated: Uint8Array;
}

/** A profile over columns, whose `functions` are made on first access (tests and library users ask). */
export function columnProfile(columns: CallGraphColumns, pythonVersion: 2 | 3): CallGraphProfile {
  let functions: FunctionStats[] | undefined;
  const profile = { kind: 'callgraph' as const, pythonVersion };
  // Enumerable, so that a profile compares equal to a hand-made one; the columns are not.
  Object.defineProperty(profile, 'functions', { enumerable: true, get: () => (functions ??= functionsOf(columns)) });
  Object.defineProperty(profile, 'columns', { enumerable: false, value: columns });
  return profile as CallGraphProfile;
}

/** The key of function `i`. */
export function columnKey(c: CallGraphColumns, i: number): FuncKey {
  return { file: c.strings[c.file[i]], line: c.line[i], name: c.strings[c.name[i]] };
}

function functionsOf(c: CallGraphColumns): FunctionStats[] {
  const out: FunctionStats[] = [];
  for (let i = 0; i < c.count; i++) {
    const callers: CallEdge[] = [];
    for (let e = c.edgeStart[i]; e < c.edgeStart[i + 1]; e++) {
      callers.push({ caller: c.caller[e], timing: { cc: c.ecc[e], nc: c.enc[e], tt: c.ett[e], ct: c.ect[e] }, estimated: c.estimated[e] === 1 });
    }
    out.push({ key: columnKey(c, i), stat: { cc: c.cc[i], nc: c.nc[i], tt: c.tt[i], ct: c.ct[i] }, callers });
  }
  return out;
}

/** A profile's columns: its own, or made from its functions (a hand-made or merged profile). */
export function graphColumns(profile: CallGraphProfile): CallGraphColumns {
  if (profile.columns !== undefined) return profile.columns;
  const fs = profile.functions;
  const n = fs.length;
  const keys = keyColumns(fs.map((f) => f.key));
  let m = 0;
  for (const f of fs) m += f.callers.length;
  const c = {
    ...keys,
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
  let e = 0;
  fs.forEach((f, i) => {
    c.cc[i] = f.stat.cc;
    c.nc[i] = f.stat.nc;
    c.tt[i] = f.stat.tt;
    c.ct[i] = f.stat.ct;
    c.edgeStart[i] = e;
    for (const edge of f.callers) {
      c.caller[e] = edge.caller;
      c.ecc[e] = edge.timing.cc;
      c.enc[e] = edge.timing.nc;
      c.ett[e] = edge.timing.tt;
      c.ect[e] = edge.timing.ct;
      c.estimated[e] = edge.estimated ? 1 : 0;
      e++;
    }
  });
  c.edgeStart[n] = e;
  return c;
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
  /** What the reader skipped or tolerated (e.g. malformed lines), to be shown on stderr. */
  readonly warnings?: string[];
}

export type Profile = CallGraphProfile | SampledProfile;

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

/**
 * Orders function keys the way Python orders `(file, line, name)` tuples: strings by Unicode
 * code point (not UTF-16 unit, which differs for astral characters), lines as numbers.
 */
export function compareFuncKeys(a: FuncKey, b: FuncKey): number {
  return compareCodePoints(a.file, b.file) || a.line - b.line || compareCodePoints(a.name, b.name);
}

/** Function keys as columns of string ids (CallGraphColumns' key part). */
export type KeyColumns = Pick<CallGraphColumns, 'count' | 'strings' | 'file' | 'line' | 'name'>;

/**
 * Every key's place in `compareFuncKeys` order: `rank[i]` for key `i`, counting distinct
 * keys from 0, so that equal keys share a rank and unique keys get 0 .. n-1. Comparing full
 * paths for every pair of functions cost more than the rest of the estimate, so the distinct
 * strings are sorted once, and the keys are then sorted as numbers by the engine's own sort.
 */
export function keyRanks(keys: readonly FuncKey[] | KeyColumns): Int32Array {
  const c = 'count' in keys ? keys : keyColumns(keys);
  const n = c.count;
  const sorted = sortedPlaces(c.strings);
  const files = denseRanks(sorted, c.file);
  const names = denseRanks(sorted, c.name);
  let lines = 0;
  for (let i = 0; i < n; i++) {
    const line = c.line[i];
    lines = Math.max(lines, Number.isInteger(line) && line >= 0 ? line + 1 : Infinity);
  }
  const rank = new Int32Array(n);
  // One number per key, (file, line, name, index) in mixed radix, while it stays exact.
  if (files.count * lines * names.count * n < 2 ** 53) {
    const packed = new Float64Array(n);
    for (let i = 0; i < n; i++) packed[i] = ((files.rank[c.file[i]] * lines + c.line[i]) * names.count + names.rank[c.name[i]]) * n + i;
    packed.sort();
    let r = -1;
    let last = -1;
    for (const v of packed) {
      const i = v % n;
      const key = (v - i) / n;
      if (key !== last) r++;
      last = key;
      rank[i] = r;
    }
    return rank;
  }
  const cmp = (a: number, b: number): number =>
    files.rank[c.file[a]] - files.rank[c.file[b]] || c.line[a] - c.line[b] || names.rank[c.name[a]] - names.rank[c.name[b]];
  const order = Array.from({ length: n }, (_, i) => i).sort(cmp);
  let r = -1;
  order.forEach((i, k) => {
    if (k === 0 || cmp(order[k - 1], i) !== 0) r++;
    rank[i] = r;
  });
  return rank;
}

/** Keys as columns, files and names interned in one table in the order they come. */
function keyColumns(keys: readonly FuncKey[]): KeyColumns {
  const ids = new Map<string, number>();
  const strings: string[] = [];
  const id = (s: string): number => {
    let k = ids.get(s);
    if (k === undefined) {
      k = strings.length;
      ids.set(s, k);
      strings.push(s);
    }
    return k;
  };
  const n = keys.length;
  const c = { count: n, strings, file: new Int32Array(n), line: new Float64Array(n), name: new Int32Array(n) };
  keys.forEach((k, i) => {
    c.file[i] = id(k.file);
    c.line[i] = k.line;
    c.name[i] = id(k.name);
  });
  return c;
}

/** Each string's place in code-point order, by id (`strings` holds each string once). */
function sortedPlaces(strings: readonly string[]): Int32Array {
  const sorted = strings.slice();
  // The engine sorts by UTF-16 unit, which is code-point order unless a surrogate is involved.
  if (sorted.some((s) => /[\ud800-\udfff]/.test(s))) sorted.sort(compareCodePoints);
  else sorted.sort();
  const placeOf = new Map<string, number>();
  sorted.forEach((s, i) => placeOf.set(s, i));
  return Int32Array.from(strings, (s) => placeOf.get(s)!);
}

/**
 * For the strings that `used` names (ids), each one's rank among them, by id, and how many
 * there are: ranks count from 0 in the order `places` gives.
 */
function denseRanks(places: Int32Array, used: Int32Array): { rank: Int32Array; count: number } {
  const mark = new Uint8Array(places.length);
  for (let i = 0; i < used.length; i++) mark[places[used[i]]] = 1;
  const rankAt = new Int32Array(places.length);
  let count = 0;
  for (let k = 0; k < places.length; k++) if (mark[k] === 1) rankAt[k] = count++;
  const rank = new Int32Array(places.length);
  for (let s = 0; s < places.length; s++) rank[s] = rankAt[places[s]];
  return { rank, count };
}

export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length - b.length;
  const ca = a.charCodeAt(i);
  const cb = b.charCodeAt(i);
  if (ca < 0xd800 && cb < 0xd800) return ca - cb;
  // On a shared high surrogate, whole code points are compared: a pair in one string against
  // a lone surrogate in the other. Two lone ones are equal, and the strings differ after them.
  if (i > 0 && isHigh(a.charCodeAt(i - 1))) {
    const d = codePointAt(a, i - 1) - codePointAt(b, i - 1);
    if (d !== 0) return d;
  }
  return codePointAt(a, i) - codePointAt(b, i);
}

function isHigh(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

/** Like String#codePointAt, but a lone surrogate counts as its own code point. */
function codePointAt(s: string, i: number): number {
  if (i >= s.length) return -1;
  const c = s.charCodeAt(i);
  if (isHigh(c) && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
  }
  return c;
}

/** A key as one string, for maps that merge functions across profiles. */
export function keyId(k: FuncKey): string {
  return `${k.file}\u0000${k.line}\u0000${k.name}`;
}
