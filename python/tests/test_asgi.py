"""ASGIProfileMiddleware in a FastAPI app served by uvicorn (Debian's python3-fastapi and
python3-uvicorn) on a loopback port, under /usr/bin/python3 like every test here: three
overlapping requests give three profiles, each of its own work; streamed bodies stream;
lifespan and websocket scopes pass through; a profile that cannot be written breaks nothing."""
import asyncio
import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time

from conftest import folded, program, python_env
from flameprof_py import ASGIProfileMiddleware

NAME = re.compile(r"^GET\.(\w+)\.(\d+\.\d{3})\.(\d+)ms\.folded$")


class Server(object):
    def __init__(self, out, *trigger):
        self.out = out
        self.proc = subprocess.Popen([sys.executable, program("asgi_app.py"), out] + list(trigger), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=python_env())
        line = self.proc.stdout.readline().decode()
        assert line.startswith("port "), line + self.proc.stderr.read().decode()
        self.port = int(line.split()[1])
        assert self.proc.stdout.readline() == b"lifespan startup\n"

    def get(self, path, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=90)
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.getheader("content-type"), r.read().decode()

    def profiles(self, n, timeout=15):
        """The first `n` request profiles, by endpoint, once written."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            names = [f for f in os.listdir(self.out) if NAME.match(f)] if os.path.isdir(self.out) else []
            if len(names) >= n:
                return dict((NAME.match(f).group(1), f) for f in names)
            time.sleep(0.05)
        raise AssertionError("%d profiles after %d s" % (len(names), timeout))

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            _, err = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return err.decode()


def samples_under(stacks, function):
    return sum(n for s, n in stacks.items() if any(f.endswith(":" + function) for f in s.split(";")))


def test_three_overlapping_requests_give_three_profiles_each_of_its_own_work(tmp):
    s = Server(os.path.join(tmp, "profiles"))
    try:
        answers = {}
        threads = [threading.Thread(target=lambda p=p: answers.__setitem__(p, s.get("/" + p))) for p in ("alpha", "beta", "gamma")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert answers == dict((p, (200, "text/plain; charset=utf-8", p + "\n")) for p in ("alpha", "beta", "gamma"))
        files = s.profiles(3)
    finally:
        err = s.stop()
    assert err == ""
    spans = {}
    for endpoint, f in files.items():
        _, ts, ms = NAME.match(f).groups()
        spans[endpoint] = (float(ts), float(ts) + int(ms) / 1000.0)
    # They did overlap: each started before the others ended.
    assert max(a for a, _ in spans.values()) < min(b for _, b in spans.values())
    alpha, beta, gamma = (folded(os.path.join(s.out, files[p])) for p in ("alpha", "beta", "gamma"))
    assert samples_under(alpha, "work_alpha") > 20 and samples_under(alpha, "work_beta") == 0
    assert samples_under(beta, "work_beta") > 20 and samples_under(beta, "work_alpha") == 0
    assert samples_under(gamma, "work_alpha") == 0 and samples_under(gamma, "work_beta") == 0
    # Awaiting asyncio.sleep(0.6): most of its samples, under <await>, in wait_gamma.
    waiting = sum(n for st, n in gamma.items() if st.startswith("<await>:0:<await>;") and ":wait_gamma;" in st + ";")
    assert waiting > 0.5 * sum(gamma.values()), gamma
    # The stacks start at the app: nothing of uvicorn's or ours below it.
    for stacks in (alpha, beta, gamma):
        for st in stacks:
            first = st.split(";")[1] if st.startswith("<await>") else st.split(";")[0]
            assert first.endswith(":__call__") and "fastapi" in first, st


def test_a_streamed_body_streams_and_its_request_is_profiled(tmp):
    s = Server(os.path.join(tmp, "profiles"))
    try:
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)
        conn.request("GET", "/stream")
        r = conn.getresponse()
        got = []
        while True:
            line = r.fp.readline()
            if not line or line == b"0\r\n":
                break
            if line.startswith(b"chunk"):
                got.append((time.monotonic(), line.strip()))
        assert [c for _, c in got] == [b"chunk 0", b"chunk 1", b"chunk 2"]
        # Each chunk came as the app sent it, 0.3 s apart, not all at the end.
        assert got[-1][0] - got[0][0] > 0.45
        assert "stream" in s.profiles(1)
    finally:
        assert s.stop() == ""


def test_websocket_and_lifespan_scopes_pass_through_untouched(tmp):
    seen = []

    async def app(scope, receive, send):
        seen.append((scope, receive, send))

    async def receive():
        return {}

    async def send(message):
        pass

    mw = ASGIProfileMiddleware(app, os.path.join(tmp, "out"))
    for kind in ("websocket", "lifespan"):
        scope = {"type": kind, "path": "/ws"}
        asyncio.run(mw(scope, receive, send))
        assert seen[-1] == (scope, receive, send) and seen[-1][0] is scope
    time.sleep(0.05)
    assert not os.path.exists(os.path.join(tmp, "out"))


def test_a_profile_that_cannot_be_written_is_one_line_and_the_response_is_whole(tmp, capfd):
    blocked = os.path.join(tmp, "a-file")
    with open(blocked, "w") as f:
        f.write("not a folder")

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"whole"})

    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}

    mw = ASGIProfileMiddleware(app, blocked)
    asyncio.run(mw({"type": "http", "method": "GET", "path": "/x"}, receive, send))
    assert [m.get("body") for m in sent] == [None, b"whole"]
    deadline = time.monotonic() + 5
    err = ""
    while time.monotonic() < deadline and not err:
        time.sleep(0.05)
        err = capfd.readouterr().err
    assert re.match(r"^flameprof_py: could not save the profile of a request: .+\n$", err), err
