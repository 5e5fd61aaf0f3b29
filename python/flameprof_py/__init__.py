"""flameprof's Python side: a low-overhead sampling profiler, per-request WSGI profiles, a
pytest plugin and a context manager, all writing files that `flameprof` reads.

    from flameprof_py import Collector, ProfileMiddleware, profile

`flameprof --python-path` prints the folder to put on PYTHONPATH. No dependencies; Python 3.8+.
"""
from .sampler import Collector
from .profiling import profile, ProfileMiddleware, wsgi

__all__ = ["Collector", "ProfileMiddleware", "profile", "wsgi"]
