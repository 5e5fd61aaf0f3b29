/**
 * Reading pprof profiles (src/import/pprof.ts): a Go CPU profile from speedscope's samples,
 * and one a Go program writes in the test, each read with the shares `go tool pprof -top`
 * gives; the sample type chosen; bad data one line.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { exactStats } from '../../src/frames/exact';
import type { SampledProfile } from '../../src/model/profile';
import { buildFrames, readProfile } from '../../src/pipeline';
import { go, pprofTop } from '../helpers/go';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'flameprof.js');
const DIR = join(ROOT, 'test', 'fixtures', 'interchange');
const SIMPLE = join(DIR, 'pprof-simple.prof');

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'flameprof-pprof-in-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Each function's own share of the total, in per cent, by name: what -top calls flat%. */
function ownShares(p: SampledProfile): Map<string, number> {
  const x = exactStats(p);
  const total = x.tt.reduce((a, b) => a + b, 0);
  const out = new Map<string, number>();
  p.funcs.forEach((k, i) => out.set(k.name, (out.get(k.name) ?? 0) + (100 * x.tt[i]) / total));
  return out;
}

test("a Go CPU profile (speedscope's sample): gzipped, detected from its content, read with go tool pprof's shares", () => {
  const p = readProfile(readFileSync(SIMPLE), SIMPLE) as SampledProfile;
  expect([p.kind, p.format, p.unit]).toEqual(['sampled', 'pprof', 'seconds']);
  const ours = ownShares(p);
  const top = pprofTop(SIMPLE);
  expect(top.length).toBeGreaterThan(5);
  for (const row of top) expect([row.name, Math.abs((ours.get(row.name) ?? 0) - row.flat) < 0.5]).toEqual([row.name, true]);
  // Exact stacks, in seconds: 1.5 s of CPU, nothing green.
  const frames = buildFrames(p);
  expect(frames.total).toBeCloseTo(1.5, 9);
  expect(frames.flame.toArray().every((f) => f.color === 'normal')).toBe(true);
  // Not gzipped, it reads the same.
  expect(readProfile(gunzipSync(readFileSync(SIMPLE)), 'raw')).toEqual({ ...p, sources: ['raw'] });
});

test('--sample-type chooses the values: samples are counts, cpu nanoseconds are seconds; a missing type is one line', () => {
  const counts = readProfile(readFileSync(SIMPLE), SIMPLE, { sampleType: 'samples' }) as SampledProfile;
  expect(counts.unit).toBe('samples');
  expect(counts.stacks.reduce((a, s) => a + s.weight, 0)).toBe(150);
  const r = spawnSync(process.execPath, [CLI, '--sample-type', 'alloc_space', SIMPLE], { encoding: 'utf8' });
  expect([r.status, r.stdout, r.stderr]).toEqual([1, '', `flameprof: ${SIMPLE}: no sample type 'alloc_space' (--sample-type): the profile has samples, cpu\n`]);
});

test('a Go program writes its own CPU profile; we read it with the shares go tool pprof -top gives, within 5 points', () => {
  const profile = join(dir, 'cpu.pprof');
  go(['run', 'main.go', profile], join(DIR, 'gocpu'));
  const ours = ownShares(readProfile(readFileSync(profile), profile) as SampledProfile);
  const top = pprofTop(profile);
  expect(top.find((r) => r.name === 'main.spin')!.flat).toBeGreaterThan(50);
  for (const row of top) expect([row.name, Math.abs((ours.get(row.name) ?? 0) - row.flat) <= 5]).toEqual([row.name, true]);
  // And by cumulative share: spinAlpha holds about twice spinBeta's time, as -top says.
  const log = spawnSync(process.execPath, [CLI, '--format=log', '--threshold', '0', profile], { encoding: 'utf8' });
  expect(log.status).toBe(0);
  expect(log.stdout).toMatch(/main\.spinAlpha;[^ ]*main\.spin /);
});

test('broken or truncated pprof data is one line naming the file, exit 1', () => {
  const raw = gunzipSync(readFileSync(SIMPLE));
  const cut = join(dir, 'cut.pb');
  writeFileSync(cut, raw.subarray(0, raw.length - 100));
  const r = spawnSync(process.execPath, [CLI, cut], { encoding: 'utf8' });
  expect(r.status).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(new RegExp(`^flameprof: ${cut.replace(/[.]/g, '\\.')}: not a pprof profile: [^\\n]+\\n$`));
});

test('profiles of times merge with each other, not with counts', () => {
  const two = spawnSync(process.execPath, [CLI, '--format=log', SIMPLE, SIMPLE], { encoding: 'utf8' });
  const one = spawnSync(process.execPath, [CLI, '--format=log', SIMPLE], { encoding: 'utf8' });
  const total = (log: string) => log.split('\n').filter(Boolean).reduce((a, l) => a + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  expect([two.status, total(two.stdout)]).toEqual([0, 2 * total(one.stdout)]);
  // Seconds, written as microseconds: 1.5 s of CPU twice.
  expect(total(two.stdout)).toBe(3000000);
  // The one line names the input that does not fit with those before it.
  const flame = join(ROOT, 'test', 'fixtures', 'sampled', 'plopload.flame');
  const mixed = spawnSync(process.execPath, [CLI, SIMPLE, flame], { encoding: 'utf8' });
  expect([mixed.status, mixed.stderr]).toEqual([1, `flameprof: ${flame}: cannot merge profiles of times with profiles of sample counts\n`]);
});
