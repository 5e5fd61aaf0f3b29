"""The Collector in a live process: started, paused and resumed, saved while it runs, in
CPU and wall-clock modes."""
import ast
import os
import threading
import time

import pytest

from conftest import folded, samples_in
from flameprof_py import Collector


def spin(seconds):
    # The thread's own CPU time: two threads spinning at once each get their seconds.
    end = time.thread_time() + seconds
    n = 0
    while time.thread_time() < end:
        n += sum(range(300))  # the hot line
    return n


def spin_a():
    spin(0.15)


def spin_b():
    spin(0.15)


def sampler_threads():
    return [t for t in threading.enumerate() if t.name == "flameprof_py:sampler"]


def test_started_and_stopped_many_times_the_samples_add_up(tmp):
    c = Collector(interval=0.002)
    for _ in range(5):
        c.start()
        spin_a()
        c.stop()
        spin_b()  # paused: not counted
    c.close()
    stacks = folded_text(c.folded())
    a, b = samples_in(stacks, "spin_a"), samples_in(stacks, "spin_b")
    # 0.75 s of CPU at 2 ms: about 375 samples, on a loaded machine fewer.
    assert a > 100
    assert b <= a * 0.05
    assert c.samples == sum(stacks.values())
    assert sampler_threads() == []


def test_saved_as_folded_and_as_plop_while_it_runs(tmp):
    c = Collector(interval=0.002)
    c.start()
    spin_a()
    first = os.path.join(tmp, "first.folded")
    assert c.save(first) is True
    spin_a()
    c.close()
    last_folded = os.path.join(tmp, "last.folded")
    last_plop = os.path.join(tmp, "last.plop")
    assert c.save(last_folded) and c.save(last_plop)
    early, late = folded(first), folded(last_folded)
    assert 0 < sum(early.values()) < sum(late.values())
    with open(last_plop, encoding="utf-8") as f:
        plop = ast.literal_eval(f.read())
    # plop's dict: innermost frame first, the thread's root last; the same counts as the folded file.
    assert sum(plop.values()) == sum(late.values())
    for stack, n in plop.items():
        assert stack[-1] == ("<thread>", 0, "MainThread")
        folded_stack = ";".join("%s:%d:%s" % f for f in reversed(stack))
        assert late[folded_stack] == n


def test_each_thread_is_a_root_and_the_sampler_is_none(tmp):
    c = Collector(interval=0.002)
    c.start()
    t = threading.Thread(target=spin_b, name="worker-1")
    t.start()
    spin_a()
    t.join()
    c.close()
    stacks = folded_text(c.folded())
    roots = {s.split(";")[0] for s in stacks}
    assert roots == {"<thread>:0:MainThread", "<thread>:0:worker-1"}
    assert samples_in(stacks, "spin_b", thread="worker-1") > 30
    assert not any(os.path.join("flameprof_py", "sampler.py") in s for s in stacks)


def test_frames_are_functions_by_their_first_line_or_with_lines_the_line_run(tmp):
    hot_line = next(i for i, line in enumerate(open(__file__, encoding="utf-8"), 1) if line.endswith("# the hot line\n"))
    # A thread is seen where it lets the others run: at the loop's jump back to its `while`.
    loop = (hot_line - 1, hot_line)
    for lines, expected in ((False, (spin.__code__.co_firstlineno,)), (True, loop)):
        c = Collector(interval=0.002, lines=lines)
        c.start()
        spin(0.2)
        c.close()
        stacks = folded_text(c.folded())
        leaves = {}
        for stack, n in stacks.items():
            leaf = stack.split(";")[-1]
            if leaf.endswith(":spin"):
                leaves[leaf] = leaves.get(leaf, 0) + n
        best = max(leaves, key=leaves.get)
        assert best in ["%s:%d:spin" % (__file__, line) for line in expected]
        assert sum(leaves.get("%s:%d:spin" % (__file__, line), 0) for line in expected) > 0.8 * sum(leaves.values())


def test_start_paused_then_toggle_collects_only_between_toggles():
    c = Collector(interval=0.002)
    c.start(paused=True)
    assert len(sampler_threads()) == 1 and not c.running
    spin_a()
    c.toggle()
    assert c.running
    spin_b()
    c.toggle()
    spin_a()
    c.close()
    stacks = folded_text(c.folded())
    assert samples_in(stacks, "spin_a") <= 3
    assert samples_in(stacks, "spin_b") > 30


def test_wall_mode_counts_sleeping_threads_too():
    c = Collector(interval=0.005, mode="wall")
    c.start()
    time.sleep(0.3)
    c.close()
    stacks = folded_text(c.folded())
    sleeping = sum(n for s, n in stacks.items() if s.endswith(":test_wall_mode_counts_sleeping_threads_too"))
    assert sleeping > 20


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"mode": "gpu"}, "mode must be 'cpu' or 'wall', got 'gpu'"),
        ({"interval": 0.0001}, "interval must be at least 0.001 s, got 0.0001"),
        ({"interval": "soon"}, "interval must be a number of seconds, got 'soon'"),
    ],
)
def test_bad_settings_are_told_at_once(kwargs, message):
    with pytest.raises(ValueError) as e:
        Collector(**kwargs)
    assert str(e.value) == message


def folded_text(text):
    out = {}
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        out[stack] = out.get(stack, 0) + int(count)
    return out
