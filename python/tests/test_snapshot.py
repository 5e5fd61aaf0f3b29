"""What the sampler has so far, while it goes on (Collector.snapshot, SIGUSR1 under the
driver), and frames by the line run (--lines), under /usr/bin/python3."""
import os
import signal
import time

from conftest import driver, folded, program
from flameprof_py import Collector

from test_sampler import spin_a


def test_a_snapshot_holds_fewer_samples_than_the_final_save_and_more_than_none(tmp):
    c = Collector(interval=0.002)
    c.start()
    spin_a()
    early = os.path.join(tmp, "early.folded")
    assert c.snapshot(early) is True
    spin_a()
    c.close()
    final = os.path.join(tmp, "final.folded")
    c.save(final)
    got, total = sum(folded(early).values()), sum(folded(final).values())
    assert 0 < got < total


def test_sigusr1_has_the_driver_write_a_snapshot_and_the_program_goes_on(tmp):
    out, snap = os.path.join(tmp, "run.folded"), os.path.join(tmp, "snap.folded")
    p = driver(["--out", out, "--sample", "cpu", "--snapshot", snap, "--script", program("hot_loop.py")])
    assert p.stdout.readline() == b"ready\n"
    time.sleep(0.7)
    os.kill(p.pid, signal.SIGUSR1)
    deadline = time.monotonic() + 10
    while not os.path.exists(snap) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert os.path.exists(snap) and p.poll() is None  # written while the program runs
    _, err = p.communicate(timeout=60)
    assert (p.returncode, err) == (0, b"")
    got, total = sum(folded(snap).values()), sum(folded(out).values())
    assert 0 < got < total


def test_lines_show_the_hot_loops_own_line(tmp):
    source = program("hot_loop.py")
    hot = next(i for i, line in enumerate(open(source, encoding="utf-8"), 1) if line.endswith("# the hot line\n"))
    out = os.path.join(tmp, "lines.folded")
    p = driver(["--out", out, "--sample", "cpu", "--lines", "--script", source])
    p.communicate(timeout=60)
    leaves = {}
    for stack, n in folded(out).items():
        leaf = stack.split(";")[-1]
        if leaf.endswith(":hot_loop"):
            leaves[leaf] = leaves.get(leaf, 0) + n
    # The hot line, or the loop's `while` line where the thread is stopped to let others run.
    on_loop = sum(leaves.get("%s:%d:hot_loop" % (source, line), 0) for line in (hot - 1, hot))
    assert on_loop > 0.8 * sum(leaves.values()) > 0, leaves
    assert "%s:%d:hot_loop" % (source, 5) not in leaves  # not the def's line
