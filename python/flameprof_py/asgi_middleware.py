"""A profile per ASGI request (FastAPI, Starlette, any ASGI 3 app): `ASGIProfileMiddleware`.

Requests overlap on one event loop, so a profiler of the loop's thread would mix them; each
request is sampled instead, and its profile holds only its own work. Every `interval` a thread
of ours looks at the loop's thread: the request whose middleware frame is on that thread's
stack is the one running, and gets the stack above it; every other request in flight is
suspended, and gets the stack it awaits in (its coroutines, down the chain of awaits) under
an `<await>` frame, so that time spent awaiting shows where it was awaited. Work a request
hands to another task or to a thread pool shows as awaiting it.

Profiles are folded stacks, written by that thread (never the loop's) into `out_dir` under
the WSGI middleware's names (naming.py) ending in `.folded`. Lifespan and websocket scopes
pass through untouched, as does every message of a request: bodies stream as the app sends
them. A failure to profile or to write is one line on stderr, never a broken response.
"""
import asyncio
import os
import sys
import threading
import time

from .files import reason, warn, write_file
from .naming import request_name
from .sampler import folded_text, labelled, line_run
from .trigger import Trigger

DEFAULT_NAME_FORMAT = "{method}.{url}.{ts}.{duration}ms.folded"

# The frame a suspended request's stacks grow from.
AWAIT = ("<await>", 0, "<await>")

# Past this many awaits a chain is taken to loop (a coroutine awaiting itself cannot, but a
# hand-made awaitable could).
_MAX_AWAITS = 1000


class _Request(object):
    __slots__ = ("frame", "coro", "thread", "method", "path", "started", "ended", "stacks")

    def __init__(self, frame, coro, scope):
        self.frame = frame  # the middleware's own frame, on the loop's stack while the request runs
        self.coro = coro  # its task's coroutine, the start of the chain of awaits
        self.thread = threading.get_ident()
        self.method = scope.get("method")
        self.path = scope.get("path")
        self.started = time.time()
        self.ended = None
        self.stacks = {}

    def count(self, stack, n):
        self.stacks[stack] = self.stacks.get(stack, 0) + n


class _RequestSampler(object):
    """The thread that samples the requests in flight and writes the finished ones."""

    def __init__(self, middleware):
        self.middleware = middleware
        self._active = []
        self._done = []
        # Held only to copy or change the two lists: the loop never waits on it for long.
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread = None

    def begin(self, request):
        with self._lock:
            self._active.append(request)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="flameprof_py:asgi", daemon=True)
                self._thread.start()
        self._wake.set()

    def end(self, request):
        request.ended = time.time()
        with self._lock:
            self._active.remove(request)
            self._done.append(request)
        self._wake.set()

    def _run(self):
        interval = self.middleware.interval
        owed = 0.0  # the fraction of a sample the time since the last tick is owed
        last = time.monotonic()
        while True:
            self._wake.clear()
            with self._lock:
                idle = not self._active and not self._done
            if idle:
                self._wake.wait()
                owed, last = 0.0, time.monotonic()
                continue
            time.sleep(interval)
            # A tick late (the loop's thread holding the GIL) weighs the time it covers.
            now = time.monotonic()
            owed += (now - last) / interval
            last = now
            n = int(owed)
            owed -= n
            try:
                if n > 0:
                    self._tick(n)
                self._write_done()
            except Exception as e:  # never let a bug of ours end sampling silently
                warn("request profiling stopped: %s" % (reason(e),))
                return

    def _tick(self, n):
        with self._lock:
            active = list(self._active)
        if not active:
            return
        lines = self.middleware.lines
        frames = sys._current_frames()
        by_frame = dict((r.frame, r) for r in active)
        running = set()
        for ident in set(r.thread for r in active):
            stack = []
            f = frames.get(ident)
            while f is not None:
                r = by_frame.get(f)
                if r is not None:
                    stack.reverse()
                    r.count(tuple(stack), n)
                    running.add(r)
                    break
                stack.append(_frame(f, lines))
                f = f.f_back
        for r in active:
            if r not in running:
                r.count((AWAIT,) + _awaiting(r, lines), n)

    def _write_done(self):
        with self._lock:
            done, self._done = self._done, []
        m = self.middleware
        for r in done:
            try:
                name = request_name(m.name_format, r.method, r.path, r.started, r.ended - r.started)
                os.makedirs(m.out_dir, exist_ok=True)
                text = folded_text(labelled(r.stacks.items()))
                write_file(os.path.join(m.out_dir, name), text.encode("utf-8", "surrogateescape"))
            except Exception as e:
                warn("could not save the profile of a request: %s" % (reason(e),))


def _frame(f, lines):
    code = f.f_code
    return (code, line_run(f)) if lines else code


def _awaiting(request, lines):
    """The frames of a suspended request above the middleware's: each coroutine (or generator)
    in the chain of awaits from its task's coroutine, outermost first."""
    out = []
    above = False
    obj = request.coro
    for _ in range(_MAX_AWAITS):
        frame = getattr(obj, "cr_frame", None) or getattr(obj, "gi_frame", None) or getattr(obj, "ag_frame", None)
        if frame is None:
            break
        if above:
            out.append(_frame(frame, lines))
        elif frame is request.frame:
            above = True
        obj = getattr(obj, "cr_await", None) or getattr(obj, "gi_yieldfrom", None) or getattr(obj, "ag_await", None)
    return tuple(out)


class ASGIProfileMiddleware(object):
    """An ASGI middleware that writes one sampled profile per HTTP request into `out_dir` (see
    the module comment), named by `name_format` (see naming.request_name). `interval`: seconds
    between samples; `lines`: frames carry the line run instead of the function's first line.
    `trigger_path`: the path that samples the process on demand (trigger.py), served to
    loopback clients or to those sending `trigger_token`; None (the default): none."""

    def __init__(self, app, out_dir, name_format=DEFAULT_NAME_FORMAT, interval=0.01, lines=False, trigger_path=None, trigger_token=None):
        self.app = app
        self.out_dir = out_dir
        self.name_format = name_format
        self.interval = float(interval)
        self.lines = bool(lines)
        self.trigger = Trigger(trigger_path, out_dir, trigger_token)
        self._sampler = _RequestSampler(self)

    async def __call__(self, scope, receive, send):
        if scope.get("type") != "http":
            return await self.app(scope, receive, send)
        if self.trigger.answers(scope.get("path")):
            return await self.trigger.asgi(scope, receive, send)
        request = self._begin(scope, sys._getframe())
        try:
            return await self.app(scope, receive, send)
        finally:
            if request is not None:
                try:
                    self._sampler.end(request)
                except Exception as e:
                    warn("could not profile a request: %s" % (reason(e),))

    def _begin(self, scope, frame):
        try:
            request = _Request(frame, asyncio.current_task().get_coro(), scope)
            self._sampler.begin(request)
            return request
        except Exception as e:
            warn("not profiling this request: %s" % (reason(e),))
            return None
