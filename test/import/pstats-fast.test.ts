/**
 * The direct pstats reader (src/import/pstats-fast.ts) is only an optimisation: for every input
 * it must either give up (undefined) or give exactly the profile the general path
 * (marshal.ts + pstats.ts) gives: the same functions and edges, whatever the order of its
 * table of strings. Checked on the real dumps, on hand-made streams
 * for each case it gives up on or handles specially, and on seeded random corruptions.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePstats } from '../helpers/encode-marshal';
import { readPstats, readPstatsGeneral } from '../../src/import/pstats';
import { readPstatsFast } from '../../src/import/pstats-fast';
import type { CallGraphProfile } from '../../src/model/profile';
import { bytes, f64, flt, i32, int, ref, small, u, z } from '../helpers/marshal-bytes';
import { callGraphFromObjects, callGraphObjects } from '../../src/model/objects';

const FIXTURES = join(__dirname, '..', 'fixtures');
const SAMPLES = join(__dirname, '..', '..', 'samples');

function dumps(): Array<[string, Uint8Array]> {
  const out: Array<[string, Uint8Array]> = [];
  for (const dir of [FIXTURES, SAMPLES]) {
    for (const f of readdirSync(dir).sort()) if (f.endsWith('.prof')) out.push([f, readFileSync(join(dir, f))]);
  }
  return out;
}

/** A profile as what it holds: its Python version and its functions, as objects. */
function held(p: CallGraphProfile): { pythonVersion: number; functions: ReturnType<typeof callGraphObjects> } {
  return { pythonVersion: p.pythonVersion, functions: callGraphObjects(p) };
}

/** The general path's answer: what the profile holds, or the error message. */
function general(b: Uint8Array): ReturnType<typeof held> | string {
  try {
    return held(readPstatsGeneral(b));
  } catch (err) {
    return (err as Error).message;
  }
}

/** Either the fast path gives up, or it agrees with the general path exactly. */
function agree(b: Uint8Array): 'fast' | 'gave up' {
  const fast = readPstatsFast(b);
  if (fast === undefined) return 'gave up';
  expect(held(fast)).toEqual(general(b));
  return 'fast';
}

/** A flagged ('{' | 0x80) top-level dict of entries, as Python 3.4+ writes it. */
const dump = (...entries: Uint8Array[]): Uint8Array => bytes(ref('{'), ...entries, '0');
const key = (file: string, line: number, name: string): Uint8Array => bytes(small(3), z(file), int(line), z(name));
const stat = (cc: number, nc: number, tt: number, ct: number, ...callers: Uint8Array[]): Uint8Array =>
  bytes(small(5), int(cc), int(nc), flt(tt), flt(ct), '{', ...callers, '0');
const edge = (nc: number, cc: number, tt: number, ct: number): Uint8Array => bytes(small(4), int(nc), int(cc), flt(tt), flt(ct));

describe('fast pstats reader', () => {
  test.each(dumps())('%s: same profile as the general path (fast for every Python 3 dump)', (name, b) => {
    const how = agree(b);
    // Python 3.4+ dumps start with a flagged dict; those must not fall back.
    expect(how).toBe(b[0] === 0xfb ? 'fast' : 'gave up');
    expect(held(readPstats(b))).toEqual(held(readPstatsGeneral(b)));
  });

  test('our encoder output, with profile-module call counts, is read fast and the same', () => {
    const p = callGraphFromObjects([
      { key: { file: 'a.py', line: 1, name: 'main' }, stat: { cc: 1, nc: 1, tt: 0.5, ct: 2 }, callers: [] },
      {
        key: { file: 'b.py', line: 70000, name: 'wörk ✓' },
        stat: { cc: 3, nc: 4, tt: 1.5, ct: 1.5 },
        callers: [{ caller: 0, timing: { cc: 4, nc: 4, tt: 0, ct: 0 }, estimated: true }],
      },
    ]);
    const b = encodePstats(p, 3);
    expect(agree(b)).toBe('fast');
    expect(held(readPstatsFast(b)!)).toEqual(held(p));
  });

  test('callers without an entry of their own, a key given twice, a caller given twice', () => {
    const b = dump(
      key('m.py', 1, 'f'),
      stat(1, 1, 0.1, 0.3, key('m.py', 9, 'ghost'), edge(1, 1, 0.1, 0.3)),
      key('m.py', 2, 'g'),
      stat(2, 2, 0.2, 0.2, key('m.py', 1, 'f'), edge(1, 1, 0.1, 0.1), key('m.py', 8, 'other'), edge(1, 1, 0, 0), key('m.py', 1, 'f'), edge(2, 2, 0.2, 0.2)),
      key('m.py', 1, 'f'),
      stat(5, 5, 0.5, 0.5, key('m.py', 7, 'late'), edge(5, 5, 0.5, 0.5)),
    );
    expect(agree(b)).toBe('fast');
    const p = readPstatsFast(b)!;
    expect(callGraphObjects(p).map((f) => f.key.name)).toEqual(['f', 'g', 'late', 'other']);
    expect(callGraphObjects(p)[1].callers.map((e) => [e.caller, e.timing.nc])).toEqual([
      [0, 2],
      [3, 1],
    ]);
  });

  test('references to strings, numbers and whole keys are followed', () => {
    // slots: 0 top dict, 1 key tuple, 2 'm.py', 3 'f', 4 the float 0.25
    const b = bytes(
      ref('{'),
      ref(')'), 3, ref('z'), 4, 'm.py', int(1), ref('z'), 1, 'f',
      small(5), int(1), int(1), ref('g'), f64(0.25), 'r', i32(4), '{', '0',
      small(3), 'r', i32(2), int(2), z('g'),
      small(5), int(1), int(1), flt(0.1), flt(0.1), '{', 'r', i32(1), edge(1, 1, 0.1, 0.1), '0',
      '0',
    );
    expect(agree(b)).toBe('fast');
    expect(callGraphObjects(readPstatsFast(b)!)[1].callers[0].caller).toBe(0);
  });

  test('tuples named again by reference (a stats tuple, an edge timing) are read fast, as the general path reads them', () => {
    // Slot 0 is the top-level dict; 1: f's stats tuple; 2: the g -> f edge's timing.
    const b = bytes(
      ref('{'),
      key('m.py', 1, 'f'),
      ref(')'), 5, int(1), int(1), flt(0.1), flt(0.3), '{', key('m.py', 2, 'g'), ref(')'), 4, int(2), int(2), flt(0.1), flt(0.3), '0',
      key('m.py', 2, 'g'),
      // g's stats are f's, callers and all.
      'r', i32(1),
      key('m.py', 3, 'h'),
      small(5), int(3), int(3), flt(0.2), flt(0.2), '{', key('m.py', 1, 'f'), 'r', i32(2), key('m.py', 2, 'g'), 'r', i32(2), '0',
      '0',
    );
    expect(agree(b)).toBe('fast');
    const fns = callGraphObjects(readPstatsFast(b)!);
    expect(fns.map((f) => [f.key.name, f.stat.ct, f.callers.map((e) => [e.caller, e.timing.nc, e.timing.ct])])).toEqual([
      ['f', 0.3, [[1, 2, 0.3]]],
      ['g', 0.3, [[1, 2, 0.3]]],
      ['h', 0.2, [[0, 2, 0.3], [1, 2, 0.3]]],
    ]);
  });

  test('a reference that would multiply edges past the bytes of the file goes the general way, to its error', () => {
    // One stats tuple with 40 callers, named again 200 times: 8,000 edges from 1 KB.
    const callers = Array.from({ length: 40 }, (_, k) => bytes(key('c.py', k + 1, `c${k}`), int(1)));
    const entries = Array.from({ length: 200 }, (_, k) => bytes(key('m.py', k + 2, `g${k}`), 'r', i32(1)));
    const b = bytes(ref('{'), key('m.py', 1, 'f'), ref(')'), 5, int(1), int(1), flt(0.1), flt(0.3), '{', ...callers, '0', ...entries, '0');
    expect(readPstatsFast(b)).toBeUndefined();
    expect(() => readPstats(b)).toThrow('more call edges than the file has bytes (reused references)');
  });

  test('a real dump whose timing tuples are shared (four copies of one run; make_shared.py wrote it) is read fast', () => {
    const shared = readFileSync(join(FIXTURES, 'shared-tuples.prof'));
    expect(shared.includes(Buffer.from([0x72]))).toBe(true);
    expect(agree(shared)).toBe('fast');
    const p = readPstats(shared);
    expect(p.count).toBe(4 * readPstats(readFileSync(join(FIXTURES, 'textproc.prof'))).count);
  });

  test('non-ASCII text is read as UTF-8; encoded surrogates and odd values go the general way', () => {
    expect(agree(dump(bytes(small(3), u('/home/zoë/app.py'), int(1), u('main')), stat(1, 1, 1, 1)))).toBe('fast');
    // An encoded lone surrogate (Python writes them with surrogatepass).
    const surrogate = bytes(small(3), 'u', i32(3), 0xed, 0xa0, 0x80, int(1), z('f'));
    expect(agree(dump(surrogate, stat(1, 1, 1, 1)))).toBe('gave up');
    expect(typeof general(dump(surrogate, stat(1, 1, 1, 1)))).toBe('object');
    // A float line number: valid, but not the fast path's.
    expect(agree(dump(bytes(small(3), z('m.py'), flt(1.5), z('f')), stat(1, 1, 1, 1)))).toBe('gave up');
    // A whole float as a call count is an int to both; a fraction is an error for the general path.
    expect(agree(dump(key('m.py', 1, 'f'), bytes(small(5), int(1), flt(2), flt(1), flt(1), '{', '0')))).toBe('fast');
    const fraction = dump(key('m.py', 1, 'f'), bytes(small(5), int(1), flt(2.5), flt(1), flt(1), '{', '0'));
    expect(agree(fraction)).toBe('gave up');
    expect(general(fraction)).toMatch(/nc of m\.py:1:f is a float, expected an integer/);
    // A BOM at the start of a name is part of the name.
    expect(agree(dump(bytes(small(3), 'u', i32(4), 0xef, 0xbb, 0xbf, 'x', int(1), z('f')), stat(1, 1, 1, 1)))).toBe('fast');
  });

  test('bad and unflagged data is left to the general path', () => {
    const good = dump(key('m.py', 1, 'f'), stat(1, 1, 1, 1));
    expect(agree(good)).toBe('fast');
    expect(readPstatsFast(bytes(good, 'N'))).toBeUndefined(); // trailing bytes
    expect(readPstatsFast(good.subarray(0, good.length - 1))).toBeUndefined(); // truncated
    expect(readPstatsFast(bytes('{', good.subarray(1)))).toBeUndefined(); // no reference flag: older data
    expect(readPstatsFast(dump(key('m.py', 1, 'f'), bytes(small(4), int(1), int(1), flt(1), flt(1))))).toBeUndefined();
    expect(readPstatsFast(dump(key('m.py', 1, 'f'), stat(1, 1, 1, 1, key('m.py', 2, 'g'), bytes(small(3), int(1), int(1), flt(1)))))).toBeUndefined();
    expect(readPstatsFast(new Uint8Array(0))).toBeUndefined();
  });

  test('seeded random corruptions: the fast path never disagrees with the general one', () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const sources = dumps()
      .filter(([, b]) => b[0] === 0xfb && b.length < 5000)
      .map(([, b]) => b);
    expect(sources.length).toBeGreaterThan(3);
    const counts = { fast: 0, 'gave up': 0 };
    for (let i = 0; i < 1500; i++) {
      const src = sources[i % sources.length];
      const b = Uint8Array.from(src);
      const kind = rand(3);
      if (kind === 0) {
        for (let k = 1 + rand(3); k > 0; k--) b[rand(b.length)] = rand(256);
      } else if (kind === 1) {
        // Flip a byte that is a digit of a length, count or reference index, or anything.
        b[rand(b.length)] ^= 1 << rand(8);
      } else {
        const cut = rand(b.length);
        counts[agree(b.subarray(0, cut))]++;
        continue;
      }
      counts[agree(b)]++;
    }
    // Plenty of corruptions (a changed time, a name byte) are still valid dumps: both paths ran.
    expect(counts.fast).toBeGreaterThan(100);
    expect(counts['gave up']).toBeGreaterThan(100);
  });
});
