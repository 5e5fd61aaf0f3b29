"""Shared helpers of the package's tests.

They run under the interpreter that runs pytest: `npm test` uses /usr/bin/python3, Debian's,
which has the frameworks these tests start for real (wsgiref from the standard library,
gunicorn from python3-gunicorn); every program a test starts runs under that same
interpreter (sys.executable), with the package on PYTHONPATH.
"""
import os
import subprocess
import sys

import pytest

PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROGRAMS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "programs")

sys.path.insert(0, PACKAGE_ROOT)


def program(name):
    return os.path.join(PROGRAMS, name)


def python_env(**extra):
    """The environment of a Python we start: the package importable, no bytecode files left."""
    env = dict(os.environ)
    env["PYTHONPATH"] = PACKAGE_ROOT
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


def driver(args, program_args=(), **kw):
    """`python -m flameprof_py.run ARGS -- PROGRAM_ARGS` (what `flameprof -r` starts), not waited for."""
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    kw.setdefault("env", python_env())
    return subprocess.Popen([sys.executable, "-m", "flameprof_py.run"] + list(args) + ["--"] + list(program_args), **kw)


def folded(path):
    """Samples per stack of a folded file: {stack: count}."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            out[stack] = out.get(stack, 0) + int(count)
    return out


def samples_in(stacks, function, thread=None):
    """Samples whose stack passes through `function` (a frame ending in `:function`), in `thread` if given."""
    n = 0
    for stack, count in stacks.items():
        frames = stack.split(";")
        if thread is not None and frames[0] != "<thread>:0:%s" % thread:
            continue
        if any(f.endswith(":" + function) for f in frames[1:]):
            n += count
    return n


@pytest.fixture
def tmp(tmp_path):
    return str(tmp_path)
