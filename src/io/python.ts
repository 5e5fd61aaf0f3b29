/**
 * Profiling a program directly: run a Python script or module under cProfile or the sampler
 * (python/flameprof_py/run.py does it) and hand back the dump, so that `flameprof -r app.py`
 * is one step instead of two.
 *
 * The program inherits our stdin, stdout and stderr untouched; the dump goes to a temporary
 * file, never through a pipe the program could write to.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, watch } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { basename, delimiter, dirname, extname, join, resolve } from 'node:path';
import { FlameprofError } from '../errors';
import { fsReason } from './files';

/** What to run: a script file (as `python app.py`) or a module (as `python -m pkg.mod`). */
export type RunTarget = { readonly script: string } | { readonly module: string };

/**
 * How to run it: the run options (see Options: python, cpu, threads, and the sampler's sample,
 * interval in ms, wall, toggle, lines), with the program's arguments, folder and environment.
 */
export interface RunSettings {
  readonly python: string;
  readonly cpu: boolean;
  readonly threads: boolean;
  readonly sample: boolean;
  readonly interval: number;
  readonly wall: boolean;
  readonly toggle: boolean;
  readonly lines: boolean;
  /**
   * With `sample`: called with the folded stacks so far each time SIGUSR1 to the program has
   * the sampler write them; the run ends only once the last call has.
   */
  readonly onSnapshot?: (stacks: Buffer) => Promise<void>;
  /** The program's arguments, its `sys.argv[1:]`. */
  readonly args: readonly string[];
  /** Working directory of the program. Default: ours. */
  readonly cwd?: string;
  /** Environment of the program. Default: ours. */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * The folder holding our Python package `flameprof_py` (what `flameprof --python-path`
 * prints), beside src/ and dist/ whichever this file was loaded from.
 */
export const PYTHON_PATH = join(__dirname, __dirname.endsWith(join('dist', 'io')) || __dirname.endsWith(join('src', 'io')) ? join('..', '..') : '..', 'python');

export interface RunResult {
  /** The dump (pstats marshal bytes; folded stacks when sampling), or undefined when the program never got to run. */
  dump: Buffer | undefined;
  /** The program's exit code, or null when a signal ended it. */
  exitCode: number | null;
  /** The signal that ended the program, if one did. */
  signal: NodeJS.Signals | null;
  /** What a shell would report: the exit code, or 128 + the signal's number. */
  status: number;
}

/**
 * Run the program under cProfile and wait for it. Throws FlameprofError when Python cannot be
 * started; everything the program does (including failing) is reported in the result instead.
 *
 * While the program runs, SIGINT is left to it (a terminal sends it to both of us) and SIGTERM
 * and SIGHUP are passed on, so that we live to render whatever profile it leaves; so are the
 * sampler's SIGUSR1 (snapshot) and SIGUSR2 (toggle).
 */
export async function runPython(target: RunTarget, opts: RunSettings): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'flameprof-run-'));
  const dumpPath = join(dir, 'profile.prof');
  const snapshots = opts.sample && opts.onSnapshot !== undefined ? watchSnapshots(dir, opts.onSnapshot) : undefined;
  try {
    const { exitCode, signal } = await spawnAndWait(opts, [...driverArgs(target, opts, dumpPath), '--', ...opts.args]);
    // A snapshot still being drawn must not land after the final graph.
    await snapshots?.close();
    const dump = existsSync(dumpPath) ? readFileSync(dumpPath) : undefined;
    const status = signal !== null ? 128 + (constants.signals[signal] ?? 0) : (exitCode ?? 1);
    return { dump, exitCode, signal, status };
  } finally {
    await snapshots?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The file the driver writes a snapshot to, in the run's temporary folder. */
const SNAPSHOT = 'snapshot.folded';

/**
 * Hand each snapshot the driver renames into `dir` to `onSnapshot`, one at a time (snapshots
 * that come while one is handled are taken once, the newest).
 */
function watchSnapshots(dir: string, onSnapshot: (stacks: Buffer) => Promise<void>): { close(): Promise<void> } {
  let chain = Promise.resolve();
  let queued = false;
  const take = (): void => {
    if (queued) return;
    queued = true;
    chain = chain.then(async () => {
      queued = false;
      let stacks: Buffer;
      try {
        stacks = readFileSync(join(dir, SNAPSHOT));
      } catch {
        return; // renamed over again, or the run is over
      }
      await onSnapshot(stacks);
    });
  };
  const watcher = watch(dir, (_event, name) => {
    if (name === SNAPSHOT) take();
  });
  return {
    close: async () => {
      watcher.close();
      await chain;
    },
  };
}

/**
 * The driver's command line: `python -m flameprof_py.run` (python/flameprof_py/run.py) with
 * how to profile, where the dump goes and what to run. fd 3 is the pipe whose end tells the
 * driver that we are gone; it gives the program back the PYTHONPATH it had.
 */
function driverArgs(target: RunTarget, opts: RunSettings, dumpPath: string): string[] {
  const args = ['-m', 'flameprof_py.run', '--out', dumpPath, '--watch-fd', '3'];
  if (opts.sample) {
    args.push('--sample', opts.wall ? 'wall' : 'cpu', '--interval', String(opts.interval / 1000));
    if (opts.toggle) args.push('--toggle');
    if (opts.lines) args.push('--lines');
    args.push('--snapshot', join(dirname(dumpPath), SNAPSHOT));
  } else {
    if (opts.cpu) args.push('--cpu');
    if (opts.threads) args.push('--threads');
  }
  const env = opts.env ?? process.env;
  if (env.PYTHONPATH === undefined) args.push('--unset-pythonpath');
  else args.push('--restore-pythonpath', env.PYTHONPATH);
  args.push(...('script' in target ? ['--script', target.script] : ['--module', target.module]));
  return args;
}

/** The program's environment, with our package first on PYTHONPATH for the driver (which takes it off again). */
function driverEnv(opts: RunSettings): NodeJS.ProcessEnv {
  const env = { ...(opts.env ?? process.env) };
  env.PYTHONPATH = env.PYTHONPATH ? `${resolve(PYTHON_PATH)}${delimiter}${env.PYTHONPATH}` : resolve(PYTHON_PATH);
  return env;
}

function spawnAndWait(opts: RunSettings, argv: string[]): Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    // fd 3: the pipe whose end tells the driver that we are gone.
    const child = spawn(opts.python, argv, { stdio: ['inherit', 'inherit', 'inherit', 'pipe'], cwd: opts.cwd, env: driverEnv(opts) });
    const forward = (sig: NodeJS.Signals): void => {
      child.kill(sig);
    };
    const ignore = (): void => {};
    // The sampler's signals reach it whether sent to the program or to us.
    const forwarded: NodeJS.Signals[] = opts.sample ? ['SIGTERM', 'SIGHUP', 'SIGUSR1', 'SIGUSR2'] : ['SIGTERM', 'SIGHUP'];
    process.on('SIGINT', ignore);
    for (const sig of forwarded) process.on(sig, forward);
    let settled = false;
    const settle = (): void => {
      settled = true;
      process.off('SIGINT', ignore);
      for (const sig of forwarded) process.off(sig, forward);
    };
    child.once('error', (err: NodeJS.ErrnoException) => {
      if (settled) return;
      settle();
      const why = err.code === 'ENOENT' ? 'not found' : err.code === 'EACCES' ? 'permission denied' : err.message;
      reject(new FlameprofError(`cannot run Python '${opts.python}': ${why} (use --python PATH)`));
    });
    // The program's end is its main process's exit, as for a shell: not the watch pipe's close,
    // which a forked process still running (a daemon, a stray worker) holds open for as long as it runs.
    child.once('exit', (exitCode, signal) => {
      child.stdio[3]?.destroy();
      if (settled) return;
      settle();
      resolve({ exitCode, signal });
    });
  });
}

/** The name runs are filed under: the script's file name without its extension, or the module. */
export function runName(target: RunTarget): string {
  if ('module' in target) return target.module;
  const base = basename(target.script.replace(/[\\/]+$/, ''));
  const ext = extname(base);
  return (ext ? base.slice(0, -ext.length) : base) || 'script';
}

/**
 * Where a run's graph goes when -o is absent: `profiles/<name>-<YYYYmmdd-HHMMSS><ext>` under
 * `dir`, local time, with `-2`, `-3`... added if a run in the same second got there first.
 * `ext` is the output format's (its renderer's extension).
 */
export function defaultRunOutput(target: RunTarget, ext: string, dir = 'profiles', now = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  const stem = join(dir, `${runName(target)}-${stamp}`);
  let path = stem + ext;
  for (let i = 2; existsSync(path); i++) path = `${stem}-${i}${ext}`;
  return path;
}

/** Where --pstat keeps the dump: the output path with its extension replaced by `.prof`. */
export function pstatPath(output: string): string {
  const ext = extname(output);
  return (ext ? output.slice(0, -ext.length) : output) + '.prof';
}

/** Create the directory a default output goes into, with a one-line error if we cannot. */
export function ensureDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new FlameprofError(`${dir}: cannot create directory: ${fsReason(err)}`);
  }
}
