/**
 * Groups of per-request profiles: a profile's group is its path with the parts the
 * middlewares vary removed (`{ts}`, the request's start as seconds.millis, and `{duration}`
 * in `15ms`), and optionally digits-only segments such as ids. Pure functions: the server's
 * catalog feeds them, the pages show what they return.
 */

/** The middlewares' `{ts}`: seconds since the epoch (9 to 11 digits), a dot, the milliseconds. */
const TS = /(?<=^|\.)\d{9,11}\.\d{3}(?=\.|$)/g;
const DURATION = /(?<=^|\.)(\d+)ms(?=\.|$)/;
const ID = /(?<=^|\.)\d+(?=\.|$)/g;

export interface NameParts {
  /** The group's key: the folder, then the name with `{ts}`, `{duration}` (and `{id}`) for what varies. */
  readonly key: string;
  /** The request's duration in milliseconds when the name carries one. */
  readonly durationMs: number | undefined;
}

/** The group of a path under the served folder (`/`-separated), with ids folded when `foldIds`. */
export function groupOf(rel: string, foldIds = false): NameParts {
  const slash = rel.lastIndexOf('/');
  const folder = rel.slice(0, slash + 1);
  let name = rel.slice(slash + 1).replace(TS, '{ts}');
  const d = DURATION.exec(name);
  if (d !== null) name = `${name.slice(0, d.index)}{duration}ms${name.slice(d.index + d[0].length)}`;
  if (foldIds) name = name.replace(ID, '{id}');
  return { key: folder + name, durationMs: d === null ? undefined : Number(d[1]) };
}

const PLACEHOLDER: Record<string, string> = { '{ts}': '\\d{9,11}\\.\\d{3}', '{duration}': '\\d+', '{id}': '\\d+' };

/** An anchored regular expression matching the paths of a group (for /merge's `match`). */
export function groupPattern(key: string): string {
  return `^${key
    .split(/(\{ts\}|\{duration\}|\{id\})/)
    .map((part, i) => (i % 2 === 1 ? PLACEHOLDER[part] : escapeRegex(part)))
    .join('')}$`;
}

export function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/** The nearest-rank percentile of ascending values: the smallest value with at least q of them at or below it. */
export function percentile(ascending: readonly number[], q: number): number | undefined {
  if (ascending.length === 0) return undefined;
  return ascending[Math.max(0, Math.ceil(q * ascending.length) - 1)];
}

/** What /groups needs of one profile. */
export interface Member {
  readonly rel: string;
  readonly mtimeMs: number;
  /** From the name, else the profile's total when it is a time. */
  readonly durationMs: number | undefined;
  /** The profile's total and its unit, once read; undefined while it is being read or when it cannot be. */
  readonly total: number | undefined;
  readonly unit: 'seconds' | 'samples' | undefined;
  readonly unreadable: boolean;
}

export interface Group {
  readonly key: string;
  readonly count: number;
  /** Sum of the totals read so far, in seconds or samples (both when the group mixes them). */
  readonly seconds: number;
  readonly samples: number;
  readonly p50: number | undefined;
  readonly p95: number | undefined;
  readonly max: number | undefined;
  readonly newest: { readonly rel: string; readonly mtimeMs: number };
  readonly oldestMs: number;
  /** Members not read yet, and members that cannot be read (skipped by a merge). */
  readonly pending: number;
  readonly unreadable: number;
}

/** The groups of some profiles, keyed by `keyOf`, in no particular order. */
export function groupsOf(members: Iterable<Member>, keyOf: (m: Member) => string): Group[] {
  interface Acc {
    count: number;
    seconds: number;
    samples: number;
    durations: number[];
    newest: Member;
    oldestMs: number;
    pending: number;
    unreadable: number;
  }
  const acc = new Map<string, Acc>();
  for (const m of members) {
    const key = keyOf(m);
    let a = acc.get(key);
    if (a === undefined) {
      a = { count: 0, seconds: 0, samples: 0, durations: [], newest: m, oldestMs: m.mtimeMs, pending: 0, unreadable: 0 };
      acc.set(key, a);
    }
    a.count++;
    if (m.unit === 'seconds') a.seconds += m.total!;
    else if (m.unit === 'samples') a.samples += m.total!;
    else if (m.unreadable) a.unreadable++;
    else a.pending++;
    if (m.durationMs !== undefined) a.durations.push(m.durationMs);
    if (m.mtimeMs > a.newest.mtimeMs || (m.mtimeMs === a.newest.mtimeMs && m.rel > a.newest.rel)) a.newest = m;
    if (m.mtimeMs < a.oldestMs) a.oldestMs = m.mtimeMs;
  }
  return [...acc].map(([key, a]) => {
    const d = a.durations.sort((x, y) => x - y);
    return {
      key,
      count: a.count,
      seconds: a.seconds,
      samples: a.samples,
      p50: percentile(d, 0.5),
      p95: percentile(d, 0.95),
      max: d.length === 0 ? undefined : d[d.length - 1],
      newest: { rel: a.newest.rel, mtimeMs: a.newest.mtimeMs },
      oldestMs: a.oldestMs,
      pending: a.pending,
      unreadable: a.unreadable,
    };
  });
}
