/**
 * --format=pprof (src/render/pprof.ts), read back by Go's own `go tool pprof -top`: its flat
 * times are our own times, ranked as pstats ranks the dump's functions by own time; sampled
 * counts stay counts; our reader gives back the log we started from.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFrames, readProfile, renderToString } from '../../src/pipeline';
import { go, pprofTop } from '../helpers/go';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'flameprof.js');
const PIPELINE = join(ROOT, 'samples', 'pipeline.prof');
const PLOP = join(ROOT, 'test', 'fixtures', 'sampled', 'plopload.flame');

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'flameprof-pprof-out-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8' });

test("a pstats dump: go tool pprof -top ranks the functions as pstats ranks them by own time, and says the stacks are estimated", () => {
  const out = join(dir, 'pipeline.pb.gz');
  expect(cli('--format=pprof', '--threshold', '0', '-o', out, PIPELINE).status).toBe(0);
  expect(readFileSync(out).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  const top = pprofTop(out);
  const py = spawnSync('python3', ['-c', 'import pstats, sys, json; s = pstats.Stats(sys.argv[1]); print(json.dumps(sorted(((v[2], k[2]) for k, v in s.stats.items() if v[2] > 0), reverse=True)))', PIPELINE], { encoding: 'utf8' });
  const byOwn = (JSON.parse(py.stdout) as Array<[number, string]>).map(([, name]) => name);
  expect(top.slice(0, 8).map((r) => r.name)).toEqual(byOwn.slice(0, 8));
  expect(go(['tool', 'pprof', '-raw', out])).toContain("the stacks are flameprof's estimate from a pstats dump");
});

test('sampled stacks: counts, as the folded log has them', () => {
  const out = join(dir, 'plop.pb.gz');
  expect(cli('--format=pprof', '--threshold', '0', '-o', out, PLOP).status).toBe(0);
  const raw = go(['tool', 'pprof', '-raw', out]);
  expect(raw).toMatch(/^samples\/count$/m);
  const total = cli('--format=log', '--threshold', '0', PLOP).stdout.split('\n').filter(Boolean).reduce((a, l) => a + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  expect(go(['tool', 'pprof', '-top', out])).toContain(`of ${total} total`);
});

test.each([[PIPELINE], [PLOP]])('%s: our pprof, read back by our reader, gives the log we started from', (input) => {
  const out = join(dir, 'back.pb.gz');
  expect(cli('--format=pprof', '-o', out, input).status).toBe(0);
  const back = cli('--format=log', out);
  expect(back.status).toBe(0);
  const sorted = (s: string) => s.split('\n').filter(Boolean).sort();
  expect(sorted(back.stdout)).toEqual(sorted(cli('--format=log', input).stdout));
});

test('pprof holds the flame only, and is bytes: never a string, never written to a terminal', () => {
  const r = cli('--format=pprof', '--inverted-only', PIPELINE);
  expect([r.status, r.stderr]).toEqual([2, "flameprof: --inverted-only draws svg or html: the pprof output holds the flame only (see 'flameprof --help')\n"]);
  const frames = buildFrames(readProfile(readFileSync(PIPELINE), PIPELINE));
  expect(() => renderToString(frames, { format: 'pprof' })).toThrow('the pprof output is binary, not text: use render() for its bytes');
  // A terminal as standard output (util-linux's script gives the command one).
  const tty = spawnSync('script', ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} --format=pprof ${JSON.stringify(PIPELINE)}`, '/dev/null'], { encoding: 'utf8' });
  expect([tty.status, tty.stdout.trim()]).toEqual([2, "flameprof: the pprof output is binary: give -o FILE, or redirect standard output (see 'flameprof --help')"]);
});

test('-r writes profiles/NAME-TIME.pb.gz', () => {
  const script = join(dir, 'work.py');
  writeFileSync(script, 'def f():\n    return sum(range(10000))\nf()\n');
  const r = cli('--format=pprof', '-r', script);
  const m = /^flameprof: wrote (profiles\/work-\d{8}-\d{6}\.pb\.gz)\n$/.exec(r.stderr);
  expect([r.status, m !== null]).toEqual([0, true]);
  expect(pprofTop(join(dir, m![1])).some((row) => row.name === 'f')).toBe(true);
});
