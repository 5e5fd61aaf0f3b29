"""Says it is ready, works for about 1.5 s of CPU printing its progress, and exits with 3."""
import sys
import time


def work(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


print("ready", flush=True)
for i in range(10):
    work(0.15)
    print("step", i, flush=True)
sys.exit(3)
