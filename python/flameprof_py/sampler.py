"""A stack-sampling profiler, as plop's: every thread's stack is counted at an interval;
between samples the program runs at full speed.

A thread of ours keeps the clock and takes the samples rather than a timer signal: Python
runs a signal's handler only in the main thread, and not while it waits (in join, a lock, a
socket), so a signal would miss the worker threads doing the work.

- 'wall' mode: every `interval` seconds of wall-clock time, every thread's stack is counted,
  whatever it is doing (sleeping and waiting too).
- 'cpu' mode (the default): each thread is charged for the CPU time it used, read from its
  own CPU clock at each tick: a thread that used 3 intervals of CPU since the last tick gets
  a sample weighing 3, a sleeping or blocked one nothing. Where the platform has no
  per-thread CPU clock, threads are sampled as in wall mode, and stderr says so once.

Frames are `file:line:function` with the function's first line (`lines=True`: the line being
run, as plop records it), and each thread's stacks grow from a root `<thread>:0:NAME`, as
under `flameprof -r --threads`. Threads whose name starts with "flameprof_py:" are a
profiler's own and are not sampled.

Safe in a signal handler: stop(), toggle() and request_snapshot() only set a field that the
sampler thread reads, and start() does too once the sampler thread runs (start(paused=True)
starts it without collecting). Nothing here waits on a lock the program's thread could hold.
"""
import dis
import sys
import threading
import time

from .files import warn, write_file
from .profiling import THREAD_FILE

_HERE = __file__

# Below this the sampler's own cost stops being small against the program's.
MIN_INTERVAL = 0.001

MODES = ("cpu", "wall")

_JUMPS_BACK = frozenset(dis.opmap[name] for name in ("JUMP_BACKWARD", "JUMP_BACKWARD_NO_INTERRUPT") if name in dis.opmap)


def _thread_cpu_clock():
    """A function giving a thread's CPU time by its ident (None if it cannot be read), or None
    where the platform has no per-thread CPU clock."""
    clock_id = getattr(time, "pthread_getcpuclockid", None)
    gettime = getattr(time, "clock_gettime", None)
    if clock_id is None or gettime is None:
        return None

    def cpu(ident):
        try:
            return gettime(clock_id(ident))
        except (OSError, OverflowError, ValueError):
            return None  # the thread ended between the listing and the reading

    return cpu


class Collector(object):
    """Samples every thread's stack every `interval` seconds while collecting (see the module
    comment for 'cpu' and 'wall' `mode`). start() and stop() may be called any number of
    times; the samples add up. `skip_outer`: file names whose frames are dropped from the
    outer end of every stack (a runner's own frames, below the program's). `lines`: frames
    carry the line being run instead of the function's first line."""

    def __init__(self, interval=0.01, mode="cpu", skip_outer=(), lines=False):
        if mode not in MODES:
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
        self.lines = bool(lines)
        # Stacks as tuples (thread name, code or (code, line), ...), outermost first -> weight.
        self.stacks = {}
        self.samples = 0
        self._on = False
        self._closing = False
        self._thread = None
        # Threads not sampled: one waiting in sample_for() is ours, not the program's.
        self._ignored = frozenset()
        # A path to save to, set by request_snapshot() for the sampler thread to write.
        self._snapshot_to = None
        self._launching = threading.Lock()
        self._stacks_lock = threading.Lock()

    @property
    def running(self):
        """True while collecting."""
        return self._on

    def start(self, paused=False):
        """Collect (or, with `paused`, only start the sampler thread, for toggle() to turn on)."""
        self._closing = False
        self._on = not paused
        thread = self._thread
        if thread is None or not thread.is_alive():
            self._launch()

    def stop(self):
        """Pause collecting. The sampler thread stays, idle, until close()."""
        self._on = False

    def toggle(self):
        """Collect if paused, pause if collecting: what a signal handler calls (see the module comment)."""
        self._on = not self._on

    def close(self, wait=True):
        """Stop collecting and end the sampler thread, waiting for it unless `wait` is false (an
        event loop's thread must not wait; a signal handler neither)."""
        self._on = False
        self._closing = True
        thread = self._thread
        if wait and thread is not None and thread is not threading.current_thread():
            thread.join()

    def request_snapshot(self, path):
        """Have the sampler thread write a snapshot to `path` at its next tick: what a signal
        handler calls (a handler must not write files: it could interrupt a write of ours)."""
        self._snapshot_to = path

    def sample_for(self, seconds):
        """Collect for `seconds` in this thread's stead, which waits and is not sampled; then
        close. What an on-demand request does (see trigger.py)."""
        self._ignored = frozenset([threading.get_ident()])
        self.start()
        try:
            time.sleep(seconds)
        finally:
            self.close()

    def _launch(self):
        # Never waits: a caller that finds the lock taken (another thread, or the handler of a
        # signal that interrupted this very call) leaves the launch to whoever holds it.
        if not self._launching.acquire(False):
            return
        try:
            thread = self._thread
            if thread is None or not thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="flameprof_py:sampler", daemon=True)
                self._thread.start()
        finally:
            self._launching.release()

    def _run(self):
        interval = self.interval
        cpu_clock = _thread_cpu_clock() if self.mode == "cpu" else None
        if self.mode == "cpu" and cpu_clock is None:
            warn("no per-thread CPU clock on this platform: every thread is sampled by wall-clock time")
        owed = {}  # per thread ident: the fraction of a sample it is owed
        cpu_seen = {}  # per thread ident: its CPU time at the last tick
        was_on = False
        last = time.monotonic()
        while not self._closing:
            time.sleep(interval)
            snapshot, self._snapshot_to = self._snapshot_to, None
            if snapshot is not None:
                self.snapshot(snapshot)
            now = time.monotonic()
            elapsed, last = now - last, now
            if not self._on:
                was_on = False
                continue
            baseline = not was_on
            was_on = True
            if baseline:
                owed.clear()
                cpu_seen.clear()
            try:
                self._tick(elapsed, cpu_clock, owed, cpu_seen, baseline)
            except Exception as e:  # never let a bug of ours end sampling silently
                warn("the sampler stopped: %s: %s" % (type(e).__name__, e))
                return

    def _tick(self, elapsed, cpu_clock, owed, cpu_seen, baseline):
        """Charge each thread for the time since the last tick and count its stack if it is owed
        a sample. `baseline`: collection just began; nothing is owed for the time before."""
        interval = self.interval
        frames = sys._current_frames()
        names = dict((t.ident, t.name) for t in threading.enumerate())
        due = []
        for ident, top in frames.items():
            if ident in self._ignored:
                continue
            name = names.get(ident)
            if name is None:
                name = str(ident)
            elif name.startswith("flameprof_py:"):
                continue
            if cpu_clock is not None:
                used = cpu_clock(ident)
                if used is None:
                    continue
                before = cpu_seen.get(ident, used if baseline else 0.0)
                if used < before:  # a new thread under an ended one's ident
                    before = 0.0
                cpu_seen[ident] = used
                share = (used - before) / interval
            else:
                share = 0.0 if baseline else elapsed / interval
            share += owed.get(ident, 0.0)
            n = int(share)
            owed[ident] = share - n
            if n > 0:
                due.append((name, top, n))
        for ident in [i for i in owed if i not in frames]:
            del owed[ident]
            cpu_seen.pop(ident, None)
        for name, top, n in due:
            self._count(name, top, n)

    def _count(self, thread_name, top, weight):
        lines = self.lines
        codes = []
        f = top
        while f is not None:
            code = f.f_code
            if code.co_filename == _HERE:
                # The sampler's own code (a thread inside start() or save()): not the program's.
                codes = []
            else:
                codes.append((code, line_run(f)) if lines else code)
            f = f.f_back
        skip = self.skip_outer
        while codes and (codes[-1][0] if lines else codes[-1]).co_filename in skip:
            codes.pop()
        if not codes:
            return
        codes.append(thread_name)
        key = tuple(reversed(codes))
        with self._stacks_lock:
            self.stacks[key] = self.stacks.get(key, 0) + weight
            self.samples += weight

    def _labelled(self):
        with self._stacks_lock:
            items = list(self.stacks.items())
        return labelled(items)

    def folded(self):
        """The samples as folded stacks: `root;...;leaf count` lines, sorted."""
        return folded_text(self._labelled())

    def plop(self):
        """The samples as plop's dict literal: {((file, line, name), ...): count}, innermost first."""
        return repr(dict((tuple(reversed(stack)), n) for stack, n in self._labelled().items())) + "\n"

    def save(self, path, raise_errors=False):
        """Write what has been collected so far to `path` (a plop dict if it ends in .plop, else
        folded stacks) and go on collecting. Returns True once written; a failure is one line on
        stderr, unless `raise_errors`."""
        try:
            text = self.plop() if path.endswith(".plop") else self.folded()
        except Exception as e:
            if raise_errors:
                raise
            warn("cannot write %s: %s: %s" % (path, type(e).__name__, e))
            return False
        return write_file(path, text.encode("utf-8", "surrogateescape"), raise_errors)

    def snapshot(self, path):
        """Write what has been collected so far to `path`, as save() does, and go on collecting."""
        return self.save(path)


def line_run(frame):
    """The line a frame is running. A thread is stopped for a sample at a loop's jump back,
    which has no line of its own since 3.11 (f_lineno None): the loop's line is given, the line
    of the jump's target."""
    line = frame.f_lineno
    if line is not None:
        return line
    code = frame.f_code
    at = frame.f_lasti
    raw = code.co_code
    if at + 1 < len(raw) and raw[at] in _JUMPS_BACK:
        # Offsets in bytes, an argument in code units of 2 bytes, from the next instruction.
        arg = raw[at + 1]
        if at >= 2 and raw[at - 2] == dis.EXTENDED_ARG:
            arg |= raw[at - 1] << 8
        at = at + 2 - 2 * arg
    for start, _end, n in getattr(code, "co_lines", lambda: ())():
        if start > at:
            break
        if n is not None:
            line = n
    return line or code.co_firstlineno


def labelled(items):
    """(stack, count) pairs as {stack of (file, line, name) keys: count}, stacks that read the
    same added up. A stack's frames are code objects (the function's first line), (code, line)
    pairs (the line run), thread names (a thread's root) or ready (file, line, name) keys."""
    keys = {}
    out = {}
    for stack, n in items:
        key = tuple(keys.get(f) or keys.setdefault(f, _frame_key(f)) for f in stack)
        out[key] = out.get(key, 0) + n
    return out


def folded_text(stacks):
    """{stack of (file, line, name): count} as folded lines `root;...;leaf count`, sorted."""
    lines = ["%s %d\n" % (";".join(_clean("%s:%d:%s" % f) for f in stack), n) for stack, n in stacks.items()]
    lines.sort()
    return "".join(lines)


def _frame_key(frame):
    if isinstance(frame, str):
        return (THREAD_FILE, 0, frame)
    if isinstance(frame, tuple):
        if len(frame) == 3:
            return frame
        code, line = frame
        return (code.co_filename, line, code.co_name)
    return (frame.co_filename, frame.co_firstlineno, frame.co_name)


def _clean(frame):
    # ';' separates frames and a newline ends a line in folded text.
    return frame.replace(";", ":").replace("\n", " ")
