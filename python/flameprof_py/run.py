"""The driver of `flameprof -r SCRIPT` and `flameprof -m MODULE`: runs the program under
cProfile or the sampler and writes its profile, behaving as `python3 SCRIPT` or `python3 -m
MODULE` would wherever the program can tell.

    python -m flameprof_py.run --out DUMP [how] (--script PATH | --module NAME) [-- ARGS...]

The program gets sys.argv, sys.path[0], `__name__ == '__main__'`, tracebacks without our
frames, its exit code (SystemExit handled by Python itself) and death by SIGINT after an
uncaught KeyboardInterrupt as under plain Python. The differences: SIGTERM, if the program
has not claimed it, unwinds the program (its `finally` blocks run) so that a stopped run
still leaves its profile, then ends us by SIGTERM all the same; with --toggle, SIGUSR2 turns
the sampler on and off; with --snapshot PATH, SIGUSR1 has the sampler write what it has so
far to PATH, and it goes on. Processes the program forks (multiprocessing workers, daemons) get
none of this: only the first process writes the profile.

With --watch-fd N, file descriptor N is a pipe from flameprof, which the driver moves out of
the program's way and watches: when it reaches its end, flameprof has died (even by SIGKILL),
so the driver removes the dump's folder and ends the program as SIGTERM would.
"""
import argparse
import os
import runpy
import signal
import sys
import threading
import time

from .profiling import ThreadProfiles, dump_stats, new_profiler, profiler_stats
from .sampler import MODES, Collector


def parse(argv):
    """Our options (before `--`) and the program's arguments (after it)."""
    if "--" in argv:
        at = argv.index("--")
        ours, theirs = argv[:at], argv[at + 1:]
    else:
        ours, theirs = argv, []
    p = argparse.ArgumentParser(prog="python -m flameprof_py.run", description="Run a Python program under a profiler and write its profile.")
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--script", help="run this file, as python3 SCRIPT")
    target.add_argument("--module", help="run this module, as python3 -m MODULE")
    p.add_argument("--out", required=True, help="where the profile goes: a pstats dump, or folded stacks with --sample")
    p.add_argument("--cpu", action="store_true", help="cProfile on CPU time (time.process_time) instead of wall-clock time")
    p.add_argument("--threads", action="store_true", help="cProfile in every thread, a root each")
    p.add_argument("--sample", choices=MODES, help="sample every thread's stack instead of cProfile, by CPU or wall-clock time")
    p.add_argument("--interval", type=float, help="with --sample: seconds between samples (default 0.01)")
    p.add_argument("--toggle", action="store_true", help="with --sample: start paused; SIGUSR2 turns collection on and off")
    p.add_argument("--lines", action="store_true", help="with --sample: frames carry the line being run, not the function's first line")
    p.add_argument("--snapshot", metavar="PATH", help="with --sample: SIGUSR1 writes the samples so far to PATH")
    p.add_argument("--watch-fd", type=int, help="a pipe whose end means flameprof is gone")
    path = p.add_mutually_exclusive_group()
    path.add_argument("--restore-pythonpath", metavar="VALUE", help="PYTHONPATH as the program should see it (ours added only for this module)")
    path.add_argument("--unset-pythonpath", action="store_true", help="the program should see no PYTHONPATH")
    opts = p.parse_args(ours)
    if opts.sample and (opts.cpu or opts.threads):
        p.error("--sample cannot be used with --cpu or --threads")
    if (opts.toggle or opts.lines or opts.snapshot or opts.interval is not None) and not opts.sample:
        p.error("--interval, --toggle, --lines and --snapshot work only with --sample")
    if opts.interval is None:
        opts.interval = 0.01
    return opts, theirs


def _restore_pythonpath(opts):
    """Give the program the PYTHONPATH and sys.path it would have had without us."""
    if opts.restore_pythonpath is None and not opts.unset_pythonpath:
        return
    if opts.unset_pythonpath:
        os.environ.pop("PYTHONPATH", None)
    else:
        os.environ["PYTHONPATH"] = opts.restore_pythonpath
    # sys.path[0] is the program's (set below); ours came from PYTHONPATH, after it.
    ours = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for i in range(1, len(sys.path)):
        if sys.path[i] and os.path.abspath(sys.path[i]) == ours:
            del sys.path[i]
            break


class Terminated(BaseException):
    """SIGTERM, raised in the program so that it unwinds."""


def _on_term(signum, frame):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Terminated()


def _claim_sigterm():
    """SIGTERM unwinds the program (unless it set a handler of its own), in this process only."""
    if signal.getsignal(signal.SIGTERM) != signal.SIG_DFL:
        return
    signal.signal(signal.SIGTERM, _on_term)
    # SIGTERM is blocked across fork: one sent to a new child (Pool.terminate() does) before
    # its handler is reset would otherwise be swallowed, and the child would live on.
    held = threading.local()

    def before():
        held.mask = signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM])

    def in_parent():
        signal.pthread_sigmask(signal.SIG_SETMASK, held.mask)

    def in_child():
        if signal.getsignal(signal.SIGTERM) is _on_term:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, held.mask)

    os.register_at_fork(before=before, after_in_parent=in_parent, after_in_child=in_child)


def _watch(fd, dump, main_pid, orphaned):
    """Move the pipe from flameprof out of the program's way, and end the program when it closes."""
    try:
        import fcntl

        watched = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 64)
        os.close(fd)
    except (ImportError, OSError):
        return

    def watch():
        try:
            while os.read(watched, 4096):
                pass
        except OSError:
            pass
        orphaned.append(True)
        import shutil

        shutil.rmtree(os.path.dirname(os.path.abspath(dump)), ignore_errors=True)
        os.kill(main_pid, signal.SIGTERM)
        # A program that ignores SIGTERM still ends.
        time.sleep(5)
        os.kill(main_pid, signal.SIGKILL)

    threading.Thread(target=watch, name="flameprof_py:watch", daemon=True).start()


class _Profiler(object):
    """How the run is profiled: enable(), disable(), save(path) -> bool."""

    def __init__(self, opts, runner_files):
        if opts.sample:
            self.collector = Collector(interval=opts.interval, mode=opts.sample, skip_outer=runner_files, lines=opts.lines)
            self.toggle = opts.toggle
            self.snapshot = opts.snapshot
        else:
            self.collector = None
            self.profiler = new_profiler(opts.cpu)
            self.threads = ThreadProfiles(opts.cpu) if opts.threads else None

    def enable(self):
        if self.collector is not None:
            if self.toggle:
                signal.signal(signal.SIGUSR2, lambda signum, frame: self.collector.toggle())
            if self.snapshot:
                signal.signal(signal.SIGUSR1, lambda signum, frame: self.collector.request_snapshot(self.snapshot))
            self.collector.start(paused=self.toggle)
            return
        if self.threads is not None:
            self.threads.install()
        self.profiler.enable()

    def disable(self):
        if self.collector is not None:
            self.collector.stop()
            return
        self.profiler.disable()
        if self.threads is not None:
            self.threads.uninstall()

    def save(self, path):
        if self.collector is not None:
            self.collector.close()
            return self.collector.save(path)
        if self.threads is not None:
            return dump_stats(self.threads.stats(self.profiler, threading.current_thread().name), path)
        return dump_stats(profiler_stats(self.profiler), path)


def main(argv=None):
    opts, args = parse(sys.argv[1:] if argv is None else argv)
    _restore_pythonpath(opts)
    main_pid = os.getpid()
    orphaned = []
    if opts.watch_fd is not None:
        _watch(opts.watch_fd, opts.out, main_pid, orphaned)

    if opts.script is not None:
        target = opts.script
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

        target = opts.module
        sys.path[0] = os.getcwd()
        try:
            found = importlib.util.find_spec(target.split(".")[0]) is not None
        except Exception as e:
            sys.stderr.write("%s: Error while finding module specification for %r (%s: %s)\n" % (sys.executable, target, type(e).__name__, e))
            return 1
        if not found:
            sys.stderr.write("%s: No module named %s\n" % (sys.executable, target))
            return 1
    sys.argv = [target] + args
    _claim_sigterm()

    runner_files = frozenset((__file__, getattr(runpy, "__file__", None), "<frozen runpy>"))

    def report(e):
        tb = e.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename in runner_files:
            tb = tb.tb_next
        e = e.with_traceback(tb)
        if tb is None and opts.module is not None and isinstance(e, ImportError):
            sys.stderr.write("%s: %s\n" % (sys.executable, e))
        else:
            sys.excepthook(type(e), e, tb)

    try:
        import pkgutil  # noqa: F401 -- run_path imports it: not the program's time
    except ImportError:
        pass
    profiler = _Profiler(opts, runner_files)
    code = 0
    kill_with = None
    try:
        profiler.enable()
        try:
            if opts.script is not None:
                runpy.run_path(target, run_name="__main__")
            else:
                runpy.run_module(target, run_name="__main__", alter_sys=True)
        finally:
            profiler.disable()
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
        profiler.disable()
        # A forked process that returns here (a daemon) is not the run; after flameprof died
        # there is nowhere to write.
        if os.getpid() == main_pid and not orphaned:
            profiler.save(opts.out)
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


if __name__ == "__main__":
    sys.exit(main())
