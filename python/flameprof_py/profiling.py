"""cProfile where a program needs it: around a block (`profile`), per WSGI request
(`ProfileMiddleware`, and `wsgi` for uWSGI or gunicorn), and in every thread (`ThreadProfiles`,
which `flameprof -r --threads` uses). Every file written is a pstats dump that `flameprof` and
`pstats` read; a profiling failure never breaks the profiled code.
"""
import cProfile
import os
import sys
import threading
import time


class _Stats(object):
    """What pstats.Stats accepts: an object with create_stats() and a stats dict."""

    def __init__(self, stats):
        self.stats = stats

    def create_stats(self):
        pass


def dump_stats(stats, path):
    """Write a pstats dict to `path`, through a temporary file renamed over it."""
    import marshal

    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "wb") as out:
        marshal.dump(stats, out)
    os.replace(tmp, path)


class profile(object):
    """`with profile('out.prof'):` profiles the block with cProfile and writes its dump;
    `cpu=True` measures CPU time (time.process_time) instead of wall-clock time."""

    def __init__(self, filename, cpu=False):
        self.filename = filename
        self.profiler = cProfile.Profile(time.process_time) if cpu else cProfile.Profile()

    def __enter__(self):
        self.profiler.enable()
        return self.profiler

    def __exit__(self, *exc):
        self.profiler.disable()
        self.profiler.dump_stats(self.filename)
        return False


def with_thread_root(stats, name):
    """A copy of a pstats dict whose top functions are called by a pseudo-function named
    after the thread, so that several threads' stats can share one dump, a root each."""
    root = ("<thread>", 0, name)
    out = {}
    total = 0.0
    for func, (cc, nc, tt, ct, callers) in stats.items():
        if not callers:
            callers = {root: (nc, cc, tt, ct)}
            total += ct
        out[func] = (cc, nc, tt, ct, dict(callers))
    out[root] = (1, 1, 0.0, total, {})
    return out


def merge_stats(dicts):
    """pstats dicts added up, as pstats.Stats.add does."""
    import pstats

    stats = None
    for d in dicts:
        if stats is None:
            stats = pstats.Stats(_Stats(d))
        else:
            stats.add(_Stats(d))
    return stats.stats if stats is not None else {}


class ThreadProfiles(object):
    """cProfile in every thread started after install(): each new thread's calls go to a
    profiler of its own (threading.setprofile starts it in the thread)."""

    def __init__(self, timer=None):
        self.timer = timer
        self.profiles = []
        self._lock = threading.Lock()
        self._warned = False

    def install(self):
        threading.setprofile(self._start_in_thread)

    def uninstall(self):
        threading.setprofile(None)

    def _start_in_thread(self, frame, event, arg):
        sys.setprofile(None)
        p = cProfile.Profile(self.timer) if self.timer else cProfile.Profile()
        try:
            p.enable()
        except ValueError as e:
            # Python 3.12 and later run cProfile on sys.monitoring, one profiler at a time.
            if not self._warned:
                self._warned = True
                sys.stderr.write("flameprof_py: cannot profile thread %s on its own: %s\n" % (threading.current_thread().name, e))
            return
        with self._lock:
            self.profiles.append((threading.current_thread().name, p))

    def stats(self, main_profile, main_name="MainThread"):
        """One pstats dict: the main thread's profile and every thread's, a root each."""
        dicts = []
        for name, p in [(main_name, main_profile)] + list(self.profiles):
            p.disable()
            p.create_stats()
            dicts.append(with_thread_root(p.stats, name))
        return merge_stats(dicts)


DEFAULT_NAME_FORMAT = "{method}.{url}.{ts}.{duration}ms.prof"


class ProfileMiddleware(object):
    """A WSGI middleware that writes one cProfile dump per request into `out_dir`, named by
    `name_format` from {method}, {url} (the path, '/' made '.', 'root' for '/'), {ts} (the
    request's start, seconds since the epoch) and {duration} (ms). A failure to profile or to
    write is reported on stderr, and the response goes out as it would have."""

    def __init__(self, app, out_dir, name_format=DEFAULT_NAME_FORMAT):
        self.app = app
        self.out_dir = out_dir
        self.name_format = name_format

    def __call__(self, environ, start_response):
        try:
            profiler = cProfile.Profile()
            started = time.time()
            profiler.enable()
        except Exception as e:  # another profiler is active, say
            sys.stderr.write("flameprof_py: not profiling this request: %s\n" % (e,))
            return self.app(environ, start_response)
        try:
            # The body too: a lazy app does its work while its response is read.
            body = list(self.app(environ, start_response))
        finally:
            profiler.disable()
            self._save(profiler, environ, started)
        return body

    def _save(self, profiler, environ, started):
        try:
            url = (environ.get("PATH_INFO") or "").strip("/")
            url = "".join(c if c.isalnum() or c in "-_." else "." for c in url.replace("/", ".")) or "root"
            name = self.name_format.format(
                method=environ.get("REQUEST_METHOD", "GET"),
                url=url,
                ts="%.3f" % started,
                duration="%.0f" % ((time.time() - started) * 1000),
            )
            os.makedirs(self.out_dir, exist_ok=True)
            profiler.create_stats()
            dump_stats(profiler.stats, os.path.join(self.out_dir, os.path.basename(name)))
        except Exception as e:
            sys.stderr.write("flameprof_py: could not save the profile of a request: %s\n" % (e,))


_wsgi_app = None


def wsgi(environ, start_response):
    """A WSGI entry for servers that take one (`uwsgi -w flameprof_py:wsgi`, gunicorn
    `flameprof_py:wsgi`): the app is FLAMEPROF_WSGI_APP (`package.module:app`), the dumps go
    to FLAMEPROF_WSGI_OUT (default: the system's temporary folder) named by
    FLAMEPROF_WSGI_FORMAT."""
    global _wsgi_app
    if _wsgi_app is None:
        import importlib
        import tempfile

        spec = os.environ.get("FLAMEPROF_WSGI_APP", "")
        module, _, attr = spec.partition(":")
        if not module or not attr:
            raise RuntimeError("set FLAMEPROF_WSGI_APP to package.module:app")
        app = getattr(importlib.import_module(module), attr)
        _wsgi_app = ProfileMiddleware(
            app,
            os.environ.get("FLAMEPROF_WSGI_OUT", tempfile.gettempdir()),
            os.environ.get("FLAMEPROF_WSGI_FORMAT", DEFAULT_NAME_FORMAT),
        )
    return _wsgi_app(environ, start_response)
