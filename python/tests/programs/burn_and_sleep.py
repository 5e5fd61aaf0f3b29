"""One thread burns CPU for 2 s, one sleeps 2.5 s, and the main thread waits for both."""
import threading
import time


def burn():
    end = time.thread_time() + 2.0
    while time.thread_time() < end:
        pass


def doze():
    time.sleep(2.5)


threads = [threading.Thread(target=burn, name="burner"), threading.Thread(target=doze, name="sleeper")]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("done")
