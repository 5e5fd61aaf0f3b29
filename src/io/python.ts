/**
 * Profiling a program directly: run a Python script or module under cProfile and hand back
 * the dump, so that `flameprof -r app.py` is one step instead of two.
 *
 * The program inherits our stdin, stdout and stderr untouched; the dump goes to a temporary
 * file, never through a pipe the program could write to.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { FlameprofError } from '../errors';
import { fsReason } from './files';

/** What to run: a script file (as `python app.py`) or a module (as `python -m pkg.mod`). */
export type RunTarget = { readonly script: string } | { readonly module: string };

/** How to run it. These are not render options: they only exist when we start the program. */
export interface RunOptions {
  /** The Python to run: a command looked up on PATH, or a path. Default 'python3'. */
  python: string;
  /**
   * Measure the CPU time of the Python process (`time.process_time`) instead of wall-clock
   * time: time spent sleeping or waiting for I/O then counts for (almost) nothing. Default false.
   */
  cpu: boolean;
  /**
   * Run under the sampling profiler instead of cProfile: a sample of every thread's stack each
   * `interval` seconds of CPU time, or of wall-clock time with `wall`; with `toggle`,
   * collection starts paused and SIGUSR2 turns it on and off. The dump is then folded stacks.
   * Default undefined (cProfile).
   */
  sample: { readonly interval: number; readonly wall: boolean; readonly toggle: boolean } | undefined;
  /** Under cProfile, profile every thread (a root each), not only the main one. Default false. */
  threads: boolean;
  /** The program's arguments, its `sys.argv[1:]`. Default none. */
  args: readonly string[];
  /** Working directory of the program. Default: ours. */
  cwd: string | undefined;
  /** Environment of the program. Default: ours. */
  env: NodeJS.ProcessEnv | undefined;
}

export const DEFAULT_RUN_OPTIONS: Readonly<RunOptions> = Object.freeze({
  python: 'python3',
  cpu: false,
  sample: undefined,
  threads: false,
  args: [],
  cwd: undefined,
  env: undefined,
});

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
 * The driver, passed to Python with `-c`. Its arguments: the dump's path, how to profile (see
 * `how` in the code), the folder of our Python package, 'r' or 'm', the script or module, then
 * the program's own arguments.
 *
 * It behaves like `python app.py` / `python -m mod` wherever the program can tell: sys.argv,
 * sys.path[0], `__name__ == '__main__'`, tracebacks without our frames, exit codes (SystemExit
 * handled by Python itself), and death by SIGINT after an uncaught KeyboardInterrupt. The one
 * difference: SIGTERM, if the program has not claimed it, unwinds the program (its `finally`
 * blocks run) so that a stopped run still leaves its profile, then ends us by SIGTERM all the same.
 * Processes the program forks (multiprocessing workers, daemons) get none of this: the
 * SIGTERM handler is reset in them and only the first process writes the dump.
 *
 * File descriptor 3 is a pipe from flameprof, which the driver moves out of the program's way
 * and watches: when it reaches its end, flameprof has died (even by SIGKILL), so the driver
 * removes flameprof's temporary folder and ends the program as SIGTERM would.
 * Written for Python 3.7 and later (no f-strings).
 */
export const DRIVER = String.raw`
import sys
def _flameprof_run():
    import os, runpy, signal, time, cProfile, shutil, threading
    dump, how, pkgdir, mode, target = sys.argv[1:6]
    args = sys.argv[6:]
    main_pid = os.getpid()
    orphaned = []
    # how: 'wall' or 'cpu' (cProfile's clock), 'threads:' before it for every thread, or
    # 'sample:cpu|wall:SECONDS[:toggle]' for the sampler. The package is imported now and its
    # folder taken off sys.path again, before the program's own sys.path is set.
    sys.path.insert(0, pkgdir)
    try:
        from flameprof_py.sampler import Collector
        from flameprof_py.profiling import ThreadProfiles, dump_stats
    finally:
        sys.path.remove(pkgdir)

    try:
        import fcntl
        watched = fcntl.fcntl(3, fcntl.F_DUPFD_CLOEXEC, 64)
        os.close(3)
    except (ImportError, OSError):
        watched = None
    def watch():
        try:
            while os.read(watched, 4096):
                pass
        except OSError:
            pass
        orphaned.append(True)
        shutil.rmtree(os.path.dirname(dump), ignore_errors=True)
        os.kill(main_pid, signal.SIGTERM)
        # A program that ignores SIGTERM still ends.
        time.sleep(5)
        os.kill(main_pid, signal.SIGKILL)
    if watched is not None:
        threading.Thread(target=watch, name='flameprof_py:watch', daemon=True).start()

    if mode == 'r':
        if not os.path.exists(target):
            sys.stderr.write("%s: can't open file %r: [Errno 2] No such file or directory\n" % (sys.executable, os.path.abspath(target)))
            return 2
        sys.path[0] = os.path.dirname(os.path.realpath(target))
        if sys.version_info >= (3, 9):
            # As python3 app.py gives it since 3.9: __file__ and tracebacks hold the path made
            # absolute (joined to the working directory, not normalized).
            target = os.path.join(os.getcwd(), target)
    else:
        import importlib.util
        sys.path[0] = os.getcwd()
        try:
            found = importlib.util.find_spec(target.split('.')[0]) is not None
        except Exception as e:
            sys.stderr.write("%s: Error while finding module specification for %r (%s: %s)\n" % (sys.executable, target, type(e).__name__, e))
            return 1
        if not found:
            sys.stderr.write("%s: No module named %s\n" % (sys.executable, target))
            return 1
    sys.argv = [target] + args

    class Terminated(BaseException):
        pass
    def on_term(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise Terminated()
    if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, on_term)
        # SIGTERM is blocked across fork: one sent to a new child (Pool.terminate() does) before
        # its handler is reset would otherwise be swallowed, and the child would live on.
        held = threading.local()
        def before():
            held.mask = signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM])
        def in_parent():
            signal.pthread_sigmask(signal.SIG_SETMASK, held.mask)
        def in_child():
            if signal.getsignal(signal.SIGTERM) is on_term:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_SETMASK, held.mask)
        os.register_at_fork(before=before, after_in_parent=in_parent, after_in_child=in_child)

    runpy_files = (getattr(runpy, '__file__', None), '<frozen runpy>', '<string>')
    def report(e):
        tb = e.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename in runpy_files:
            tb = tb.tb_next
        e = e.with_traceback(tb)
        if tb is None and mode == 'm' and isinstance(e, ImportError):
            sys.stderr.write("%s: %s\n" % (sys.executable, e))
        else:
            sys.excepthook(type(e), e, tb)

    try:
        import pkgutil  # run_path imports it: not the program's time
    except ImportError:
        pass
    if how.startswith('sample:'):
        parts = how.split(':')
        runner_files = ('<string>', getattr(runpy, '__file__', None), '<frozen runpy>')
        collector = Collector(interval=float(parts[2]), mode=parts[1], skip_outer=runner_files)
        if len(parts) > 3:
            # Collection starts paused; SIGUSR2 turns it on and off.
            def toggle(signum, frame):
                if collector.running:
                    collector.stop()
                else:
                    collector.start()
            signal.signal(signal.SIGUSR2, toggle)
            enable = lambda: None
        else:
            enable = collector.start
        disable = collector.stop
        save = collector.save
    else:
        timer = time.process_time if how.endswith('cpu') else None
        prof = cProfile.Profile(timer) if timer else cProfile.Profile()
        if how.startswith('threads:'):
            threads = ThreadProfiles(timer)
            def enable():
                threads.install()
                prof.enable()
            def disable():
                prof.disable()
                threads.uninstall()
            save = lambda path: dump_stats(threads.stats(prof, threading.current_thread().name), path)
        else:
            enable = prof.enable
            disable = prof.disable
            save = prof.dump_stats
    code = 0
    kill_with = None
    try:
        enable()
        try:
            if mode == 'r':
                runpy.run_path(target, run_name='__main__')
            else:
                runpy.run_module(target, run_name='__main__', alter_sys=True)
        finally:
            disable()
    except SystemExit as e:
        code = e.code
    except Terminated:
        kill_with = signal.SIGTERM
    except KeyboardInterrupt as e:
        report(e)
        kill_with = signal.SIGINT
    except BaseException as e:
        report(e)
        code = 1
    finally:
        disable()
        # A forked process that returns here (a daemon) is not the run; after flameprof died
        # there is nowhere to write.
        if os.getpid() == main_pid and not orphaned:
            save(dump + '.tmp')
            os.replace(dump + '.tmp', dump)
    if kill_with is not None:
        for f in (sys.stdout, sys.stderr):
            try:
                f.flush()
            except Exception:
                pass
        signal.signal(kill_with, signal.SIG_DFL)
        os.kill(os.getpid(), kill_with)
        return 128 + kill_with
    return code
sys.exit(_flameprof_run())
`;

/**
 * Run the program under cProfile and wait for it. Throws FlameprofError when Python cannot be
 * started; everything the program does (including failing) is reported in the result instead.
 *
 * While the program runs, SIGINT is left to it (a terminal sends it to both of us) and SIGTERM
 * and SIGHUP are passed on, so that we live to render whatever profile it leaves.
 */
export async function runPython(target: RunTarget, options: Partial<RunOptions> = {}): Promise<RunResult> {
  const opts: RunOptions = { ...DEFAULT_RUN_OPTIONS };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) (opts as unknown as Record<string, unknown>)[k] = v;
  const [mode, what] = 'script' in target ? ['r', target.script] : ['m', target.module];
  const dir = mkdtempSync(join(tmpdir(), 'flameprof-run-'));
  const dumpPath = join(dir, 'profile.prof');
  try {
    const clock = opts.cpu ? 'cpu' : 'wall';
    const how = opts.sample
      ? `sample:${opts.sample.wall ? 'wall' : 'cpu'}:${opts.sample.interval}${opts.sample.toggle ? ':toggle' : ''}`
      : `${opts.threads ? 'threads:' : ''}${clock}`;
    const { exitCode, signal } = await spawnAndWait(opts, ['-c', DRIVER, dumpPath, how, PYTHON_PATH, mode, what, ...opts.args]);
    const dump = existsSync(dumpPath) ? readFileSync(dumpPath) : undefined;
    const status = signal !== null ? 128 + (constants.signals[signal] ?? 0) : (exitCode ?? 1);
    return { dump, exitCode, signal, status };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function spawnAndWait(opts: RunOptions, argv: string[]): Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    // fd 3: the pipe whose end tells the driver that we are gone.
    const child = spawn(opts.python, argv, { stdio: ['inherit', 'inherit', 'inherit', 'pipe'], cwd: opts.cwd, env: opts.env });
    const forward = (sig: NodeJS.Signals): void => {
      child.kill(sig);
    };
    const ignore = (): void => {};
    process.on('SIGINT', ignore);
    process.on('SIGTERM', forward);
    process.on('SIGHUP', forward);
    let settled = false;
    const settle = (): void => {
      settled = true;
      process.off('SIGINT', ignore);
      process.off('SIGTERM', forward);
      process.off('SIGHUP', forward);
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

const EXTENSIONS: Readonly<Record<string, string>> = { svg: '.svg', log: '.log', speedscope: '.speedscope.json', html: '.html' };

/**
 * Where a run's graph goes when -o is absent: `profiles/<name>-<YYYYmmdd-HHMMSS><ext>` under
 * `dir`, local time, with `-2`, `-3`... added if a run in the same second got there first.
 */
export function defaultRunOutput(target: RunTarget, format: string, dir = 'profiles', now = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  const ext = EXTENSIONS[format] ?? `.${format}`;
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
