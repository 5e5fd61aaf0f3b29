"""`pytest -p flameprof_py.pytest_plugin`: profiles every test's setup and call with one
cProfile, and writes the dump to --flameprof-out (default: pytest-profile.prof in the
current folder), whose path is printed at the end of the run."""
import cProfile
import os

import pytest


def pytest_addoption(parser):
    group = parser.getgroup("flameprof")
    group.addoption("--flameprof-out", default="pytest-profile.prof", help="where the cProfile dump of the tests goes")


def pytest_configure(config):
    config.pluginmanager.register(_Plugin(config.getoption("flameprof_out")), "flameprof_py")


class _Plugin(object):
    def __init__(self, out):
        self.out = out
        self.profiler = cProfile.Profile()

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
        self.profiler.dump_stats(self.out)
        terminalreporter.write_line("flameprof: wrote %s" % os.path.abspath(self.out))
