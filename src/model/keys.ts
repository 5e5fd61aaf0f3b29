/**
 * Function keys in Python's order: `(file, line, name)` tuples compare strings by code point
 * and lines as numbers. Every traversal that visits functions or frames in key order sorts
 * with these.
 */
import type { CallGraphColumns, FuncKey } from './profile';

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
export function keyColumns(keys: readonly FuncKey[]): KeyColumns {
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
