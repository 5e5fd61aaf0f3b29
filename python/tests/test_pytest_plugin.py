"""The pytest plugin: found through the package's pytest11 entry point once installed
(`pip install ./python`), idle unless asked, and writing one dump for a run."""
import marshal
import os
import shutil
import subprocess
import sys

import pytest

from conftest import PACKAGE_ROOT, PROGRAMS


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The package installed by pip into a folder of its own (offline: setuptools is Debian's)."""
    work = tmp_path_factory.mktemp("pip")
    source = work / "source"
    shutil.copytree(PACKAGE_ROOT, str(source), ignore=shutil.ignore_patterns("tests", "build", "*.egg-info", "__pycache__"))
    target = work / "site"
    r = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-build-isolation", "--no-deps", "--no-index", "--target", str(target), str(source)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    return str(target)


def pytest_run(args, pythonpath, cwd):
    env = dict(os.environ, PYTHONPATH=pythonpath, PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTEST_ADDOPTS", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", os.path.join(PROGRAMS, "pytests")] + args,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
    )


def test_installed_it_is_found_without_p_and_writes_the_dump(installed, tmp):
    out = os.path.join(tmp, "tests.prof")
    r = pytest_run(["--flameprof-out", out], installed, tmp)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "3 passed" in r.stdout
    assert "flameprof: wrote %s\n" % out in r.stdout
    with open(out, "rb") as f:
        stats = marshal.load(f)
    crunch = [v for k, v in stats.items() if k[2] == "crunch"]
    assert crunch and crunch[0][1] == 4  # three tests and the fixture


def test_installed_it_stays_idle_unless_asked(installed, tmp):
    r = pytest_run([], installed, tmp)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "flameprof" not in r.stdout
    assert os.listdir(tmp) == []


def test_p_still_works_installed_or_not(installed, tmp):
    for path in (installed, PACKAGE_ROOT):
        out = os.path.join(tmp, "p.prof")
        r = pytest_run(["-p", "flameprof_py.pytest_plugin", "--flameprof-out", out], path, tmp)
        assert r.returncode == 0, r.stdout + r.stderr
        assert os.path.exists(out)
        os.unlink(out)


def test_a_dump_that_cannot_be_written_does_not_fail_the_run(installed, tmp):
    out = os.path.join(tmp, "missing", "tests.prof")
    r = pytest_run(["--flameprof-out", out], installed, tmp)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "flameprof_py: cannot write %s: No such file or directory" % out in r.stderr
