"""The pytest plugin, loaded by pytest from the package's entry point (or with `-p
flameprof_py.pytest_plugin`) and idle unless asked:

- `--flameprof-out=FILE`: cProfile of every test's setup, call and teardown, as one profile.
  FILE's ending says what it gets: `.svg`, `.html`, `.log`, `.speedscope.json` or `.pb.gz`
  that output, rendered by the flameprof CLI (render.py; if that fails, the dump is kept as
  FILE with `.prof` for its ending, and stderr says why); any other ending, the pstats dump.
- `--flameprof-dir=DIR`: a pstats dump per test, named from its node id.

The terminal summary ends with one line: where the profiles went, and the functions that
took the most time of their own.
"""
import os
import shutil
import tempfile
import zlib

import pytest

from .files import warn
from .naming import safe
from .profiling import add_stats, dump_stats, new_profiler, profiler_stats
from .render import RenderError, format_of, render

# Longer names are cut, and told apart by a hash of the whole node id.
MAX_NAME = 150
TOP = 3


def pytest_addoption(parser):
    group = parser.getgroup("flameprof")
    group.addoption(
        "--flameprof-out",
        default=None,
        metavar="FILE",
        help="profile the tests with cProfile into FILE: a pstats dump, or by its ending an .svg, .html, .log, .speedscope.json or .pb.gz rendered by flameprof",
    )
    group.addoption("--flameprof-dir", default=None, metavar="DIR", help="write a cProfile dump per test (setup, call and teardown) into DIR")


def pytest_configure(config):
    out = config.getoption("flameprof_out")
    folder = config.getoption("flameprof_dir")
    if out or folder:
        config.pluginmanager.register(_Plugin(out, folder), "flameprof_py")


def test_file_name(nodeid, taken):
    """A dump's file name for the test `nodeid`, not in `taken` (which it joins)."""
    name = safe(nodeid.replace("::", ".").replace("/", ".").replace("\\", "."))
    if len(name) > MAX_NAME:
        name = "%s.%08x" % (name[:MAX_NAME], zlib.crc32(nodeid.encode("utf-8", "surrogateescape")))
    unique, n = name, 1
    while unique in taken:
        n += 1
        unique = "%s-%d" % (name, n)
    taken.add(unique)
    return unique + ".prof"


def _label(func):
    file, line, name = func
    return name if file == "~" else "%s (%s:%d)" % (name, os.path.basename(file), line)


class _Plugin(object):
    def __init__(self, out, folder):
        self.out = out
        self.folder = folder
        self.profiler = None
        self.total = {}  # the whole run's stats, merged test by test
        self.names = set()
        self.per_test = 0

    def _profiled(self):
        try:
            self.profiler.enable()
        except Exception as e:  # another profiler is active, say
            warn("not profiling this test: %s" % (e,))
            yield
            return
        try:
            yield
        finally:
            self.profiler.disable()

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_setup(self, item):
        self.profiler = new_profiler()
        yield from self._profiled()

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item):
        yield from self._profiled()

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_teardown(self, item):
        yield from self._profiled()
        stats = profiler_stats(self.profiler)
        self.profiler = None
        if self.folder:
            try:
                os.makedirs(self.folder, exist_ok=True)
            except OSError:
                pass  # write_file says why
            if dump_stats(stats, os.path.join(self.folder, test_file_name(item.nodeid, self.names))):
                self.per_test += 1
        add_stats(self.total, stats)

    def _write_out(self):
        """Write --flameprof-out; returns the path written, or None."""
        if format_of(self.out) is None:
            return self.out if dump_stats(self.total, self.out) else None
        work = tempfile.mkdtemp(prefix="flameprof-pytest-")
        try:
            dump = os.path.join(work, "tests.prof")
            if not dump_stats(self.total, dump):
                return None
            try:
                render(dump, self.out)
                return self.out
            except RenderError as e:
                kept = os.path.splitext(self.out[: -len(".gz")] if self.out.endswith(".gz") else self.out)[0] + ".prof"
                warn("cannot render %s: %s; the dump is %s" % (self.out, e, kept))
                return kept if dump_stats(self.total, kept) else None
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def pytest_terminal_summary(self, terminalreporter):
        wrote = []
        if self.out:
            path = self._write_out()
            if path is not None:
                wrote.append(os.path.abspath(path))
        if self.folder:
            wrote.append("%d profile%s in %s" % (self.per_test, "" if self.per_test == 1 else "s", os.path.abspath(self.folder)))
        # Times that would print as 0.000 s say nothing.
        top = sorted(((v[2], k) for k, v in self.total.items() if v[2] >= 0.0005), reverse=True)[:TOP]
        own = ", ".join("%s %.3f s" % (_label(k), tt) for tt, k in top) or "none"
        where = "wrote %s; " % " and ".join(wrote) if wrote else ""
        terminalreporter.write_line("flameprof: %stop own time: %s" % (where, own))
