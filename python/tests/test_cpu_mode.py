"""CPU mode charges each thread for the CPU it used, read from its own clock: threads that
sleep or wait get (almost) no samples; wall mode counts them all."""
import os

from conftest import driver, folded, program


def run(tmp, mode):
    out = os.path.join(tmp, "%s.folded" % mode)
    p = driver(["--out", out, "--sample", mode, "--script", program("burn_and_sleep.py")])
    stdout, stderr = p.communicate(timeout=60)
    assert (p.returncode, stdout, stderr) == (0, b"done\n", b"")
    stacks = folded(out)
    by_thread = {}
    for stack, n in stacks.items():
        root = stack.split(";")[0]
        by_thread[root] = by_thread.get(root, 0) + n
    return by_thread


def test_cpu_mode_charges_only_the_thread_that_burns(tmp):
    threads = run(tmp, "cpu")
    total = sum(threads.values())
    idle = threads.get("<thread>:0:sleeper", 0) + threads.get("<thread>:0:MainThread", 0)
    # 2 s of CPU at 10 ms: about 200 samples, nearly all the burner's.
    assert threads["<thread>:0:burner"] > 120
    assert idle <= 0.05 * total, threads


def test_wall_mode_counts_the_sleeping_and_the_waiting_threads(tmp):
    threads = run(tmp, "wall")
    # 2.5 s of wall-clock time at 10 ms, for each of the three threads while it lives.
    assert threads["<thread>:0:sleeper"] > 150
    assert threads["<thread>:0:MainThread"] > 150
    assert threads["<thread>:0:burner"] > 120
