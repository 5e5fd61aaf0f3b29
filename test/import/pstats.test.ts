/**
 * The pstats loader against what real Python reads from the same dumps
 * (test/fixtures/known-values.json, written by known_values.py with Python 3.11 and 2.7),
 * its error messages, merging, and round trips through our encoder (read back by us and
 * by python3's pstats).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePstats } from '../helpers/encode-marshal';
import { FlameprofError, InputError, MarshalError } from '../../src/errors';
import { readProfile } from '../../src/pipeline';
import { readInputFile } from '../../src/io/files';
import { mergeCallGraphs } from '../../src/import/merge';
import { readPstats } from '../../src/import/pstats';
import type { CallGraphProfile, FuncKey } from '../../src/model/profile';
import type { CallEdge, Timing } from '../../src/model/objects';
import { bytes, flt, i32, int, ref, small, z } from '../helpers/marshal-bytes';
import { callGraphFromObjects, callGraphObjects } from '../../src/model/objects';

const FIXTURES = join(__dirname, '..', 'fixtures');
const fixture = (name: string): Buffer => readFileSync(join(FIXTURES, name));
const load = (name: string): CallGraphProfile => readPstats(fixture(name));

/** [file, line, name, value...]: value is cProfile's (nc, cc, tt, ct) or one call count. */
type KnownEdge = [string, number, string, ...number[]];
type KnownFunction = [string, number, string, number, number, number, number, KnownEdge[]];
interface KnownFile {
  python: string;
  pythonVersion: 2 | 3;
  ordered: boolean;
  functionCount: number;
  rootCount: number;
  functions: KnownFunction[];
}
const known: {
  files: Record<string, KnownFile>;
  merge: { inputs: string[]; functions: KnownFunction[]; equalsMergedProf: boolean };
} = JSON.parse(readFileSync(join(FIXTURES, 'known-values.json'), 'utf8'));

/** The model's view of one function, with callers named by key instead of by index. */
interface Plain {
  key: FuncKey;
  stat: Timing;
  callers: Array<{ key: FuncKey; timing: Timing; estimated: boolean }>;
}

function plain(p: CallGraphProfile): Plain[] {
  return callGraphObjects(p).map((f) => ({
    key: f.key,
    stat: f.stat,
    callers: f.callers.map((e: CallEdge) => ({ key: callGraphObjects(p)[e.caller].key, timing: e.timing, estimated: e.estimated })),
  }));
}

/** What the model must hold for a function Python read: edges swapped into {cc, nc, tt, ct}. */
function fromPython(f: KnownFunction): Plain {
  const [file, line, name, cc, nc, tt, ct, edges] = f;
  return {
    key: { file, line, name },
    stat: { cc, nc, tt, ct },
    callers: edges.map(([file, line, name, ...v]) => {
      const key = { file, line, name };
      if (v.length === 4) {
        const [enc, ecc, ett, ect] = v;
        return { key, timing: { cc: ecc, nc: enc, tt: ett, ct: ect }, estimated: false };
      }
      expect(v).toHaveLength(1);
      return { key, timing: { cc: v[0], nc: v[0], tt: 0, ct: 0 }, estimated: true };
    }),
  };
}

const id = (k: FuncKey): string => `${k.file}\0${k.line}\0${k.name}`;
const byKey = (fs: Plain[]): Map<string, Plain> => new Map(fs.map((f) => [id(f.key), f]));
const sortCallers = (f: Plain): Plain => ({ ...f, callers: [...f.callers].sort((a, b) => (id(a.key) < id(b.key) ? -1 : 1)) });

const profFiles = readdirSync(FIXTURES).filter((n) => n.endsWith('.prof')).sort();

test('known-values.json covers every fixture dump, and was written by Python 2.7 and 3', () => {
  expect(Object.keys(known.files).sort()).toEqual(profFiles);
  expect(profFiles.length).toBeGreaterThanOrEqual(10);
  expect(known.files['sample-py2.prof'].python).toMatch(/^2\.7\./);
  expect(known.files['recursion.prof'].python).toMatch(/^3\./);
});

describe.each(profFiles)('%s loads as Python reads it', (name) => {
  const k = known.files[name];
  const p = load(name);

  test('function count, Python version, roots', () => {
    expect(p.kind).toBe('callgraph');
    expect(callGraphObjects(p)).toHaveLength(k.functionCount);
    expect(p.pythonVersion).toBe(k.pythonVersion);
    expect(callGraphObjects(p).filter((f) => f.callers.length === 0)).toHaveLength(k.rootCount);
  });

  test('every stat tuple and every caller edge', () => {
    const want = k.functions.map(fromPython);
    const got = plain(p);
    if (k.ordered) {
      // Python 3 dicts keep the stream's order, and so must we (traversals follow it).
      expect(got).toEqual(want);
    } else {
      // Python 2 dicts do not: compare as maps.
      const w = byKey(want);
      expect(got.map((f) => id(f.key)).sort()).toEqual([...w.keys()].sort());
      for (const f of got) expect(sortCallers(f)).toEqual(sortCallers(w.get(id(f.key))!));
    }
  });
});

describe('a few tuples spelled out (copied from Python 2.7 / 3.11 reading the dumps)', () => {
  const find = (p: CallGraphProfile, file: string, line: number, name: string) => {
    const i = callGraphObjects(p).findIndex((f) => f.key.file === file && f.key.line === line && f.key.name === name);
    expect(i).toBeGreaterThanOrEqual(0);
    return callGraphObjects(p)[i];
  };
  const callerOf = (p: CallGraphProfile, f: { callers: CallEdge[] }, file: string, line: number, name: string) =>
    f.callers.find((e) => {
      const k = callGraphObjects(p)[e.caller].key;
      return k.file === file && k.line === line && k.name === name;
    });

  test('sample2-py2.prof: time.sleep and its callers', () => {
    // Python 2.7: ('~', 0, '<time.sleep>'): (11, 11, 1.10307, 1.10307,
    //   {('sample2.py', 10, 'f2'): (5, 5, 0.501425, 0.501425), ('sample2.py', 4, 'f1'): (6, 6, 0.601645, 0.601645)})
    const p = load('sample2-py2.prof');
    const sleep = find(p, '~', 0, '<time.sleep>');
    expect(sleep.stat).toEqual({ cc: 11, nc: 11, tt: 1.10307, ct: 1.10307 });
    expect(callerOf(p, sleep, 'sample2.py', 10, 'f2')!.timing).toEqual({ cc: 5, nc: 5, tt: 0.501425, ct: 0.501425 });
    expect(callerOf(p, sleep, 'sample2.py', 4, 'f1')!.timing).toEqual({ cc: 6, nc: 6, tt: 0.601645, ct: 0.601645 });
    expect(find(p, 'sample2.py', 1, '<module>').callers).toEqual([]);
  });

  test('recursion.prof: a recursive method, edge (nc, cc) swapped into {cc, nc}', () => {
    // Python 3.11: ('recursion.py', 7, '__init__'): (1, 8191, 0.0024733520000000003, 0.006417443,
    //   {('recursion.py', 8, '<listcomp>'): (8190, 2, 0.002470237, 0.006412796), ...})
    const p = load('recursion.prof');
    const init = find(p, 'recursion.py', 7, '__init__');
    expect(init.stat).toEqual({ cc: 1, nc: 8191, tt: 0.0024733520000000003, ct: 0.006417443 });
    const e = callerOf(p, init, 'recursion.py', 8, '<listcomp>')!;
    expect(e).toMatchObject({ timing: { cc: 2, nc: 8190, tt: 0.002470237, ct: 0.006412796 }, estimated: false });
  });

  test('pyprofile.prof: profile-module edges are plain counts, marked estimated', () => {
    const p = load('pyprofile.prof');
    const edges = callGraphObjects(p).flatMap((f) => f.callers);
    expect(edges.length).toBeGreaterThan(0);
    for (const e of edges) {
      expect(e.estimated).toBe(true);
      expect(e.timing.tt).toBe(0);
      expect(e.timing.ct).toBe(0);
      expect(e.timing.cc).toBe(e.timing.nc);
    }
    const cprof = callGraphObjects(load('recursion.prof')).flatMap((f) => f.callers);
    expect(cprof.every((e) => !e.estimated)).toBe(true);
  });
});

describe('merging', () => {
  const [a, b] = known.merge.inputs;
  const merged = mergeCallGraphs([load(a), load(b)]);

  test('mergeCallGraphs([recursion, textproc]) holds what pstats.Stats(recursion, textproc) holds', () => {
    expect(known.merge.inputs).toEqual(['recursion.prof', 'textproc.prof']);
    expect(plain(merged)).toEqual(known.merge.functions.map(fromPython));
    expect(merged.pythonVersion).toBe(3);
  });

  test('and what merged.prof holds (written by that pstats.Stats)', () => {
    expect(known.merge.equalsMergedProf).toBe(true);
    const file = load('merged.prof');
    expect(callGraphObjects(merged)).toEqual(callGraphObjects(file));
  });

  test('one profile merges to itself; inputs are not modified', () => {
    const r = load('recursion.prof');
    expect(mergeCallGraphs([r])).toBe(r);
    const before = JSON.stringify(load(a));
    mergeCallGraphs([load(a), load(a)]);
    expect(JSON.stringify(load(a))).toBe(before);
  });

  test('a profile merged with itself doubles every count and time', () => {
    const r = load('sample-py3.prof');
    const twice = mergeCallGraphs([r, r]);
    expect(callGraphObjects(twice).map((f) => f.stat)).toEqual(
      callGraphObjects(r).map((f) => ({ cc: 2 * f.stat.cc, nc: 2 * f.stat.nc, tt: f.stat.tt + f.stat.tt, ct: f.stat.ct + f.stat.ct })),
    );
  });

  test('a cProfile dump and a profile-module dump do not merge', () => {
    const pp = load('pyprofile.prof');
    const fake = callGraphFromObjects(callGraphObjects(pp).map((f) => ({ ...f, callers: f.callers.map((e) => ({ ...e, estimated: false })) })));
    expect(() => mergeCallGraphs([pp, fake])).toThrow(
      new InputError('cannot merge a cProfile dump with a dump of the pure-Python profile module'),
    );
  });
});

/* ---------- errors ---------- */

function loadError(b: Uint8Array): FlameprofError {
  try {
    readPstats(b);
  } catch (err) {
    expect(err).toBeInstanceOf(FlameprofError);
    return err as FlameprofError;
  }
  throw new Error('readPstats did not throw');
}

/** A Python 3 key tuple for hand-built dumps. */
const key = (file: string, line: number, name: string): Uint8Array => bytes(small(3), z(file), int(line), z(name));
const stat = (callers: Uint8Array): Uint8Array => bytes(small(5), int(1), int(1), flt(0.5), flt(0.5), callers);

describe('loader errors (user-facing, exact)', () => {
  test('empty file', () => {
    expect(loadError(new Uint8Array(0)).message).toBe('empty file');
    expect(loadError(new Uint8Array(0))).toBeInstanceOf(InputError);
  });

  test('top-level list', () => {
    // marshal.dumps([], 4) == b'\xdb\x00\x00\x00\x00'
    const e = loadError(bytes(ref('['), i32(0)));
    expect(e.message).toBe('not a pstats dump: top-level object is a list, expected a dict');
    expect(e).toBeInstanceOf(InputError);
  });

  test('top-level None, int, tuple', () => {
    expect(loadError(bytes(ref('('), i32(1), int(7))).message).toBe(
      'not a pstats dump: top-level object is a tuple of 1, expected a dict',
    );
    expect(loadError(bytes(ref('i'), i32(7))).message).toBe('not a pstats dump: top-level object is an int, expected a dict');
  });

  test('truncated inside a string (a real Python 2 dump cut short)', () => {
    // sample-py2.prof: '{' '(' n=3 's' len=9 'sample.py' ...: cut in the middle of 'sample.py'
    const whole = fixture('sample-py2.prof');
    expect(whole.subarray(6, 11)).toEqual(Buffer.from([0x73, 9, 0, 0, 0]));
    const e = loadError(whole.subarray(0, 15));
    expect(e.message).toBe('truncated at byte 7 while reading a string of length 9');
    expect(e).toBeInstanceOf(MarshalError);
    expect((e as MarshalError).offset).toBe(7);
  });

  test('truncated real Python 3 dumps say where and what', () => {
    const whole = fixture('sample-py3.prof');
    // fb 29 03 fa 01 7e e9 00000000 fa 30 '<me...': dict, small tuple of 3, '~', 0, then a
    // short interned str of length 48 at byte 11
    expect(whole.subarray(11, 14)).toEqual(Buffer.from([0xfa, 0x30, 0x3c]));
    expect(loadError(whole.subarray(0, 30)).message).toBe('truncated at byte 12 while reading a short ASCII string of length 48');
    // a tuple whose items cannot fit in what is left is reported at its length field
    expect(loadError(whole.subarray(0, 4)).message).toBe('truncated at byte 2 while reading a tuple of length 3');
    expect(loadError(whole.subarray(0, whole.length - 1)).message).toBe(
      `truncated at byte ${whole.length - 1} while reading a dict (a key or the end-of-dict marker)`,
    );
  });

  test('a JSON file', () => {
    for (const text of ['{"a.py": [1, 2, 0.5]}', '[\n  {"x": 1}\n]', '  {\n  "k": true }']) {
      const e = loadError(Buffer.from(text));
      expect(e.message).toBe('not a pstats dump: it looks like JSON text (a pstats dump is binary marshal data)');
      expect(e).toBeInstanceOf(InputError);
    }
  });

  test('a plain text file, also one that happens to start with a marshal code', () => {
    for (const text of ['hello world\n', 'Notes on profiling\n', 'import os\n', 'Total time: 3 s\r\n', 'caf\u00e9 \u20ac\n']) {
      expect(loadError(Buffer.from(text)).message).toBe(
        'not a pstats dump: it looks like a text file (a pstats dump is binary marshal data)',
      );
    }
  });

  test('trailing bytes', () => {
    const whole = fixture('sample-py3.prof');
    const e = loadError(Buffer.concat([whole, Buffer.from([0, 1, 2])]));
    expect(e.message).toBe(`not a pstats dump: 3 unexpected bytes after the dump's end at byte ${whole.length}`);
  });

  test('wrong key shapes', () => {
    const dump = (k: Uint8Array, v: Uint8Array) => bytes(ref('{'), k, v, '0');
    expect(loadError(dump(z('f'), stat(bytes('{', '0')))).message).toBe(
      'not a pstats dump: the key of entry 0 is a str, expected a (file, line, name) tuple',
    );
    expect(loadError(dump(bytes(small(2), z('f'), int(1)), stat(bytes('{', '0')))).message).toBe(
      'not a pstats dump: the key of entry 0 is a tuple of 2, expected a (file, line, name) tuple',
    );
    expect(loadError(dump(bytes(small(3), z('f'), z('1'), z('g')), stat(bytes('{', '0')))).message).toBe(
      'not a pstats dump: the key of entry 0 is a tuple of 3, expected a (file, line, name) tuple',
    );
  });

  test('wrong value shapes', () => {
    const k = key('a.py', 1, 'f');
    const dump = (v: Uint8Array) => bytes(ref('{'), k, v, '0');
    expect(loadError(dump(int(3))).message).toBe(
      'not a pstats dump: entry 0 (a.py:1:f) is an int, expected a (cc, nc, tt, ct, callers) tuple',
    );
    expect(loadError(dump(bytes(small(4), int(1), int(1), flt(0), flt(0)))).message).toBe(
      'not a pstats dump: entry 0 (a.py:1:f) is a tuple of 4, expected a (cc, nc, tt, ct, callers) tuple',
    );
    expect(loadError(dump(bytes(small(5), flt(1.5), int(1), flt(0), flt(0), '{', '0'))).message).toBe(
      'not a pstats dump: cc of a.py:1:f is a float, expected an integer',
    );
    expect(loadError(dump(bytes(small(5), int(1), int(1), z('x'), flt(0), '{', '0'))).message).toBe(
      'not a pstats dump: tt of a.py:1:f is a str, expected a number',
    );
    expect(loadError(dump(bytes(small(5), int(1), int(1), flt(0), flt(0), 'N'))).message).toBe(
      'not a pstats dump: the callers of a.py:1:f are None, expected a dict',
    );
    expect(loadError(dump(stat(bytes('{', z('c'), int(1), '0')))).message).toBe(
      'not a pstats dump: a caller key of a.py:1:f is a str, expected a (file, line, name) tuple',
    );
    expect(loadError(dump(stat(bytes('{', key('b.py', 2, 'g'), small(2), int(1), int(1), '0')))).message).toBe(
      'not a pstats dump: the call b.py:2:g -> a.py:1:f is a tuple of 2, expected an (nc, cc, tt, ct) tuple or a call count',
    );
    expect(loadError(dump(stat(bytes('{', key('b.py', 2, 'g'), flt(1.5), '0')))).message).toBe(
      'not a pstats dump: the call b.py:2:g -> a.py:1:f is a float, expected an integer',
    );
  });

  test('callers dicts shared by reference cannot multiply the work', () => {
    // Every entry's callers is 'r' to the first one: more edges than the file has bytes.
    // Slots: 0 the top dict, 1 'a.py', 2 'f', 3 the first callers dict.
    const callers = bytes(ref('{'), ...Array.from({ length: 100 }, (_, i) => bytes(key('c.py', i, 'c'), int(1))), '0');
    const first = bytes(small(3), ref('z'), 4, 'a.py', int(0), ref('z'), 1, 'f');
    const entries = [bytes(first, small(5), int(1), int(1), flt(1), flt(1), callers)];
    for (let i = 1; i < 400; i++) {
      entries.push(bytes(small(3), 'r', i32(1), int(i), 'r', i32(2), small(5), int(1), int(1), flt(1), flt(1), 'r', i32(3)));
    }
    const b = bytes(ref('{'), ...entries, '0');
    expect(b.length).toBeLessThan(400 * 100);
    expect(loadError(b).message).toBe('not a pstats dump: more call edges than the file has bytes (reused references)');
    // with fewer entries the same sharing is legal, if odd
    const ok = bytes(ref('{'), ...entries.slice(0, 3), '0');
    expect(callGraphObjects(readPstats(ok))[2].callers).toHaveLength(100);
  });

  test('readProfile (input format pstats) puts the file name first', () => {
    expect(() => readProfile(new Uint8Array(0), 'x.prof', 'pstats')).toThrow(new FlameprofError('x.prof: empty file'));
    expect(() => readProfile(bytes(ref('['), i32(0)), 'dir/y.prof', 'pstats')).toThrow(
      'dir/y.prof: not a pstats dump: top-level object is a list, expected a dict',
    );
  });
});

describe('readInputFile', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'flameprof-load-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a missing file', () => {
    const p = join(dir, 'nope.prof');
    expect(() => readInputFile(p)).toThrow(new FlameprofError(`${p}: no such file`));
  });
  test('a directory', () => {
    expect(() => readInputFile(dir)).toThrow(new FlameprofError(`${dir}: is a directory, expected a profile file`));
  });
  test('a file', () => {
    const p = join(dir, 'a.prof');
    writeFileSync(p, fixture('empty.prof'));
    expect(readInputFile(p)).toEqual(fixture('empty.prof'));
  });
});

describe('Python specifics survive into the model', () => {
  test('a lone surrogate in a name stays a lone surrogate', () => {
    const name = bytes('u', i32(5), 'f', 0xed, 0xa0, 0x80, 'g');
    const b = bytes(ref('{'), small(3), z('a.py'), int(1), name, stat(bytes('{', '0')), '0');
    const p = readPstats(b);
    expect(callGraphObjects(p)[0].key.name).toBe('f\ud800g');
  });
  test('Python 2 byte strings read as Latin-1', () => {
    const stat2 = bytes('(', i32(5), int(1), int(1), flt(0.5), flt(0.5), '{', '0');
    const b = bytes('{', '(', i32(3), 's', i32(5), 'caf', 0xe9, '!', int(3), 't', i32(1), 0xff, stat2, '0');
    const p = readPstats(b);
    expect(p.pythonVersion).toBe(2);
    expect(callGraphObjects(p)[0].key).toEqual({ file: 'caf\u00e9!', line: 3, name: '\u00ff' });
  });
  test('a caller listed twice keeps its first place and its last value, as a Python dict does', () => {
    const c1 = key('b.py', 2, 'g');
    const c2 = key('c.py', 3, 'h');
    const edge = (n: number) => bytes(small(4), int(n), int(n), flt(0.1), flt(0.1));
    const b = bytes(ref('{'), key('a.py', 1, 'f'), stat(bytes('{', c1, edge(1), c2, edge(2), c1, edge(3), '0')), '0');
    const p = readPstats(b);
    expect(callGraphObjects(p)[0].callers.map((e) => [callGraphObjects(p)[e.caller].key.name, e.timing.nc])).toEqual([
      ['g', 3],
      ['h', 2],
    ]);
    // the same bytes, as Python reads them
    const py = spawnSync('python3', ['-c', 'import marshal,sys; d=marshal.loads(sys.stdin.buffer.read()); print([(k[2], v[0]) for k, v in list(d.values())[0][4].items()])'], { input: b });
    expect(py.stdout.toString().trim()).toBe("[('g', 3), ('h', 2)]");
  });
  test('a caller without an entry of its own gets an empty one', () => {
    const b = bytes(ref('{'), key('a.py', 1, 'f'), stat(bytes('{', key('b.py', 2, 'g'), int(4), '0')), '0');
    const p = readPstats(b);
    expect(callGraphObjects(p)).toHaveLength(2);
    expect(callGraphObjects(p)[1]).toEqual({ key: { file: 'b.py', line: 2, name: 'g' }, stat: { cc: 0, nc: 0, tt: 0, ct: 0 }, callers: [] });
  });
});

/* ---------- round trips through our encoder ---------- */

/** A profile with the awkward parts: non-ASCII, a lone surrogate, big counts, shared keys. */
function awkward(estimated: boolean): CallGraphProfile {
  const keys: FuncKey[] = [
    { file: '~', line: 0, name: "<built-in method builtins.exec>" },
    { file: '/home/dév/app.py', line: 1, name: '<module>' },
    { file: '/home/dév/app.py', line: 12, name: 'f\ud800' },
    { file: '/home/dév/app.py', line: 40, name: 'smile \u{1f600} \u4e2d' },
    { file: 'x'.repeat(300), line: 2 ** 31, name: 'long_path' },
  ];
  const t = (cc: number, nc: number, tt: number, ct: number): Timing => ({ cc, nc, tt, ct });
  const e = (caller: number, timing: Timing): CallEdge =>
    estimated ? { caller, timing: { cc: timing.nc, nc: timing.nc, tt: 0, ct: 0 }, estimated } : { caller, timing, estimated };
  return callGraphFromObjects([
      { key: keys[0], stat: t(1, 1, 0.5, 10.25), callers: [] },
      { key: keys[1], stat: t(1, 1, 0.125, 9.75), callers: [e(0, t(1, 1, 0.125, 9.75))] },
      { key: keys[2], stat: t(3, 5_000_000_000, 4, 8), callers: [e(1, t(2, 3, 2, 4)), e(2, t(1, 4_999_999_997, 2, 4))] },
      { key: keys[3], stat: t(7, 7, 1e-9, 1e300), callers: [e(2, t(7, 7, 1e-9, 1e300))] },
      { key: keys[4], stat: t(-1, 2 ** 53 + 2, 0, -0), callers: [e(3, t(1, 2 ** 53 + 2, 0, 0))] },
  ]);
}

/** Run python3 on a dump: pstats.Stats(path).stats as [file, line, name, cc, nc, tt, ct, callers]. */
function pythonReads(buf: Uint8Array): KnownFunction[] {
  const dir = mkdtempSync(join(tmpdir(), 'flameprof-rt-'));
  try {
    const p = join(dir, 'out.prof');
    writeFileSync(p, buf);
    const script = [
      'import json, pstats, sys',
      'st = pstats.Stats(sys.argv[1]).stats',
      'out = [[k[0], k[1], k[2], s[0], s[1], s[2], s[3],',
      '        [list(ck) + (list(cv) if isinstance(cv, tuple) else [cv]) for ck, cv in s[4].items()]]',
      '       for k, s in st.items()]',
      'sys.stdout.write(json.dumps(out))',
    ].join('\n');
    const r = spawnSync('python3', ['-c', script, p], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return JSON.parse(r.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('round trip: encodePstats -> readPstats', () => {
  test.each(profFiles)('%s, both dialects', (name) => {
    const p = load(name);
    for (const dialect of [3, 2] as const) {
      const back = readPstats(encodePstats(p, dialect));
      expect(back.pythonVersion).toBe(dialect);
      expect(callGraphObjects(back)).toEqual(callGraphObjects(p));
    }
  });

  test.each([false, true])('non-ASCII, lone surrogates, big numbers (estimated edges: %s), both dialects', (estimated) => {
    const p = awkward(estimated);
    for (const dialect of [3, 2] as const) {
      const back = readPstats(encodePstats(p, dialect));
      expect(back.pythonVersion).toBe(dialect);
      expect(callGraphObjects(back)).toEqual(callGraphObjects(p));
    }
  });

  test('the encoder refuses a count that is not an integer', () => {
    const p = awkward(false);
    const broken = callGraphFromObjects([{ ...callGraphObjects(p)[0], stat: { cc: 1.5, nc: 1, tt: 0, ct: 0 } }]);
    expect(() => encodePstats(broken)).toThrow(RangeError);
  });
});

describe('python3 reads what our encoder writes (pstats.Stats)', () => {
  test.each(['recursion.prof', 'pyprofile.prof', 'multiroot.prof'])('%s', (name) => {
    const out = pythonReads(encodePstats(load(name), 3));
    expect(out).toEqual(known.files[name].functions);
  });

  test.each([false, true])('the awkward profile (estimated edges: %s)', (estimated) => {
    const p = awkward(estimated);
    const got = pythonReads(encodePstats(p, 3)).map(fromPython);
    expect(got).toEqual(plain(p));
  });
});
