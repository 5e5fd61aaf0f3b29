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

/**
 * Every key's place in `compareFuncKeys` order: `rank[i]` for `keys[i]`, counting distinct
 * keys from 0, so that equal keys share a rank and unique keys get 0 .. n-1. Comparing full paths character by character for every pair of functions cost more
 * than the rest of the estimate, so the distinct files and names are ranked once, and the
 * keys are then sorted as numbers by the engine's own sort.
 */
export function keyRanks(keys: readonly FuncKey[]): Int32Array {
  const n = keys.length;
  const files = stringRanks(keys.map((k) => k.file));
  const names = stringRanks(keys.map((k) => k.name));
  let lines = 0;
  for (const k of keys) lines = Math.max(lines, Number.isInteger(k.line) && k.line >= 0 ? k.line + 1 : Infinity);
  const rank = new Int32Array(n);
  // One number per key, (file, line, name, index) in mixed radix, while it stays exact.
  if ((files.count * lines * names.count * n) < 2 ** 53) {
    const packed = new Float64Array(n);
    for (let i = 0; i < n; i++) packed[i] = ((files.rank[i] * lines + keys[i].line) * names.count + names.rank[i]) * n + i;
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
  const order = Array.from(keys, (_, i) => i).sort((a, b) => compareFuncKeys(keys[a], keys[b]));
  let r = -1;
  order.forEach((i, k) => {
    if (k === 0 || compareFuncKeys(keys[order[k - 1]], keys[i]) !== 0) r++;
    rank[i] = r;
  });
  return rank;
}

/** Each string's rank among the distinct strings in code-point order, and how many there are. */
function stringRanks(strings: readonly string[]): { rank: Int32Array; count: number } {
  const distinct = [...new Set(strings)];
  // The engine sorts by UTF-16 unit, which is code-point order unless a surrogate is involved.
  if (distinct.some((s) => /[\ud800-\udfff]/.test(s))) distinct.sort(compareCodePoints);
  else distinct.sort();
  const rankOf = new Map<string, number>();
  distinct.forEach((s, i) => rankOf.set(s, i));
  return { rank: Int32Array.from(strings, (s) => rankOf.get(s)!), count: distinct.length };
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
