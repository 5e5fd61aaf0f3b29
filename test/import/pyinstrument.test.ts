/**
 * Reading pyinstrument sessions (src/import/pyinstrument.ts): pyinstrument's demo session,
 * whose frames' own times are their `[self]` children, read as exact stacks in seconds.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exactStats } from '../../src/frames/exact';
import type { SampledProfile } from '../../src/model/profile';
import { buildFrames, readProfile, renderToString } from '../../src/pipeline';

const FILE = join(__dirname, '..', 'fixtures', 'interchange', 'pyinstrument-sympy_calculation.json');

interface Node {
  identifier: string;
  time: number;
  children: Node[];
}
const session = JSON.parse(readFileSync(FILE, 'utf8')) as { frame_tree: Node };

test("every frame's own time is its [self] child's: the whole tree's time, on exact stacks", () => {
  const p = readProfile(readFileSync(FILE), FILE) as SampledProfile;
  expect([p.kind, p.format, p.unit]).toEqual(['sampled', 'pyinstrument', 'seconds']);
  // By function, from the file: the [self] times under each frame of it.
  const want = new Map<string, number>();
  const walk = (n: Node, parent: string | undefined): void => {
    const [name, file, line] = n.identifier.split('\0');
    const key = n.identifier === '[self]' ? parent! : `${file}:${line}:${name}`;
    if (n.identifier === '[self]') want.set(key, (want.get(key) ?? 0) + n.time);
    for (const c of n.children ?? []) walk(c, key);
  };
  walk(session.frame_tree, undefined);
  const x = exactStats(p);
  const got = new Map<string, number>();
  p.funcs.forEach((k, i) => x.tt[i] > 0 && got.set(`${k.file}:${k.line}:${k.name}`, x.tt[i]));
  expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
  for (const [k, v] of want) expect([k, Math.abs(got.get(k)! - v) < 1e-9]).toEqual([k, true]);
  const frames = buildFrames(p);
  // Each time is rounded to a microsecond, so the [self] times sum to the root's within a few.
  expect(Math.abs(frames.total - session.frame_tree.time)).toBeLessThan(5e-6);
  // Exact stacks: no green frame, and the header says time on whole stacks.
  expect(frames.flame.toArray().every((f) => f.color === 'normal')).toBe(true);
  expect(renderToString(frames)).toContain('width = time, on whole stacks');
});

test('a broken or truncated session, or a frame without its time, is one line naming the file, exit 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flameprof-pyi-'));
  try {
    const cli = (file: string) => spawnSync(process.execPath, [join(__dirname, '..', '..', 'bin', 'flameprof.js'), file], { encoding: 'utf8' });
    const cut = join(dir, 'cut.pyisession');
    writeFileSync(cut, readFileSync(FILE).subarray(0, 5000));
    const r = cli(cut);
    expect([r.status, r.stdout]).toEqual([1, '']);
    expect(r.stderr).toMatch(/^flameprof: .*cut\.pyisession: not a pyinstrument session: broken JSON \([^\n]+\)\n$/);
    const bad = join(dir, 'bad.pyisession');
    writeFileSync(bad, JSON.stringify({ session: { sample_count: 1 }, frame_tree: { identifier: 'main\0a.py\u00001', children: [] } }));
    expect([cli(bad).status, cli(bad).stderr]).toEqual([1, `flameprof: ${bad}: not a pyinstrument session: a frame needs an "identifier" and a "time" of 0 or more\n`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
