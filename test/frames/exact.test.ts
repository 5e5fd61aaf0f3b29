/**
 * The exact numbers the report draws: a pstats dump's own columns, and counts from whole stacks
 * worked out by hand for a small sampled profile.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exactStats } from '../../src/frames/exact';
import { readProfile } from '../../src/pipeline';
import { callGraphObjects } from '../../src/model/objects';
import type { CallGraphProfile, SampledProfile } from '../../src/model/profile';

test('a pstats dump: every function and edge as the dump holds them', () => {
  const path = join(__dirname, '..', 'fixtures', 'textproc.prof');
  const p = readProfile(readFileSync(path), path) as CallGraphProfile;
  const x = exactStats(p);
  // The call graph's own columns, not copies of them.
  expect([x.cc, x.nc, x.tt, x.ct, x.edges.caller, x.edges.tt]).toEqual([p.cc, p.nc, p.tt, p.ct, p.caller, p.ett]);
  expect(x.tt).toBe(p.tt);
  expect(exactStats(p)).toBe(x);
  const functions = callGraphObjects(p);
  functions.forEach((f, i) => expect([x.cc[i], x.nc[i], x.tt[i], x.ct[i]]).toEqual([f.stat.cc, f.stat.nc, f.stat.tt, f.stat.ct]));
  const edges = functions.flatMap((f, callee) => f.callers.map((c) => [c.caller, callee, c.timing.cc, c.timing.nc, c.timing.tt, c.timing.ct]));
  const e = x.edges;
  expect(Array.from(e.caller, (_, k) => [e.caller[k], e.callee[k], e.cc[k], e.nc[k], e.tt[k], e.ct[k]])).toEqual(edges);
});

test('sampled stacks: own innermost, cumulative once a stack (recursion too), edges once a stack', () => {
  const key = (name: string) => ({ file: 'a.py', line: 1, name });
  // 0 main, 1 f, 2 g. Stacks: main;f;f;g x3, main;f x2, main;g x5.
  const p: SampledProfile = {
    kind: 'sampled',
    funcs: [key('main'), key('f'), key('g')],
    stacks: [
      { frames: [0, 1, 1, 2], weight: 3 },
      { frames: [0, 1], weight: 2 },
      { frames: [0, 2], weight: 5 },
      { frames: [], weight: 7 },
    ],
  };
  const x = exactStats(p);
  expect(Array.from(x.tt)).toEqual([0, 2, 8]);
  expect(Array.from(x.ct)).toEqual([10, 5, 8]);
  expect(Array.from(x.nc)).toEqual([0, 0, 0]);
  const e = x.edges;
  const got = Array.from(e.caller, (_, k) => `${e.caller[k]}->${e.callee[k]} own ${e.tt[k]} cum ${e.ct[k]}`);
  expect(got).toEqual(['0->1 own 2 cum 5', '1->1 own 0 cum 3', '1->2 own 3 cum 3', '0->2 own 5 cum 5']);
});
