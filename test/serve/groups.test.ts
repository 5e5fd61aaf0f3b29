/**
 * serve/groups.ts: the group of a per-request profile's name, the pattern that finds a
 * group's members, and nearest-rank percentiles.
 */
import { groupOf, groupPattern, groupsOf, percentile, type Member } from '../../src/serve/groups';

describe('groupOf', () => {
  test.each([
    ['GET.api.orders.1764835200.123.54ms.prof', 'GET.api.orders.{ts}.{duration}ms.prof', 54],
    ['nightly/POST.root.1764835200.000.0ms.prof', 'nightly/POST.root.{ts}.{duration}ms.prof', 0],
    ['GET.api.users.42.1764835200.500.7ms.folded', 'GET.api.users.42.{ts}.{duration}ms.folded', 7],
    // The trigger's sampling files: a {ts} and no duration.
    ['sample.1764835200.123.folded', 'sample.{ts}.folded', undefined],
    // Not a middleware's name: nothing varies.
    ['app.prof', 'app.prof', undefined],
    ['run-2026-12-04.prof', 'run-2026-12-04.prof', undefined],
    // A time of 8 digits is no epoch second; a folder's digits are the folder's.
    ['v1.12345678.123.prof', 'v1.12345678.123.prof', undefined],
    ['2026/GET.x.1764835200.001.3ms.prof', '2026/GET.x.{ts}.{duration}ms.prof', 3],
  ])('%s', (rel, key, duration) => {
    expect(groupOf(rel)).toEqual({ key, durationMs: duration });
  });

  test('ids folded on demand: digits-only segments of the name, never the time', () => {
    expect(groupOf('GET.api.users.42.1764835200.500.7ms.prof', true).key).toBe('GET.api.users.{id}.{ts}.{duration}ms.prof');
    expect(groupOf('GET.api.users.42.7.1764835200.500.7ms.prof', true).key).toBe('GET.api.users.{id}.{id}.{ts}.{duration}ms.prof');
    expect(groupOf('GET.api.v2.items.prof', true).key).toBe('GET.api.v2.items.prof');
  });
});

describe('groupPattern', () => {
  const names = [
    'GET.api.orders.1764835200.123.54ms.prof',
    'GET.api.orders.1764835299.999.1200ms.prof',
    'GET.api.orders.x.1764835200.123.54ms.prof',
    'GET.api.ordersX1764835200.123.54ms.prof',
    'GET.api.users.1.1764835200.123.5ms.prof',
    'GET.api.users.22.1764835200.123.5ms.prof',
    'sub/GET.api.orders.1764835200.123.54ms.prof',
    'GET.api.orders.1764835200.123.54ms.prof.gz',
  ];
  test('a group pattern matches its members and nothing else, ids folded or not', () => {
    for (const fold of [false, true]) {
      for (const n of names) {
        const re = new RegExp(groupPattern(groupOf(n, fold).key));
        expect([fold, n, names.filter((m) => re.test(m))]).toEqual([fold, n, names.filter((m) => groupOf(m, fold).key === groupOf(n, fold).key)]);
      }
    }
  });

  test('what a name holds of regular-expression syntax is literal', () => {
    const key = groupOf('GET.a+b(c)[d]$^|x.1764835200.123.5ms.prof').key;
    expect(new RegExp(groupPattern(key)).test('GET.a+b(c)[d]$^|x.1764835201.000.9ms.prof')).toBe(true);
    expect(new RegExp(groupPattern(key)).test('GET.aab(c)[d]$^|x.1764835201.000.9ms.prof')).toBe(false);
  });
});

test('percentile: nearest rank', () => {
  const v = Array.from({ length: 20 }, (_, i) => i + 1);
  expect([percentile(v, 0.5), percentile(v, 0.95), percentile(v, 1)]).toEqual([10, 19, 20]);
  expect([percentile([7], 0.5), percentile([7], 0.95), percentile([], 0.5)]).toEqual([7, 7, undefined]);
  expect([percentile([1, 2, 3], 0.5), percentile([1, 2, 3], 0.95)]).toEqual([2, 3]);
});

test('groupsOf: counts, totals by unit, pending and unreadable, newest and oldest', () => {
  const m = (rel: string, mtimeMs: number, durationMs: number | undefined, total?: number, unit?: 'seconds' | 'samples', unreadable = false): Member => ({ rel, mtimeMs, durationMs, total, unit, unreadable });
  const groups = groupsOf(
    [m('a.1', 10, 5, 0.005, 'seconds'), m('a.2', 30, 15, 0.015, 'seconds'), m('a.3', 20, 10), m('a.4', 5, 99, undefined, undefined, true), m('b.1', 7, undefined, 40, 'samples')],
    (x) => x.rel.slice(0, 1),
  );
  expect(groups).toEqual([
    { key: 'a', count: 4, seconds: 0.02, samples: 0, p50: 10, p95: 99, max: 99, newest: { rel: 'a.2', mtimeMs: 30 }, oldestMs: 5, pending: 1, unreadable: 1 },
    { key: 'b', count: 1, seconds: 0, samples: 40, p50: undefined, p95: undefined, max: undefined, newest: { rel: 'b.1', mtimeMs: 7 }, oldestMs: 7, pending: 0, unreadable: 0 },
  ]);
});
