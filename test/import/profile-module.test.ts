/**
 * Dumps of Python's pure-Python `profile` module, whose keys can hold a code object (the
 * code `profile.run` executes): made here by the machine's real python3, read as pstats
 * reads them; and code objects in each Python's marshal layout.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeMarshal, type PyValue } from '../../src/import/marshal';
import { readProfile } from '../../src/pipeline';
import type { CallGraphProfile } from '../../src/model/profile';
import { buildFrames, renderToString } from '../../src/pipeline';
import { callGraphObjects } from '../../src/model/objects';

const ROOT = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'flameprof-profile-module-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What pstats makes of a dump: its functions, own time in all, and the code object's key. */
function pstatsView(dump: string): { count: number; totalTt: number; codeKeys: string[] } {
  const code = [
    'import json, pstats, re, sys',
    's = pstats.Stats(sys.argv[1])',
    'keys = [k for k in s.stats if not isinstance(k[2], str)]',
    // pstats prints the code object's repr; ours drops the address, which changes every run.
    'names = ["%s:%d:<code object %s, file \\"%s\\", line %d>" % (k[0], k[1], k[2].co_name, k[2].co_filename, k[2].co_firstlineno) for k in keys]',
    'print(json.dumps({"count": len(s.stats), "totalTt": sum(v[2] for v in s.stats.values()), "codeKeys": names}))',
  ].join('\n');
  const r = spawnSync('python3', ['-c', code, dump], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as { count: number; totalTt: number; codeKeys: string[] };
}

test.each(['pipeline', 'recursive', 'shared'])('python3 -m profile on samples/%s.py reads as pstats reads it', (name) => {
  const dump = join(dir, `${name}.prof`);
  const made = spawnSync('python3', ['-m', 'profile', '-o', dump, join('samples', `${name}.py`)], { cwd: ROOT, encoding: 'utf8' });
  expect(made.status).toBe(0);
  const p = readProfile(readFileSync(dump), dump) as CallGraphProfile;
  const want = pstatsView(dump);
  expect(callGraphObjects(p).length).toBe(want.count);
  expect(callGraphObjects(p).reduce((a, f) => a + f.stat.tt, 0)).toBeCloseTo(want.totalTt, 12);
  const labels = callGraphObjects(p).map((f) => `${f.key.file}:${f.key.line}:${f.key.name}`);
  expect(want.codeKeys.length).toBeGreaterThan(0);
  for (const k of want.codeKeys) expect(labels).toContain(k);
  // And it draws: the code's frame is the root of the flame.
  const log = renderToString(buildFrames(p), { format: 'log' });
  expect(log.split('\n')[0]).toMatch(new RegExp(`^profile:0:<code object <module>, file "samples/${name}\\.py", line 1> \\d+$`));
});

/** Marshal bytes, written by hand for the layouts no Python on this machine writes. */
function code(ints: number, objects: Buffer[], after: number): Buffer {
  const i32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeInt32LE(n);
    return b;
  };
  const parts = [Buffer.from('c'), ...Array.from({ length: ints }, () => i32(0)), ...objects, i32(42)];
  for (let k = 0; k < after; k++) parts.push(bytes('x'));
  return Buffer.concat(parts);
}
const str = (s: string): Buffer => Buffer.concat([Buffer.from([0x7a, s.length]), Buffer.from(s, 'latin1')]);
const bytes = (s: string): Buffer => Buffer.concat([Buffer.from('s'), Buffer.from([s.length, 0, 0, 0]), Buffer.from(s, 'latin1')]);
const tuple = Buffer.from([0x29, 0]);
const tuple2 = Buffer.from([0x28, 0, 0, 0, 0]);

test.each([
  ['3.11 and later', code(5, [bytes('\x97\x00'), tuple, tuple, tuple, bytes(''), str('f.py'), str('fn'), str('fn')], 2)],
  ['3.8 to 3.10', code(6, [bytes('d\x00'), tuple, tuple, tuple, tuple, tuple, str('f.py'), str('fn')], 1)],
  ['3.0 to 3.7', code(5, [bytes('d\x00'), tuple, tuple, tuple, tuple, tuple, str('f.py'), str('fn')], 1)],
  ['2.7', code(4, [bytes('d\x00'), tuple2, tuple2, tuple2, tuple2, tuple2, bytes('f.py'), bytes('fn')], 1)],
])('a code object as Python %s writes it', (which, bytesOfCode) => {
  // Python 2 has no short tuples or strings: the key is written as Python 2 writes it there.
  const head = which === '2.7' ? Buffer.concat([Buffer.from([0x28, 3, 0, 0, 0]), bytes('profile')]) : Buffer.concat([Buffer.from([0x29, 3]), str('profile')]);
  const key = Buffer.concat([head, Buffer.from([0x69, 0, 0, 0, 0]), bytesOfCode]);
  const v = decodeMarshal(key).value as Extract<PyValue, { type: 'tuple' }>;
  expect(v.items[2]).toEqual({ type: 'code', filename: 'f.py', name: 'fn', firstlineno: 42 });
});

test('a code object that fits no layout is a MarshalError naming its byte', () => {
  const bad = Buffer.concat([Buffer.from('c'), Buffer.alloc(24)]);
  expect(() => decodeMarshal(bad)).toThrow(/bad marshal data at byte 0: expected a code object of Python 2\.7 or 3|truncated/);
});
