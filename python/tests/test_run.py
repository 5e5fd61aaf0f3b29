"""The driver of `flameprof -r`/`-m`, python -m flameprof_py.run: the program sees what plain
python3 would show it, and its profile comes out with one naming of thread roots."""
import marshal
import os
import subprocess
import sys

import pytest

from conftest import PACKAGE_ROOT, driver, folded, program, python_env


def run(args, program_args=(), env=None):
    p = driver(args, program_args, env=env or python_env())
    out, err = p.communicate(timeout=60)
    return p.returncode, out.decode(), err.decode()


def test_the_program_sees_its_own_argv_path_and_pythonpath(tmp):
    dump = os.path.join(tmp, "env.prof")
    code, out, err = run(["--out", dump, "--restore-pythonpath", "/elsewhere", "--script", program("show_env.py")], ["7", "--flag"])
    assert (code, err) == (7, "")
    assert out.splitlines()[:5] == [
        "argv ['7', '--flag']",
        "name __main__",
        "PYTHONPATH /elsewhere",
        "path0 True",
        "ours on path False",
    ]
    code, out, _ = run(["--out", dump, "--unset-pythonpath", "--script", program("show_env.py")])
    assert code == 0 and "PYTHONPATH None" in out.splitlines()


def test_thread_roots_are_named_alike_under_cprofile_and_the_sampler(tmp):
    prof = os.path.join(tmp, "threads.prof")
    assert run(["--out", prof, "--threads", "--script", program("show_env.py")])[0] == 0
    with open(prof, "rb") as f:
        roots = sorted(k for k, v in marshal.load(f).items() if not v[4])
    assert [k for k in roots if k[0] == "<thread>"] == [("<thread>", 0, "MainThread"), ("<thread>", 0, "helper")]
    stacks = os.path.join(tmp, "threads.folded")
    assert run(["--out", stacks, "--sample", "wall", "--interval", "0.001", "--script", program("show_env.py")])[0] == 0
    assert {s.split(";")[0] for s in folded(stacks)} <= {"<thread>:0:MainThread", "<thread>:0:helper"}
    assert "<thread>:0:MainThread" in {s.split(";")[0] for s in folded(stacks)}


def test_the_runner_leaves_no_frame_of_its_own_in_the_samples(tmp):
    stacks = os.path.join(tmp, "frames.folded")
    assert run(["--out", stacks, "--sample", "wall", "--interval", "0.001", "--script", program("show_env.py")])[0] == 0
    main = [s.split(";") for s in folded(stacks) if s.startswith("<thread>:0:MainThread;")]
    assert main and all(frames[1] == "%s:1:<module>" % program("show_env.py") for frames in main)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--out", "x", "--sample", "cpu", "--cpu", "--script", "a.py"], "--sample cannot be used with --cpu or --threads"),
        (["--out", "x", "--toggle", "--script", "a.py"], "--interval, --toggle, --lines and --snapshot work only with --sample"),
        (["--out", "x", "--script", "a.py", "--module", "m"], "argument --module: not allowed with argument --script"),
        (["--script", "a.py"], "the following arguments are required: --out"),
    ],
)
def test_a_wrong_command_line_is_a_usage_error(args, message):
    code, out, err = run(args)
    assert (code, out) == (2, "")
    assert err.splitlines()[-1] == "python -m flameprof_py.run: error: " + message


def test_a_missing_script_or_module_fails_as_python_does(tmp):
    code, _, err = run(["--out", os.path.join(tmp, "x"), "--script", "no_such.py"])
    assert code == 2 and err.endswith("can't open file %r: [Errno 2] No such file or directory\n" % os.path.abspath("no_such.py"))
    code, _, err = run(["--out", os.path.join(tmp, "x"), "--module", "no_such_module"])
    assert code == 1 and err.endswith(": No module named no_such_module\n")
    assert not os.path.exists(os.path.join(tmp, "x"))


def test_a_failing_program_keeps_its_traceback_and_its_profile(tmp):
    bad = os.path.join(tmp, "bad.py")
    with open(bad, "w") as f:
        f.write("def f():\n    raise ValueError('nope')\nf()\n")
    dump = os.path.join(tmp, "bad.prof")
    code, _, err = run(["--out", dump, "--script", bad])
    plain = subprocess.run([sys.executable, bad], capture_output=True, text=True, cwd=tmp)
    assert code == plain.returncode == 1
    assert err == plain.stderr
    assert os.path.exists(dump)


def test_the_package_is_importable_from_its_folder():
    r = subprocess.run([sys.executable, "-c", "import flameprof_py, os; print(os.path.dirname(os.path.dirname(flameprof_py.__file__)))"], env=python_env(), capture_output=True, text=True)
    assert r.stdout.strip() == PACKAGE_ROOT
