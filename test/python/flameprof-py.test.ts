/**
 * The Python side (python/flameprof_py), with the machine's real python3: the sampler under
 * `-r --sample` and as a live Collector, `-r --threads`, the WSGI middleware behind wsgiref on
 * a loopback port, the pytest plugin and the context manager. Everything they write, our CLI
 * reads. (The sampler's overhead is measured in `npm run bench`, not here.)
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readProfile } from '../../src/import/read';
import type { CallGraphProfile, SampledProfile } from '../../src/model/profile';

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
    expect([...roots].sort()).toEqual(['<thread MainThread>', '<thread worker-1>']);
    // Frames are file:first-line:function, the program's own outermost: none of the runner's.
    expect([...stacks.keys()].every((s) => !s.includes('<string>') && !s.includes('runpy'))).toBe(true);
    expect([...stacks.keys()].some((s) => s.startsWith(`<thread MainThread>;${file}:1:<module>;${file}:14:hot;${file}:6:spin`))).toBe(true);
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

test('a Collector in a live process: started and stopped many times, saved as folded and as .plop, both read by our CLI', () => {
  const code = [
    'import time',
    'from flameprof_py import Collector',
    'def busy(s):',
    '    end = time.process_time() + s',
    '    while time.process_time() < end: pass',
    'def idle_work(): busy(0.1)',
    'def measured(): busy(0.1)',
    'c = Collector(interval=0.005)',
    'for _ in range(3):',
    '    c.start(); measured(); c.stop(); idle_work()',
    "c.save('live.folded'); c.save('live.plop')",
    'print(c.samples)',
  ].join('\n');
  const r = python(code);
  expect(r.status).toBe(0);
  expect(Number(r.stdout)).toBeGreaterThan(30);
  const stacks = folded(join(dir, 'live.folded'));
  // Nearly all while measured() ran (a few catch the program in start() or stop()), none between.
  expect(samplesIn(stacks, '<string>', 'measured')).toBeGreaterThan(0.8 * Number(r.stdout));
  expect(samplesIn(stacks, '<string>', 'idle_work')).toBe(0);
  const fromPlop = readProfile(readFileSync(join(dir, 'live.plop')), 'live.plop') as SampledProfile;
  const fromFolded = readProfile(readFileSync(join(dir, 'live.folded')), 'live.folded') as SampledProfile;
  const total = (p: SampledProfile): number => p.stacks.reduce((a, s) => a + s.weight, 0);
  expect(total(fromPlop)).toBe(total(fromFolded));
  expect(total(fromFolded)).toBeGreaterThan(0.8 * Number(r.stdout));
  expect(flameprof(['-o', join(dir, 'live.svg'), join(dir, 'live.plop')]).status).toBe(0);
  // Bad settings say what is wrong.
  const bad = python('from flameprof_py import Collector\nCollector(interval=0.0001)');
  expect(bad.stderr).toMatch(/ValueError: interval must be at least 0\.001 s, got 0\.0001/);
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

test('ProfileMiddleware behind wsgiref on a loopback port: three requests, three dumps named by method and URL', async () => {
  const server = [
    'import sys, threading',
    'from wsgiref.simple_server import make_server, WSGIRequestHandler',
    `sys.path.insert(0, ${JSON.stringify(PROGRAMS)})`,
    'from wsgi_app import app',
    'from flameprof_py import ProfileMiddleware',
    'class Quiet(WSGIRequestHandler):',
    '    def log_message(self, *a): pass',
    "httpd = make_server('127.0.0.1', 0, ProfileMiddleware(app, 'dumps'), handler_class=Quiet)",
    'print(httpd.server_port, flush=True)',
    'for _ in range(3): httpd.handle_request()',
  ].join('\n');
  const child = spawn('python3', ['-c', server], { cwd: dir, env: { ...ENV, PYTHONPATH: PYPATH } });
  const port = await new Promise<number>((done) => child.stdout.once('data', (d: Buffer) => done(Number(String(d).trim()))));
  const bodies: string[] = [];
  for (const [method, path] of [
    ['GET', '/'],
    ['GET', '/api/items'],
    ['POST', '/api/items'],
  ]) {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
    bodies.push(await res.text());
  }
  await new Promise((done) => child.on('close', done));
  expect(bodies.map((b) => b.split(' ').slice(0, 2).join(' '))).toEqual(['GET /', 'GET /api/items', 'POST /api/items']);
  const dumps = readdirSync(join(dir, 'dumps')).sort();
  expect(dumps).toHaveLength(3);
  expect(dumps.map((d) => d.replace(/\.\d+\.\d+\.\d+ms\.prof$/, ''))).toEqual(['GET.api.items', 'GET.root', 'POST.api.items']);
  for (const d of dumps) {
    const p = readProfile(readFileSync(join(dir, 'dumps', d)), d) as CallGraphProfile;
    expect(p.functions.some((f) => f.key.name === 'slow_sum')).toBe(true);
    expect(flameprof(['-o', join(dir, `${d}.svg`), join(dir, 'dumps', d)]).status).toBe(0);
  }
});

test('the pytest plugin profiles setup and calls into one dump, named by --flameprof-out and printed', () => {
  const out = join(dir, 'tests.prof');
  const r = spawnSync('python3', ['-m', 'pytest', '-q', '-p', 'flameprof_py.pytest_plugin', `--flameprof-out=${out}`, join(PROGRAMS, 'pytests')], {
    cwd: dir,
    env: { ...ENV, PYTHONPATH: PYPATH },
    encoding: 'utf8',
  });
  expect(r.status).toBe(0);
  expect(r.stdout).toContain(`flameprof: wrote ${out}`);
  const p = readProfile(readFileSync(out), out) as CallGraphProfile;
  const names = new Set(p.functions.map((f) => f.key.name));
  for (const n of ['fib', 'test_fib', 'test_sorted', 'data']) expect([n, names.has(n)]).toEqual([n, true]);
  expect(flameprof(['-o', join(dir, 'tests.svg'), out]).status).toBe(0);
});

test('with profile(path, cpu=True): the block, in CPU time', () => {
  const code = [
    'import time',
    'from flameprof_py import profile',
    'def nap(): time.sleep(0.3)',
    'def work(): sum(i * i for i in range(300000))',
    "with profile('block.prof', cpu=True):",
    '    nap(); work()',
    "with profile('wall.prof'):",
    '    nap()',
  ].join('\n');
  expect(python(code).status).toBe(0);
  const ct = (file: string, fn: string): number =>
    (readProfile(readFileSync(join(dir, file)), file) as CallGraphProfile).functions.find((f) => f.key.name === fn)!.stat.ct;
  // CPU time leaves the nap out; wall time does not.
  expect(ct('block.prof', 'nap')).toBeLessThan(0.05);
  expect(ct('wall.prof', 'nap')).toBeGreaterThan(0.25);
  expect(ct('block.prof', 'work')).toBeGreaterThan(0);
});

test('-m MODULE --sample, and -m pytest under cProfile, as python -m runs them', () => {
  const log = join(dir, 'tool.log');
  const r = spawnSync(process.execPath, [CLI, '-m', 'runpkg.tool', '--sample', '--wall', '--interval', '1', '--format=log', '-o', log, '--', 'a', 'b'], {
    cwd: PROGRAMS,
    env: ENV,
    encoding: 'utf8',
  });
  expect([r.status, r.stdout]).toEqual([0, 'tool __main__ a b\n']);
  expect(readFileSync(log, 'utf8')).toMatch(/^<thread MainThread>;.*runpkg\/tool\.py:\d+:tool_main/m);
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

test('the wsgi entry wraps FLAMEPROF_WSGI_APP; a dump that cannot be written does not break the response', () => {
  const code = [
    'import os, sys',
    'from wsgiref.util import setup_testing_defaults',
    `sys.path.insert(0, ${JSON.stringify(PROGRAMS)})`,
    "os.environ['FLAMEPROF_WSGI_APP'] = 'wsgi_app:app'",
    "os.environ['FLAMEPROF_WSGI_OUT'] = 'entry-dumps'",
    "os.environ['FLAMEPROF_WSGI_FORMAT'] = '{method}.{url}.prof'",
    'import flameprof_py',
    'def call(app, path):',
    "    env = {'PATH_INFO': path, 'REQUEST_METHOD': 'GET'}",
    '    setup_testing_defaults(env)',
    '    seen = []',
    '    body = b"".join(app(env, lambda status, headers: seen.append(status)))',
    '    return seen[0], body.decode()',
    "print(call(flameprof_py.wsgi, '/a/b'))",
    // A folder that cannot be made: the response still goes out, the failure goes to stderr.
    "open('blocked', 'w').close()",
    "print(call(flameprof_py.ProfileMiddleware(__import__('wsgi_app').app, 'blocked/sub'), '/x'))",
  ].join('\n');
  const r = python(code);
  expect(r.status).toBe(0);
  expect(r.stdout.split('\n').filter(Boolean).map((l) => l.replace(/ \d+\\n/, ''))).toEqual(["('200 OK', 'GET /a/b')", "('200 OK', 'GET /x')"]);
  expect(readdirSync(join(dir, 'entry-dumps'))).toEqual(['GET.a.b.prof']);
  expect(r.stderr).toMatch(/^flameprof_py: could not save the profile of a request: /);
});
