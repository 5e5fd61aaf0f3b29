"""The pytest plugin, loaded by pytest from the package's entry point (or with `-p
flameprof_py.pytest_plugin`) and idle unless asked: `--flameprof-out=FILE` profiles every
test's setup and call with one cProfile and writes the dump to FILE, whose path is printed
at the end of the run."""
import os

import pytest

from .profiling import dump_stats, new_profiler, profiler_stats


def pytest_addoption(parser):
    group = parser.getgroup("flameprof")
    group.addoption("--flameprof-out", default=None, metavar="FILE", help="profile the tests with cProfile and write the dump to FILE")


def pytest_configure(config):
    out = config.getoption("flameprof_out")
    if out:
        config.pluginmanager.register(_Plugin(out), "flameprof_py")


class _Plugin(object):
    def __init__(self, out):
        self.out = out
        self.profiler = new_profiler()

    def _profiled(self):
        self.profiler.enable()
        try:
            yield
        finally:
            self.profiler.disable()

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_setup(self, item):
        yield from self._profiled()

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item):
        yield from self._profiled()

    def pytest_terminal_summary(self, terminalreporter):
        if dump_stats(profiler_stats(self.profiler), self.out):
            terminalreporter.write_line("flameprof: wrote %s" % os.path.abspath(self.out))
