"""The pytest plugin, run in a real pytest under /usr/bin/python3: found through the package's
pytest11 entry point once installed (`pip install ./python`), idle unless asked; one dump for
a run, or an SVG or report rendered by the CLI, or a dump per test; a summary line."""
import marshal
import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import PACKAGE_ROOT, PROGRAMS

CLI = os.path.join(os.path.dirname(PACKAGE_ROOT), "bin", "flameprof.js")


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


def pytest_run(args, pythonpath, cwd, **extra):
    env = dict(os.environ, PYTHONPATH=pythonpath, PYTHONDONTWRITEBYTECODE="1", **extra)
    env.pop("PYTEST_ADDOPTS", None)
    return subprocess.run(
        # The node ids are relative to the rootdir, which pytest would otherwise take from cwd and the path.
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", os.path.join(PROGRAMS, "pytests"), os.path.join(PROGRAMS, "pytests")] + args,
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
    assert re.search(r"^flameprof: wrote %s; top own time: .+ \d+\.\d{3} s\n" % re.escape(out), r.stdout, re.M), r.stdout
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


def test_a_dump_per_test_named_from_its_node_id(installed, tmp):
    folder = os.path.join(tmp, "per-test")
    r = pytest_run(["--flameprof-dir", folder], installed, tmp)
    assert r.returncode == 0, r.stdout + r.stderr
    names = sorted(os.listdir(folder))
    assert names == ["test_three.py.test_crunch_%s.prof" % n for n in ("one", "three", "two")]
    calls = {}
    for name in names:
        with open(os.path.join(folder, name), "rb") as f:
            stats = marshal.load(f)
        calls[name] = sum(v[1] for k, v in stats.items() if k[2] == "crunch")
    # Setup is the test's own: test_crunch_two's fixture calls crunch too.
    assert calls == {names[0]: 1, names[1]: 1, names[2]: 2}
    assert re.search(r"^flameprof: wrote 3 profiles in %s; top own time: " % re.escape(folder), r.stdout, re.M), r.stdout


@pytest.mark.parametrize("ending, start", [(".svg", "<?xml"), (".html", "<!DOCTYPE html>")])
def test_an_svg_or_a_report_rendered_by_the_cli(installed, tmp, ending, start):
    out = os.path.join(tmp, "run" + ending)
    r = pytest_run(["--flameprof-out", out], installed, tmp, FLAMEPROF_CLI=CLI)
    assert r.returncode == 0, r.stdout + r.stderr
    with open(out, encoding="utf-8") as f:
        text = f.read()
    assert text.startswith(start) and "crunch" in text
    assert "flameprof: wrote %s; top own time: " % out in r.stdout


@pytest.mark.parametrize("why", ["no node", "no cli"])
def test_when_the_cli_cannot_render_the_dump_is_kept(installed, tmp, why):
    out = os.path.join(tmp, "run.svg")
    if why == "no node":
        extra = dict(FLAMEPROF_CLI=CLI, PATH=tmp)  # a PATH without node
        message = "node is not on PATH: the flameprof CLI needs Node.js 20 or later"
    else:
        extra = dict(FLAMEPROF_CLI=os.path.join(tmp, "missing.js"))
        message = "FLAMEPROF_CLI names %s, which does not exist" % os.path.join(tmp, "missing.js")
    r = pytest_run(["--flameprof-out", out], installed, tmp, **extra)
    assert r.returncode == 0, r.stdout + r.stderr
    kept = os.path.join(tmp, "run.prof")
    assert "flameprof_py: cannot render %s: %s; the dump is %s\n" % (out, message, kept) in r.stderr, r.stderr
    assert not os.path.exists(out)
    with open(kept, "rb") as f:
        assert any(k[2] == "crunch" for k in marshal.load(f))
    assert "flameprof: wrote %s; top own time: " % kept in r.stdout
