/**
 * `flameprof -r` / `-m`: real Python 3 programs run under cProfile through the built CLI
 * (`node scripts/build.js` first; `npm test` does it).
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readOurSvg } from '../helpers/svg-frames';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'flameprof.js');
const PROGRAMS = join(ROOT, 'test', 'fixtures', 'programs');
const program = (name: string): string => join(PROGRAMS, name);
// No __pycache__ in the fixtures, whatever the programs import.
const ENV = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'flameprof-run-test-'));
});
afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

function flameprof(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    input: opts.input ?? '',
    env: opts.env ?? ENV,
    encoding: 'utf8',
    timeout: 20000,
  });
  if (r.error) throw r.error;
  return r;
}

/** Python's own reading of a dump: function names and the share of own time in `time.sleep`. */
function pstatsSummary(dump: string): { names: string[]; sleepShare: number } {
  const code = [
    'import json, pstats, sys',
    's = pstats.Stats(sys.argv[1])',
    "sleep = sum(v[2] for k, v in s.stats.items() if k[2] == \"<built-in method time.sleep>\")",
    'print(json.dumps({"names": sorted(k[2] for k in s.stats), "sleepShare": sleep / s.total_tt}))',
  ].join('\n');
  const r = spawnSync('python3', ['-c', code, dump], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pstats could not load ${dump}: ${r.stderr}`);
  return JSON.parse(r.stdout) as { names: string[]; sleepShare: number };
}

function frameTitles(svgPath: string): string[] {
  return readOurSvg(readFileSync(svgPath, 'utf8')).frames.map((f) => f.title);
}

const hasFrame = (titles: string[], file: string, fn: string): boolean =>
  titles.some((t) => t.includes(file) && new RegExp(`:\\d+:${fn}\\b`).test(t));

describe('flameprof -r SCRIPT', () => {
  test('stdin and stdout belong to the program; the graph holds its functions', () => {
    const out = join(cwd, 'echo.svg');
    const r = flameprof(['-r', program('echo_upper.py'), '-o', out, '--', 'a b', '--flag', '-x'], { input: 'hello <&> wörld\n' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`HELLO <&> WÖRLD\nargv=${pyRepr([program('echo_upper.py'), 'a b', '--flag', '-x'])}\n`);
    expect(r.stderr).toBe(`to stderr: name=__main__\nflameprof: wrote ${out}\n`);
    const titles = frameTitles(out);
    expect(hasFrame(titles, 'echo_upper.py', 'main')).toBe(true);
    expect(hasFrame(titles, 'echo_upper.py', 'shout')).toBe(true);
  });

  test('without -o the graph goes to profiles/<script>-<timestamp>.svg in the working directory', () => {
    const r = flameprof(['-r', program('echo_upper.py')], { input: 'x' });
    expect(r.status).toBe(0);
    const files = readdirSync(join(cwd, 'profiles'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^echo_upper-\d{8}-\d{6}\.svg$/);
    expect(r.stderr).toContain(`flameprof: wrote ${join('profiles', files[0])}\n`);
    expect(hasFrame(frameTitles(join(cwd, 'profiles', files[0])), 'echo_upper.py', 'shout')).toBe(true);
    // A second run in the same second must not overwrite the first.
    expect(flameprof(['-r', program('echo_upper.py')], { input: 'x' }).status).toBe(0);
    expect(readdirSync(join(cwd, 'profiles'))).toHaveLength(2);
  });

  test("the exit code is the program's, and a failing program still leaves its graph", () => {
    const three = flameprof(['-r', program('exit_three.py'), '-o', join(cwd, 'three.svg')]);
    expect(three.status).toBe(3);
    expect(three.stdout).toBe('leaving\n');
    expect(hasFrame(frameTitles(join(cwd, 'three.svg')), 'exit_three.py', 'leave_with_three')).toBe(true);

    const boom = flameprof(['-r', program('explode.py'), '-o', join(cwd, 'boom.svg')]);
    expect(boom.status).toBe(1);
    // Python's traceback, without our driver's or runpy's frames in it.
    expect(boom.stderr).toMatch(/^Traceback \(most recent call last\):\n {2}File ".*explode\.py", line \d+, in <module>\n/);
    expect(boom.stderr).toContain('RuntimeError: kaboom\n');
    expect(boom.stderr).not.toMatch(/runpy|<string>/);
    const titles = frameTitles(join(cwd, 'boom.svg'));
    expect(hasFrame(titles, 'explode.py', 'light_fuse')).toBe(true);
    expect(hasFrame(titles, 'explode.py', 'detonate')).toBe(true);
  });

  test('--pstat keeps a dump that pstats loads, and it renders to the same graph', () => {
    const out = join(cwd, 'run.svg');
    // --no-js: the embedded script is the bundle's, which a concurrent build may change between runs.
    const r = flameprof(['-r', program('echo_upper.py'), '--pstat', '--no-js', '--title', 'T', '-o', out], { input: 'x' });
    expect(r.status).toBe(0);
    const dump = join(cwd, 'run.prof');
    expect(r.stderr).toContain(`flameprof: wrote ${dump}\n`);
    expect(pstatsSummary(dump).names).toEqual(expect.arrayContaining(['main', 'shout']));
    const again = flameprof(['--no-js', '--title', 'T', '-o', join(cwd, 'again.svg'), dump]);
    expect(again.status).toBe(0);
    expect(readFileSync(join(cwd, 'again.svg'), 'utf8')).toBe(readFileSync(out, 'utf8'));
  });

  test('--cpu measures CPU time: sleeping is most of the wall time, almost none of the CPU time', () => {
    const wall = flameprof(['-r', program('nap_and_spin.py'), '--pstat', '-o', join(cwd, 'wall.svg')]);
    const cpu = flameprof(['-r', program('nap_and_spin.py'), '--cpu', '--pstat', '-o', join(cwd, 'cpu.svg')]);
    expect([wall.status, cpu.status]).toEqual([0, 0]);
    // 0.3 s asleep, 0.1 s spinning: 75% of the wall time on an idle machine (less on a busy
    // one, where spinning takes longer), ~0% of the CPU time.
    const wallShare = pstatsSummary(join(cwd, 'wall.prof')).sleepShare;
    const cpuShare = pstatsSummary(join(cwd, 'cpu.prof')).sleepShare;
    expect(wallShare).toBeGreaterThan(0.3);
    expect(cpuShare).toBeLessThan(0.1);
    expect(hasFrame(frameTitles(join(cwd, 'cpu.svg')), 'nap_and_spin.py', 'spin')).toBe(true);
  });

  test('a missing script: one line naming it, exit 1 (an input problem, not a usage error), no graph', () => {
    const r = flameprof(['-r', 'no_such_script.py']);
    expect([r.status, r.stderr]).toEqual([1, 'flameprof: no_such_script.py: no such file (the script to run)\n']);
    expect(existsSync(join(cwd, 'profiles'))).toBe(false);
  });

  test('a program killed by a signal: exit 128+n; SIGTERM to us still yields the graph', async () => {
    const killed = flameprof(['-r', program('self_kill.py'), '-o', join(cwd, 'k.svg')]);
    expect(killed.status).toBe(137);
    expect(killed.stderr).toBe('flameprof: no profile of ' + program('self_kill.py') + ': Python was killed by SIGKILL before writing one\n');
    expect(existsSync(join(cwd, 'k.svg'))).toBe(false);

    const out = join(cwd, 'term.svg');
    const child = spawn(process.execPath, [CLI, '-r', program('sleepy.py'), '-o', out], { cwd, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    // Let it doze long enough to be more than a sliver of the graph.
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
    expect(code).toBe(143);
    expect(stderr).toBe(`flameprof: wrote ${out}\n`);
    expect(hasFrame(frameTitles(out), 'sleepy.py', 'doze')).toBe(true);
  });
});

describe('flameprof -m MODULE', () => {
  test('runs a package module as python -m does, with its arguments', () => {
    const out = join(cwd, 'tool.svg');
    const r = flameprof(['-m', 'runpkg.tool', '-o', out, '--', 'one', 'two'], { env: { ...ENV, PYTHONPATH: PROGRAMS } });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('tool __main__ one two\n');
    expect(hasFrame(frameTitles(out), 'tool.py', 'tool_main')).toBe(true);
  });

  test('default output is named after the module; a missing module fails like python -m', () => {
    const r = flameprof(['-m', 'runpkg.tool'], { env: { ...ENV, PYTHONPATH: PROGRAMS } });
    expect(r.status).toBe(0);
    expect(readdirSync(join(cwd, 'profiles'))[0]).toMatch(/^runpkg\.tool-\d{8}-\d{6}\.svg$/);

    const missing = flameprof(['-m', 'no_such_module_here']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`${pythonExecutable()}: No module named no_such_module_here\n`);
  });
});

describe('errors before anything runs', () => {
  test('a Python that does not exist', () => {
    const r = flameprof(['-r', program('echo_upper.py'), '--python', 'python9']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("flameprof: cannot run Python 'python9': not found (use --python PATH)\n");
    expect(existsSync(join(cwd, 'profiles'))).toBe(false);
  });

  test.each([
    [['-r', 'a.py', '-m', 'b'], '-r/--run and -m/--module cannot be used together'],
    [['--cpu', 'x.prof'], '--cpu works only with -r/--run or -m/--module'],
    [['--pstat', 'x.prof'], '--pstat works only with -r/--run or -m/--module'],
    [['--python', 'python3.11', 'x.prof'], '--python works only with -r/--run or -m/--module'],
    [['-r', 'a.py', 'x.prof'], "unexpected argument 'x.prof' with -r: no profile inputs with -r, and the program's arguments go after --"],
    [['-m', 'mod', 'arg'], "unexpected argument 'arg' with -m: no profile inputs with -m, and the program's arguments go after --"],
    [['-r', 'a.py', '--pstat', '-o', 'out.prof'], "--pstat would write the dump over the output 'out.prof': give -o another extension"],
    [['-r'], '--run needs a value'],
  ])('%j is a usage error', (args, message) => {
    const r = flameprof(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`flameprof: ${message} (see 'flameprof --help')\n`);
    expect(readdirSync(cwd)).toEqual([]);
  });
});

let executable: string | undefined;
/** sys.executable of python3, which Python's own messages start with. */
function pythonExecutable(): string {
  executable ??= spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim();
  return executable;
}

/** Python's repr of a list of plain strings (no quotes or backslashes in them). */
function pyRepr(items: string[]): string {
  return `[${items.map((s) => `'${s}'`).join(', ')}]`;
}

describe('the program and its children end with us, and behave as under plain python3', () => {
  /** The Python processes whose command line holds `needle` (not flameprof's Node, whose arguments hold it too). */
  function running(needle: string): number[] {
    const r = spawnSync('pgrep', ['-f', needle], { encoding: 'utf8' });
    return r.stdout
      .split('\n')
      .filter(Boolean)
      .map(Number)
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('python');
        } catch {
          return false;
        }
      });
  }

  /** Kill the Python processes still running `needle`, so that a failure cannot outlive its test; their pids. */
  function killLeft(needle: string): number[] {
    const left = running(needle);
    for (const pid of left) process.kill(pid, 'SIGKILL');
    return left;
  }

  async function until(what: () => boolean, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (what()) return true;
      await new Promise((r) => setTimeout(r, 20));
    }
    return what();
  }

  test('flameprof killed by SIGKILL: the program ends and our temporary folder goes', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'flameprof-tmp-'));
    const child = spawn(process.execPath, [CLI, '-r', program('sleepy.py'), '-o', join(cwd, 'x.svg')], {
      cwd,
      env: { ...ENV, TMPDIR: tmp },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((done) => child.stdout.once('data', () => done()));
    expect(running(program('sleepy.py')).length).toBe(1);
    expect(readdirSync(tmp)).toHaveLength(1);
    child.kill('SIGKILL');
    expect(await until(() => running(program('sleepy.py')).length === 0, 8000)).toBe(true);
    expect(await until(() => readdirSync(tmp).length === 0, 2000)).toBe(true);
    rmSync(tmp, { recursive: true, force: true });
  });

  test('a multiprocessing.Pool program, twenty times: no traceback, its answer, nothing left running', () => {
    for (let k = 0; k < 20; k++) {
      const r = flameprof(['-r', program('pool.py'), '-o', join(cwd, `pool-${k}.svg`)]);
      const out = join(cwd, `pool-${k}.svg`);
      expect([k, r.status, r.stdout, r.stderr]).toEqual([k, 0, `${[...Array(200).keys()].reduce((a, n) => a + n * n, 0)}\n`, `flameprof: wrote ${out}\n`]);
    }
    expect(killLeft(program('pool.py'))).toEqual([]);
  });

  test('a child the program SIGTERMs the moment it is forked dies of it, as under plain python3', () => {
    const r = flameprof(['-r', program('fork_term.py'), '-o', join(cwd, 'f.svg')]);
    expect([r.status, r.stdout]).toEqual([0, '20 of 20 ended by SIGTERM\n']);
  });

  test('a forked child still running after the program ends does not hold flameprof back', () => {
    const started = Date.now();
    const r = flameprof(['-r', program('lingering.py'), '-o', join(cwd, 'l.svg'), '--', '60']);
    const took = Date.now() - started;
    const left = killLeft(program('lingering.py'));
    expect([r.status, r.stdout, r.stderr]).toEqual([0, 'parent done\n', `flameprof: wrote ${join(cwd, 'l.svg')}\n`]);
    expect(left).toHaveLength(1);
    expect(took).toBeLessThan(15000);
  });

  test('SIGTERM to flameprof ends a program and its pool workers: exit 143, nothing left running', async () => {
    const child = spawn(process.execPath, [CLI, '-r', program('pool_forever.py'), '-o', join(cwd, 'p.svg')], {
      cwd,
      env: ENV,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((done) => child.stdout.once('data', () => done()));
    expect(running(program('pool_forever.py')).length).toBe(3);
    const ended = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    child.kill('SIGTERM');
    expect(await ended).toBe(143);
    expect(stderr).not.toMatch(/Traceback|Terminated/);
    expect(await until(() => running(program('pool_forever.py')).length === 0, 8000)).toBe(true);
    expect(existsSync(join(cwd, 'p.svg'))).toBe(true);
  });

  test('a forked child that outlives the program writes no dump and prints no traceback', () => {
    const r = flameprof(['-r', program('daemon.py'), '-o', join(cwd, 'd.svg')]);
    // spawnSync returns once the child, which holds our stderr too, has ended.
    expect([r.status, r.stdout, r.stderr]).toEqual([0, 'parent done\n', `flameprof: wrote ${join(cwd, 'd.svg')}\n`]);
  });

  test('__file__ and traceback paths are what plain python3 gives', () => {
    const plain = spawnSync('python3', [join('..', 'programs', 'where_am_i.py')], { cwd: join(PROGRAMS, '..', 'sampled'), encoding: 'utf8' });
    const ours = spawnSync(process.execPath, [CLI, '-r', join('..', 'programs', 'where_am_i.py'), '-o', join(cwd, 'w.svg')], {
      cwd: join(PROGRAMS, '..', 'sampled'),
      env: ENV,
      encoding: 'utf8',
    });
    expect(ours.status).toBe(0);
    expect(ours.stdout).toBe(plain.stdout);
    // Python 3.9 and later make the script's path absolute (this machine's is 3.11).
    expect(plain.stdout.split('\n')[0]).toBe(`${join(PROGRAMS, '..', 'sampled')}/../programs/where_am_i.py`);
  });
});
