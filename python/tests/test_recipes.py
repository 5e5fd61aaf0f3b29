"""docs/profiling.md's recipes, each in its real framework (Debian's python3-flask,
python3-django, python3-fastapi, python3-starlette; served by wsgiref or uvicorn on a loopback
port) under /usr/bin/python3: the recipe's lines as written, and a request to the app leaves
a profile named after it that holds the view's function."""
import http.client
import os
import re
import subprocess
import sys
import time

import pytest

from conftest import PROGRAMS, folded, python_env

RECIPES = os.path.join(PROGRAMS, "recipes")
DOC = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "docs", "profiling.md")


def recipe_lines(name):
    """The lines between the program's `# --- the recipe` markers."""
    with open(os.path.join(RECIPES, name), encoding="utf-8") as f:
        text = f.read()
    body = text.split("# --- the recipe", 1)[1].split("\n", 1)[1].split("# ---\n", 1)[0]
    return [line for line in body.splitlines() if line.strip()]


@pytest.mark.parametrize(
    "program, view, ending",
    [
        ("flask_app.py", "flask_items", ".prof"),
        ("django_app.py", "django_items", ".prof"),
        ("fastapi_app.py", "fastapi_items", ".folded"),
        ("starlette_app.py", "starlette_items", ".folded"),
    ],
)
def test_the_recipe_as_written_profiles_a_request(tmp, program, view, ending):
    with open(DOC, encoding="utf-8") as f:
        doc = f.read()
    for line in recipe_lines(program):
        assert line in doc, "%s: %r is not in docs/profiling.md" % (program, line)
    env = python_env(PYTHONPATH=os.pathsep.join([python_env()["PYTHONPATH"], RECIPES]))
    proc = subprocess.Popen([sys.executable, os.path.join(RECIPES, program), tmp], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        line = proc.stdout.readline().decode()
        assert line.startswith("port "), line + proc.stderr.read().decode()
        conn = http.client.HTTPConnection("127.0.0.1", int(line.split()[1]), timeout=30)
        conn.request("GET", "/items/7")
        r = conn.getresponse()
        assert (r.status, "7" in r.read().decode()) == (200, True)
        folder = os.path.join(tmp, "profiles")
        deadline = time.monotonic() + 15
        names = []
        while not names and time.monotonic() < deadline:
            names = [n for n in os.listdir(folder) if n.endswith(ending)] if os.path.isdir(folder) else []
            time.sleep(0.05)
    finally:
        proc.kill()
        proc.communicate()
    assert len(names) == 1 and re.match(r"^GET\.items\.7\.\d+\.\d{3}\.\d+ms\%s$" % ending, names[0]), names
    path = os.path.join(folder, names[0])
    if ending == ".prof":
        import marshal

        with open(path, "rb") as f:
            assert any(k[2] == view for k in marshal.load(f))
    else:
        # About 0.1 s of work at 10 ms: sampled in the view.
        assert any(":%s;" % view in stack + ";" for stack in folded(path)), folded(path)
