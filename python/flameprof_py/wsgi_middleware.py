"""A cProfile dump per WSGI request (`ProfileMiddleware`, and the `wsgi` entry for servers
that take one), written into a folder under a name that says what the request was
(naming.py), and sampling on demand at `trigger_path` (trigger.py).

The response is handed on as the app makes it: each chunk as the app yields it (streamed and
endless bodies stay streamed), and the app's own close() is called from ours, as PEP 3333
asks. Profiling covers the call and the body, and ends at close(), where the dump is
written; a failure to profile or to write is one line on stderr and never touches the
response.
"""
import os
import time

from .files import reason, warn
from .naming import request_name
from .profiling import dump_stats, new_profiler, profiler_stats

DEFAULT_NAME_FORMAT = "{method}.{url}.{ts}.{duration}ms.prof"


class ProfileMiddleware(object):
    """A WSGI middleware that writes one cProfile dump per request into `out_dir`, named by
    `name_format` (see naming.request_name). `cpu=True` measures CPU time instead of wall
    time. `trigger_path`: the path that samples the process on demand (trigger.py), served to
    loopback clients or to those sending `trigger_token`; None (the default): none."""

    def __init__(self, app, out_dir, name_format=DEFAULT_NAME_FORMAT, cpu=False, trigger_path=None, trigger_token=None):
        self.app = app
        self.out_dir = out_dir
        self.name_format = name_format
        self.cpu = cpu
        self.trigger = None
        if trigger_path is not None:
            from .trigger import Trigger

            self.trigger = Trigger(trigger_path, out_dir, trigger_token)

    def __call__(self, environ, start_response):
        if self.trigger is not None and self.trigger.answers(environ.get("PATH_INFO")):
            return self.trigger.wsgi(environ, start_response)
        try:
            profiler = new_profiler(self.cpu)
            started = time.time()
            profiler.enable()
        except Exception as e:  # another profiler is active, say
            warn("not profiling this request: %s" % (reason(e),))
            return self.app(environ, start_response)
        request = _Request(self, profiler, environ, started)
        try:
            body = self.app(environ, start_response)
        except BaseException:
            request.finish()
            raise
        finally:
            request.pause()
        return _ProfiledBody(body, request)

    def save(self, profiler, environ, started):
        """Write a finished request's dump (never raises)."""
        try:
            name = request_name(self.name_format, environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"), started, time.time() - started)
            os.makedirs(self.out_dir, exist_ok=True)
            dump_stats(profiler_stats(profiler), os.path.join(self.out_dir, name))
        except Exception as e:
            warn("could not save the profile of a request: %s" % (reason(e),))


class _Request(object):
    """One request's profiler: on while the app runs, off between chunks, saved once."""

    def __init__(self, middleware, profiler, environ, started):
        self.middleware = middleware
        self.profiler = profiler
        self.environ = environ
        self.started = started
        self.done = False

    def resume(self):
        if not self.done:
            try:
                self.profiler.enable()
            except Exception:
                pass

    def pause(self):
        try:
            self.profiler.disable()
        except Exception:
            pass

    def finish(self):
        if self.done:
            return
        self.done = True
        self.pause()
        self.middleware.save(self.profiler, self.environ, self.started)


class _ProfiledBody(object):
    """The app's response iterable, profiled while each chunk is made and until close()."""

    def __init__(self, body, request):
        self._body = body
        self._request = request

    def __iter__(self):
        request = self._request
        request.resume()
        try:
            chunks = iter(self._body)
        finally:
            request.pause()
        while True:
            request.resume()
            try:
                chunk = next(chunks)
            except StopIteration:
                return
            finally:
                request.pause()
            yield chunk

    def close(self):
        request = self._request
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                request.resume()
                close()
        finally:
            request.finish()


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
