"""Prints what a program can see of how it was started, then works in two threads."""
import os
import sys
import threading


def work():
    return sum(i * i for i in range(2000000))


print("argv", sys.argv[1:])
print("name", __name__)
print("PYTHONPATH", os.environ.get("PYTHONPATH"))
print("path0", sys.path[0] == os.path.dirname(os.path.realpath(__file__)))
print("ours on path", any(p.rstrip("/").endswith("python") and os.path.isdir(os.path.join(p, "flameprof_py")) for p in sys.path[1:]))
t = threading.Thread(target=work, name="helper")
t.start()
work()
t.join()
sys.exit(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
