"""cProfile where a program needs it: around a block (`profile`) and in every thread
(`ThreadProfiles`, which `flameprof -r --threads` uses). Every dump is a pstats file that
`flameprof` and `pstats` read, written by files.write_file.
"""
import cProfile
import marshal
import sys
import threading
import time

from .files import warn, write_file

# The pseudo-function each thread's calls hang from, in dumps and in sampled stacks alike:
# `<thread>:0:NAME`, a root per thread.
THREAD_FILE = "<thread>"


def thread_root(name):
    """The (file, line, name) key of the root for the thread called `name`."""
    return (THREAD_FILE, 0, name)


def new_profiler(cpu=False):
    """A cProfile.Profile on wall-clock time, or on the process's CPU time with `cpu`."""
    return cProfile.Profile(time.process_time) if cpu else cProfile.Profile()


def profiler_stats(profiler):
    """A stopped profiler's pstats dict."""
    profiler.create_stats()
    return profiler.stats


def dump_stats(stats, path, raise_errors=False):
    """Write a pstats dict to `path` (see files.write_file). Returns True once written."""
    return write_file(path, marshal.dumps(stats), raise_errors)


class profile(object):
    """`with profile('out.prof'):` profiles the block with cProfile and writes its dump;
    `cpu=True` measures CPU time (time.process_time) instead of wall-clock time. A dump that
    cannot be written is one line on stderr, unless `raise_errors=True` asks for the error."""

    def __init__(self, filename, cpu=False, raise_errors=False):
        self.filename = filename
        self.raise_errors = raise_errors
        self.profiler = new_profiler(cpu)

    def __enter__(self):
        self.profiler.enable()
        return self.profiler

    def __exit__(self, *exc):
        self.profiler.disable()
        dump_stats(profiler_stats(self.profiler), self.filename, self.raise_errors)
        return False


def with_thread_root(stats, name):
    """A copy of a pstats dict whose top functions are called by the thread's root
    (thread_root), so that several threads' stats can share one dump, a root each."""
    root = thread_root(name)
    out = {}
    total = 0.0
    for func, (cc, nc, tt, ct, callers) in stats.items():
        if not callers:
            callers = {root: (nc, cc, tt, ct)}
            total += ct
        out[func] = (cc, nc, tt, ct, dict(callers))
    out[root] = (1, 1, 0.0, total, {})
    return out


def add_stats(total, stats):
    """Add the pstats dict `stats` into `total`, in place, as pstats.Stats.add adds: counts and
    times summed, per function and per caller (whose values are tuples, or counts for the
    pure-Python profile module)."""
    for func, (cc, nc, tt, ct, callers) in stats.items():
        if func not in total:
            total[func] = (cc, nc, tt, ct, dict(callers))
            continue
        cc0, nc0, tt0, ct0, merged = total[func]
        for caller, v in callers.items():
            if caller not in merged:
                merged[caller] = v
            elif isinstance(v, tuple):
                merged[caller] = tuple(a + b for a, b in zip(merged[caller], v))
            else:
                merged[caller] = merged[caller] + v
        total[func] = (cc0 + cc, nc0 + nc, tt0 + tt, ct0 + ct, merged)
    return total


def merge_stats(dicts):
    """pstats dicts added up, as pstats.Stats(a, b, ...) adds them."""
    total = {}
    for d in dicts:
        add_stats(total, d)
    return total


class ThreadProfiles(object):
    """cProfile in every thread started after install(): each new thread's calls go to a
    profiler of its own (threading.setprofile starts it in the thread)."""

    def __init__(self, cpu=False):
        self.cpu = cpu
        self.profiles = []
        self._lock = threading.Lock()
        self._warned = False

    def install(self):
        threading.setprofile(self._start_in_thread)

    def uninstall(self):
        threading.setprofile(None)

    def _start_in_thread(self, frame, event, arg):
        sys.setprofile(None)
        p = new_profiler(self.cpu)
        try:
            p.enable()
        except ValueError as e:
            # Python 3.12 and later run cProfile on sys.monitoring, one profiler at a time.
            if not self._warned:
                self._warned = True
                warn("cannot profile thread %s on its own: %s" % (threading.current_thread().name, e))
            return
        with self._lock:
            self.profiles.append((threading.current_thread().name, p))

    def stats(self, main_profile, main_name="MainThread"):
        """One pstats dict: the main thread's profile and every thread's, a root each."""
        dicts = []
        with self._lock:
            profiles = list(self.profiles)
        for name, p in [(main_name, main_profile)] + profiles:
            p.disable()
            dicts.append(with_thread_root(profiler_stats(p), name))
        return merge_stats(dicts)
