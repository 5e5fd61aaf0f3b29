/**
 * Reading speedscope files (src/import/speedscope.ts): speedscope's own sample profiles
 * (sampled, evented, and two profiles in one file), and our speedscope export read back.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'flameprof.js');
const DIR = join(ROOT, 'test', 'fixtures', 'interchange');

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'flameprof-speedscope-in-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
const log = (file: string, ...args: string[]) => cli('--format=log', '--threshold', '0', ...args, file);

test('a sampled profile: the stacks and weights of the file (seconds, written in µs)', () => {
  // samples [a,b,c] 1, [a,b,c] 1, [a,b,d] 4, [a,b,c] 3, [a,b] 5 (weights in seconds).
  const r = log(join(DIR, 'speedscope-0.1.2-simple-sampled.speedscope.json'));
  expect([r.status, r.stderr]).toEqual([0, '']);
  expect(r.stdout).toBe('a 0\na;b 5000000\na;b;c 5000000\na;b;d 4000000\n');
});

test('two profiles in one file: a root each, named after the profile', () => {
  const r = log(join(DIR, 'speedscope-0.6.0-two-sampled.speedscope.json'));
  expect(r.status).toBe(0);
  const roots = new Set(r.stdout.split('\n').filter(Boolean).map((l) => l.split(/[; ]/)[0]));
  expect([...roots]).toEqual(['<thread>:0:one', '<thread>:0:two']);
  expect(r.stdout).toContain('<thread>:0:two;a;b;d 4000000\n');
});

test('an evented profile: the time between events goes to the stack open then', () => {
  // a, b, c open at 0; c closes at 2; d is open 2..6; c again 6..9; b and a close at 14.
  // Its unit is "none": counts.
  const r = log(join(DIR, 'speedscope-0.0.1-simple.speedscope.json'));
  expect([r.status, r.stdout]).toEqual([0, 'a 0\na;b 5\na;b;c 5\na;b;d 4\n']);
  // Time with nothing open is idle: no function's, not the thread root's.
  const gaps = join(dir, 'gaps.speedscope.json');
  const events = [['O', 0, 0], ['C', 0, 2], ['O', 0, 5], ['C', 0, 6]].map(([type, frame, at]) => ({ type, frame, at }));
  const profile = (name: string) => ({ type: 'evented', name, unit: 'none', startValue: 0, endValue: 9, events });
  writeFileSync(gaps, JSON.stringify({ $schema: 'https://www.speedscope.app/file-format-schema.json', shared: { frames: [{ name: 'a' }] }, profiles: [profile('main'), profile('worker')] }));
  expect(log(gaps).stdout).toBe('<thread>:0:main 0\n<thread>:0:main;a 3\n<thread>:0:worker 0\n<thread>:0:worker;a 3\n');
});

test.each([['samples/pipeline.prof'], ['samples/shared.prof'], ['test/fixtures/sampled/plopload.plop']])('%s: our speedscope export read back gives the same log as its source', (input) => {
  const file = join(dir, 'export.speedscope.json');
  writeFileSync(file, cli('--format=speedscope', join(ROOT, input)).stdout);
  const sorted = (s: string) => s.split('\n').filter(Boolean).sort();
  const back = cli('--format=log', file);
  expect(back.status).toBe(0);
  expect(sorted(back.stdout)).toEqual(sorted(cli('--format=log', join(ROOT, input)).stdout));
});

test('broken or truncated JSON, and a file of another kind, are one line naming the file', () => {
  const cut = join(dir, 'cut.speedscope.json');
  writeFileSync(cut, '{"$schema": "https://www.speedscope.app/file-format-schema.json", "profiles": [');
  const r = cli(cut);
  expect([r.status, r.stdout]).toEqual([1, '']);
  expect(r.stderr).toMatch(new RegExp(`^flameprof: ${cut.replace(/[.]/g, '\\.')}: not a speedscope file: broken JSON \\([^\\n]+\\)\\n$`));
  const bad = join(dir, 'bad.speedscope.json');
  writeFileSync(bad, JSON.stringify({ $schema: 'https://www.speedscope.app/file-format-schema.json', shared: { frames: [{ name: 'a' }] }, profiles: [{ type: 'sampled', unit: 'none', samples: [[0, 7]], weights: [1] }] }));
  expect(cli(bad).stderr).toBe(`flameprof: ${bad}: not a speedscope file: profile 1, sample 1 names frame 7, which the file does not hold\n`);
  const trace = join(dir, 'trace.json');
  writeFileSync(trace, '{"traceEvents": []}');
  expect(cli(trace).stderr).toMatch(/: not a profile flameprof reads: this is JSON text of another kind \(flameprof reads pprof profiles, pstats dumps, speedscope files, pyinstrument sessions, plop files, folded stacks\)\n$/);
});
