"""A stack-sampling profiler, as plop's: every thread's stack is counted at an interval;
between samples the program runs at full speed.

The interval is of CPU time (the default: the process's, all threads', as ITIMER_PROF
counts it) or of wall-clock time ('wall', as ITIMER_REAL). A thread of ours keeps the clock
and takes the samples rather than a timer signal: Python runs a signal's handler only in
the main thread, and not while it waits (in join, a lock, a socket), so a signal would miss
the worker threads doing the work. Frames are `file:line:function` with the function's
first line, so one function is one frame, and each thread's stacks grow from a root named
after the thread. `save` writes folded stacks (or a plop `.plop` file). Threads whose name
starts with "flameprof_py:" are a profiler's own and are not sampled.
"""
import os
import sys
import threading
import time

_HERE = __file__

# Below this the sampler's own cost stops being small against the program's.
MIN_INTERVAL = 0.001

_CLOCKS = {"cpu": time.process_time, "wall": time.monotonic}


class Collector(object):
    """Samples every thread's stack every `interval` seconds of CPU ('cpu') or wall ('wall')
    time while started. start() and stop() may be called any number of times, from any
    thread; the samples add up. `skip_outer`: file names whose frames are dropped from the
    outer end of every stack (a runner's own frames, below the program's)."""

    def __init__(self, interval=0.01, mode="cpu", skip_outer=()):
        if mode not in _CLOCKS:
            raise ValueError("mode must be 'cpu' or 'wall', got %r" % (mode,))
        try:
            interval = float(interval)
        except (TypeError, ValueError):
            raise ValueError("interval must be a number of seconds, got %r" % (interval,))
        if not interval >= MIN_INTERVAL:
            raise ValueError("interval must be at least %g s, got %r" % (MIN_INTERVAL, interval))
        self.interval = interval
        self.mode = mode
        self.skip_outer = frozenset(skip_outer)
        self.stacks = {}
        self.samples = 0
        self._lock = threading.Lock()
        self._stopping = None
        self._thread = None

    @property
    def running(self):
        return self._thread is not None

    def start(self):
        with self._lock:
            if self._thread is not None:
                return
            self._stopping = threading.Event()
            self._thread = threading.Thread(target=self._run, args=(self._stopping,), name="flameprof_py:sampler", daemon=True)
            self._thread.start()

    def stop(self):
        with self._lock:
            thread, self._thread = self._thread, None
            if thread is None:
                return
            self._stopping.set()
        if thread is not threading.current_thread():
            thread.join()

    def _run(self, stopping):
        clock = _CLOCKS[self.mode]
        last = clock()
        owed = 0.0
        while not stopping.wait(self.interval):
            now = clock()
            # Samples are owed by the time that passed on our clock: none while a CPU-time
            # program sleeps, several if we were kept from running.
            owed += (now - last) / self.interval
            last = now
            n = int(owed)
            if n > 0:
                owed -= n
                self._sample(n)

    def _sample(self, weight):
        names = dict((t.ident, t.name) for t in threading.enumerate())
        for ident, top in sys._current_frames().items():
            name = names.get(ident, str(ident))
            if name.startswith("flameprof_py:"):
                continue
            codes = []
            f = top
            while f is not None:
                if f.f_code.co_filename == _HERE:
                    # The sampler itself: it and what it called are not the program's.
                    codes = []
                else:
                    codes.append(f.f_code)
                f = f.f_back
            while codes and codes[-1].co_filename in self.skip_outer:
                codes.pop()
            if not codes:
                continue
            stack = ["%s:%d:%s" % (c.co_filename, c.co_firstlineno, c.co_name) for c in codes]
            stack.append("<thread %s>" % name)
            key = tuple(reversed(stack))
            self.stacks[key] = self.stacks.get(key, 0) + weight
        self.samples += weight

    def folded(self):
        """The samples as folded stacks: `root;...;leaf count` lines, sorted."""
        lines = []
        for stack, count in sorted(self.stacks.items()):
            lines.append("%s %d\n" % (";".join(_clean(f) for f in stack), count))
        return "".join(lines)

    def save(self, path):
        """Write the samples to `path`: a plop dict if it ends in .plop, else folded stacks."""
        if path.endswith(".plop"):
            text = repr(dict((tuple(_plop_frame(f) for f in reversed(stack)), n) for stack, n in self.stacks.items())) + "\n"
        else:
            text = self.folded()
        tmp = "%s.%d.tmp" % (path, id(self))
        with open(tmp, "w", encoding="utf-8", errors="surrogateescape") as out:
            out.write(text)
        os.replace(tmp, path)


def _clean(frame):
    # ';' separates frames and a newline ends a line in folded text.
    return frame.replace(";", ":").replace("\n", " ")


def _plop_frame(frame):
    if frame.startswith("<thread "):
        return ("<thread>", 0, frame[len("<thread "):-1])
    file_line, _, name = frame.rpartition(":")
    file, _, line = file_line.rpartition(":")
    return (file, int(line), name)
