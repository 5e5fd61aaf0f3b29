"""flameprof's Python side: a low-overhead sampling profiler, per-request WSGI profiles, a
pytest plugin and a context manager, all writing files that `flameprof` reads.

    from flameprof_py import Collector, ProfileMiddleware, profile

`pip install ./python` installs it; `flameprof --python-path` prints the folder to put on
PYTHONPATH instead. No dependencies; Python 3.8+.
"""
from .middleware import ProfileMiddleware, wsgi
from .profiling import profile
from .sampler import Collector

__all__ = ["Collector", "ProfileMiddleware", "profile", "wsgi"]
