"""flameprof's Python side: a low-overhead sampling profiler, per-request profiles of WSGI
and ASGI apps, a pytest plugin, notebook magics and a context manager, all writing files that
`flameprof` reads.

    from flameprof_py import ASGIProfileMiddleware, Collector, ProfileMiddleware, profile

`pip install ./python` installs it; `flameprof --python-path` prints the folder to put on
PYTHONPATH instead. No dependencies; Python 3.8+.
"""
from .profiling import profile
from .sampler import Collector
from .wsgi_middleware import ProfileMiddleware, wsgi

__all__ = ["ASGIProfileMiddleware", "Collector", "ProfileMiddleware", "profile", "wsgi"]


def __getattr__(name):
    # Imported when asked for: it needs asyncio, which no other part of a program should pay for.
    if name == "ASGIProfileMiddleware":
        from .asgi_middleware import ASGIProfileMiddleware

        return ASGIProfileMiddleware
    raise AttributeError("module %r has no attribute %r" % (__name__, name))


def load_ipython_extension(ipython):
    """`%load_ext flameprof_py`: the %flameprof and %%flameprof magics (notebook.py)."""
    from .notebook import register

    register(ipython)
