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

export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length - b.length;
  const ca = a.charCodeAt(i);
  const cb = b.charCodeAt(i);
  if (ca < 0xd800 && cb < 0xd800) return ca - cb;
  // Step back onto a shared high surrogate so that whole code points are compared.
  if (i > 0 && isHigh(a.charCodeAt(i - 1))) i--;
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
