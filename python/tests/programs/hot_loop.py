"""Says it is ready, then spins in one hot loop for about 2 s of CPU."""
import time


def hot_loop(seconds):
    end = time.process_time() + seconds
    n = 0
    while time.process_time() < end:
        n += sum(range(100))  # the hot line
    return n


print("ready", flush=True)
hot_loop(2.0)
