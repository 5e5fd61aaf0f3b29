"""Signals never block the program nor change what it does: storms of SIGUSR2 against the
sampler's toggle, and SIGTERM, which unwinds the program and keeps its profile."""
import os
import random
import signal
import time

import pytest

from conftest import driver, folded, program

EXPECTED = b"ready\n" + b"".join(b"step %d\n" % i for i in range(10))


def start_busy(tmp, mode, name):
    out = os.path.join(tmp, name)
    p = driver(["--out", out, "--sample", mode, "--toggle", "--interval", "0.002", "--script", program("busy.py")])
    assert p.stdout.readline() == b"ready\n"
    return p, out


def finish(p, timeout=60):
    try:
        rest, err = p.communicate(timeout=timeout)
    except Exception:
        p.kill()
        p.communicate()
        raise
    return b"ready\n" + rest, err


@pytest.mark.parametrize("storm", range(3))
def test_a_storm_of_400_sigusr2_ends_on_its_own_with_the_output_intact(tmp, storm):
    p, out = start_busy(tmp, "cpu", "storm%d.folded" % storm)
    for _ in range(400):
        os.kill(p.pid, signal.SIGUSR2)
    stdout, stderr = finish(p)
    assert (p.returncode, stdout, stderr) == (3, EXPECTED, b"")
    assert os.path.exists(out)


def test_signals_in_any_rhythm_wall_mode_too(tmp):
    p, out = start_busy(tmp, "wall", "rhythm.folded")
    rng = random.Random(7)
    for i in range(300):
        os.kill(p.pid, signal.SIGUSR2)
        if i % 10 == 0:
            time.sleep(rng.random() * 0.02)
    stdout, stderr = finish(p)
    assert (p.returncode, stdout, stderr) == (3, EXPECTED, b"")
    assert os.path.exists(out)


def test_an_even_number_of_toggles_spaced_out_leaves_collection_where_it_was(tmp):
    p, out = start_busy(tmp, "cpu", "toggled.folded")
    os.kill(p.pid, signal.SIGUSR2)  # on
    time.sleep(0.5)
    os.kill(p.pid, signal.SIGUSR2)  # off
    stdout, _ = finish(p)
    assert stdout == EXPECTED
    work = sum(n for s, n in folded(out).items() if s.endswith(":work"))
    # About 0.5 s of the 1.5 s at 2 ms: some, and not all.
    assert 40 < work < 500


def test_sigterm_unwinds_the_program_and_keeps_its_profile(tmp):
    out = os.path.join(tmp, "term.prof")
    p = driver(["--out", out, "--script", program("busy.py")])
    assert p.stdout.readline() == b"ready\n"
    p.send_signal(signal.SIGTERM)
    p.communicate(timeout=60)
    assert p.returncode == -signal.SIGTERM
    with open(out, "rb") as f:
        import marshal

        stats = marshal.load(f)
    assert any(name == "work" for (_, _, name) in stats)
