/**
 * The Python side (python/flameprof_py) as the CLI uses it, with the machine's default python3:
 * the sampler under `-r --sample` (with --toggle under a storm of SIGUSR2), `-r --threads`, and
 * what a live Collector writes, read back by our readers. The package's own behaviour (the
 * collector, the middleware behind real WSGI servers, the file writer, the pytest plugin) is
 * tested with pytest in python/tests; the sampler's overhead in `npm run bench`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readProfile } from '../../src/pipeline';
import type { SampledProfile } from '../../src/model/profile';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'flameprof.js');
const PROGRAMS = join(ROOT, 'test', 'fixtures', 'programs');
const program = (name: string): string => join(PROGRAMS, name);
const PYPATH = join(ROOT, 'python');
const ENV = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flameprof-py-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function flameprof(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, env: ENV, encoding: 'utf8', timeout: 60000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function python(code: string, args: string[] = [], cwd = dir): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('python3', ['-c', code, ...args], { cwd, env: { ...ENV, PYTHONPATH: PYPATH }, encoding: 'utf8', timeout: 60000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Samples per stack of a folded log: stack -> count. */
function folded(path: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of readFileSync(path, 'utf8').split('\n').filter(Boolean)) {
    const at = line.lastIndexOf(' ');
    m.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return m;
}

/** Samples whose stack passes through a frame of function `fn` of `file`. */
function samplesIn(stacks: Map<string, number>, file: string, fn: string): number {
  let n = 0;
  for (const [stack, count] of stacks) if (stack.split(';').some((f) => f.startsWith(`${file}:`) && f.endsWith(`:${fn}`))) n += count;
  return n;
}

test('flameprof --python-path prints the folder that holds the package, importable from there', () => {
  const r = flameprof(['--python-path']);
  expect([r.status, r.stdout]).toEqual([0, `${PYPATH}\n`]);
  const imported = python('from flameprof_py import Collector, ProfileMiddleware, profile; print(Collector.__module__, ProfileMiddleware.__name__, profile.__name__)');
  expect([imported.status, imported.stdout]).toEqual([0, 'flameprof_py.sampler ProfileMiddleware profile\n']);
});

describe('-r --sample', () => {
  test('the hot function holds its share of the samples, each thread is a root, no green frames', () => {
    const log = join(dir, 'hot.log');
    const r = flameprof(['-r', program('hot_cold.py'), '--sample', '--interval', '5', '--format=log', '-o', log]);
    expect([r.status, r.stderr]).toEqual([0, `flameprof: wrote ${log}\n`]);
    const stacks = folded(log);
    const file = program('hot_cold.py');
    const hot = samplesIn(stacks, file, 'hot');
    const cold = samplesIn(stacks, file, 'cold');
    const worker = samplesIn(stacks, file, 'worker');
    // 0.6 s, 0.2 s and 0.3 s of CPU at 5 ms: about 120, 40 and 60 samples.
    expect(hot + cold).toBeGreaterThan(80);
    expect(hot / (hot + cold)).toBeGreaterThan(0.65);
    expect(hot / (hot + cold)).toBeLessThan(0.85);
    expect(worker / (hot + cold + worker)).toBeGreaterThan(0.17);
    expect(worker / (hot + cold + worker)).toBeLessThan(0.37);
    const roots = new Set([...stacks.keys()].map((s) => s.split(';')[0]));
    expect([...roots].sort()).toEqual(['<thread>:0:MainThread', '<thread>:0:worker-1']);
    // Frames are file:first-line:function, the program's own outermost: none of the runner's.
    expect([...stacks.keys()].every((s) => !s.includes('<string>') && !s.includes('runpy'))).toBe(true);
    expect([...stacks.keys()].some((s) => s.startsWith(`<thread>:0:MainThread;${file}:1:<module>;${file}:14:hot;${file}:6:spin`))).toBe(true);
    // Rendered like any sampled input: exact stacks, so nothing is green.
    const svg = join(dir, 'hot.svg');
    expect(flameprof(['-r', program('hot_cold.py'), '--sample', '-o', svg]).status).toBe(0);
    expect(readFileSync(svg, 'utf8')).not.toContain('rgb(44,255,210)');
  });

  test('--toggle starts paused, and SIGUSR2 turns collection on and off', () => {
    const log = join(dir, 'toggled.log');
    const r = flameprof(['-r', program('toggled.py'), '--sample', '--toggle', '--interval', '5', '--format=log', '-o', log]);
    expect(r.status).toBe(0);
    const stacks = folded(log);
    const file = program('toggled.py');
    expect(samplesIn(stacks, file, 'during')).toBeGreaterThan(20);
    expect(samplesIn(stacks, file, 'before')).toBe(0);
    expect(samplesIn(stacks, file, 'after')).toBe(0);
  });

  test('--wall samples sleeping too; bad settings are usage errors', () => {
    const log = join(dir, 'sleepy.log');
    const child = spawn(process.execPath, [CLI, '-r', program('sleepy.py'), '--sample', '--wall', '--format=log', '-o', log], { cwd: dir, env: ENV });
    return new Promise<void>((done) => {
      child.stdout.once('data', () => setTimeout(() => child.kill('SIGTERM'), 300));
      child.on('close', (code) => {
        expect(code).toBe(143);
        // Under CPU time a sleeping program gets next to no samples; under wall time, many.
        expect(samplesIn(folded(log), program('sleepy.py'), 'doze')).toBeGreaterThan(10);
        for (const [args, message] of [
          [['--interval', '5', 'x.prof'], '--interval works only with --sample'],
          [['-r', 'a.py', '--wall'], '--wall works only with --sample'],
          [['-r', 'a.py', '--sample', '--interval', '0.5'], "--interval must be at least 1, got '0.5'"],
          [['-r', 'a.py', '--sample', '--cpu'], '--sample cannot be used with --cpu (the sampler counts CPU time unless --wall)'],
          [['--sample', 'x.prof'], '--sample works only with -r/--run or -m/--module'],
        ] as const) {
          const u = flameprof([...args]);
          expect([u.status, u.stderr]).toEqual([2, `flameprof: ${message} (see 'flameprof --help')\n`]);
        }
        done();
      });
    });
  });
});

test('a storm of 400 SIGUSR2 against -r --sample --toggle: the program ends on its own, output and exit code intact', async () => {
  const log = join(dir, 'storm.log');
  const child = spawn(process.execPath, [CLI, '-r', program('busy_pid.py'), '--sample', '--toggle', '--format=log', '-o', log], { cwd: dir, env: ENV });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += String(d)));
  const ended = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  child.stdout.on('data', (d: Buffer) => {
    const first = out === '';
    out += String(d);
    const pid = /^ready (\d+)\n/.exec(out);
    if (first && pid) for (let i = 0; i < 400; i++) process.kill(Number(pid[1]), 'SIGUSR2');
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30000);
  const code = await ended;
  clearTimeout(timer);
  // Signals coalesce, so whether collection ends on or off is not known: it may hold no samples.
  const quiet = err.replace('flameprof: warning: the profile holds no samples: nothing to draw\n', '');
  expect([code, out.replace(/^ready \d+\n/, ''), quiet]).toEqual([3, Array.from({ length: 10 }, (_, i) => `step ${i}\n`).join(''), `flameprof: wrote ${log}\n`]);
});

test('what a live Collector saves, as folded stacks and as plop, our readers read alike', () => {
  const r = spawnSync('python3', [program('live_collector.py')], { cwd: dir, env: { ...ENV, PYTHONPATH: PYPATH }, encoding: 'utf8', timeout: 60000 });
  expect([r.status, r.stderr]).toEqual([0, '']);
  const samples = Number(r.stdout);
  expect(samples).toBeGreaterThan(30);
  const fromPlop = readProfile(readFileSync(join(dir, 'live.plop')), 'live.plop') as SampledProfile;
  const fromFolded = readProfile(readFileSync(join(dir, 'live.folded')), 'live.folded') as SampledProfile;
  const total = (p: SampledProfile): number => p.stacks.reduce((a, s) => a + s.weight, 0);
  expect([total(fromPlop), total(fromFolded)]).toEqual([samples, samples]);
  const stacks = folded(join(dir, 'live.folded'));
  expect(samplesIn(stacks, program('live_collector.py'), 'measured')).toBeGreaterThan(0.8 * samples);
  expect(samplesIn(stacks, program('live_collector.py'), 'idle_work')).toBe(0);
  expect(flameprof(['-o', join(dir, 'live.svg'), join(dir, 'live.plop')]).status).toBe(0);
});

test('-r --threads: the worker threads doing the work appear, a root each', () => {
  const log = join(dir, 'threads.log');
  const r = flameprof(['-r', program('threaded.py'), '--threads', '--format=log', '-o', log]);
  expect([r.status, r.stderr]).toEqual([0, `flameprof: wrote ${log}\n`]);
  const text = readFileSync(log, 'utf8');
  const file = program('threaded.py');
  for (const [thread, fn] of [
    ['alpha', 'work_a'],
    ['beta', 'work_b'],
  ]) {
    expect(text).toMatch(new RegExp(`^<thread>:0:${thread};.*${file.replace(/[.]/g, '\\.')}:\\d+:${fn};${file.replace(/[.]/g, '\\.')}:\\d+:crunch \\d+$`, 'm'));
  }
  expect(text).toMatch(/^<thread>:0:MainThread;/m);
  // Without --threads, only the main thread is there: the work is missing.
  const plain = join(dir, 'plain.log');
  expect(flameprof(['-r', program('threaded.py'), '--format=log', '-o', plain]).status).toBe(0);
  expect(readFileSync(plain, 'utf8')).not.toContain(':crunch');
});

test('-m MODULE --sample, and -m pytest under cProfile, as python -m runs them', () => {
  const log = join(dir, 'tool.log');
  const r = spawnSync(process.execPath, [CLI, '-m', 'runpkg.tool', '--sample', '--wall', '--interval', '1', '--format=log', '-o', log, '--', 'a', 'b'], {
    cwd: PROGRAMS,
    env: ENV,
    encoding: 'utf8',
  });
  expect([r.status, r.stdout]).toEqual([0, 'tool __main__ a b\n']);
  expect(readFileSync(log, 'utf8')).toMatch(/^<thread>:0:MainThread;.*runpkg\/tool\.py:\d+:tool_main/m);
  const tests = join(dir, 'pytest.log');
  const t = spawnSync(process.execPath, [CLI, '-m', 'pytest', '--threshold', '0.0001', '--format=log', '-o', tests, '--', '-q', join(PROGRAMS, 'pytests')], {
    cwd: dir,
    env: ENV,
    encoding: 'utf8',
  });
  expect(t.status).toBe(0);
  expect(t.stdout).toMatch(/2 passed/);
  expect(readFileSync(tests, 'utf8')).toContain(':test_fib');
});


test('SIGUSR1 to flameprof during -r --sample draws the samples so far to the output, and the run goes on to the whole graph', async () => {
  const log = join(dir, 'snap.log');
  const child = spawn(process.execPath, [CLI, '-r', program('busy_pid.py'), '--sample', '--format=log', '-o', log], { cwd: dir, env: ENV });
  let out = '';
  let err = '';
  let asked = false;
  let snapshot: { samples: number; programDone: boolean } | undefined;
  const ended = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  child.stdout.on('data', (d: Buffer) => {
    out += String(d);
    // Halfway through the work, to flameprof itself (the sampler's signals are passed on).
    if (out.includes('step 4\n') && !asked) {
      asked = true;
      child.kill('SIGUSR1');
    }
  });
  child.stderr.on('data', (d: Buffer) => {
    err += String(d);
    if (err.includes('wrote a snapshot') && snapshot === undefined) {
      snapshot = { samples: [...folded(log).values()].reduce((a, b) => a + b, 0), programDone: out.includes('step 9\n') };
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30000);
  const code = await ended;
  clearTimeout(timer);
  expect([code, err]).toEqual([3, `flameprof: wrote a snapshot to ${log}\nflameprof: wrote ${log}\n`]);
  const final = [...folded(log).values()].reduce((a, b) => a + b, 0);
  // Drawn while the program ran: some of its 1.5 s of work at 10 ms, and less than the whole.
  expect(snapshot?.programDone).toBe(false);
  expect(snapshot!.samples).toBeGreaterThan(10);
  expect(snapshot!.samples).toBeLessThan(final);
});

test('-r --sample --lines: frames carry the line run, so the hot loop shows its own line', () => {
  const log = join(dir, 'lines.log');
  const file = program('busy_pid.py');
  const r = flameprof(['-r', file, '--sample', '--lines', '--format=log', '-o', log]);
  expect([r.status, r.stderr]).toEqual([3, `flameprof: wrote ${log}\n`]);
  const loop = readFileSync(file, 'utf8').split('\n').indexOf('    while time.process_time() < end:') + 1;
  const byLine = new Map<number, number>();
  for (const [stack, n] of folded(log)) {
    const leaf = /:(\d+):work$/.exec(stack);
    if (leaf) byLine.set(Number(leaf[1]), (byLine.get(Number(leaf[1])) ?? 0) + n);
  }
  const all = [...byLine.values()].reduce((a, b) => a + b, 0);
  expect(all).toBeGreaterThan(50);
  expect((byLine.get(loop) ?? 0) + (byLine.get(loop + 1) ?? 0)).toBeGreaterThan(0.8 * all);
  // Without --lines, the function's first line.
  const plain = join(dir, 'plain.log');
  expect(flameprof(['-r', file, '--sample', '--format=log', '-o', plain]).status).toBe(3);
  expect(readFileSync(plain, 'utf8')).toMatch(new RegExp(`:${loop - 2}:work \\d+$`, 'm'));
  expect(flameprof(['-r', file, '--lines']).stderr).toBe("flameprof: --lines works only with --sample (see 'flameprof --help')\n");
});
