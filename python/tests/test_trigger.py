"""Sampling on demand over HTTP (trigger.py), in both middlewares behind real servers on a
loopback port (wsgiref with a thread per request; uvicorn with FastAPI), under
/usr/bin/python3: the answer holds a background thread's stacks and is written to a file;
bad queries are 400, a second sampling while one runs 409, a wrong token 403; unset, the
path is the app's."""
import http.client
import os
import subprocess
import sys
import threading
import time

import pytest

from conftest import folded, program, python_env
from flameprof_py import ProfileMiddleware
from flameprof_py.trigger import Trigger

PATH = "/flameprof/sample"


class Server(object):
    def __init__(self, kind, out, *trigger):
        name = "stream_app.py" if kind == "wsgi" else "asgi_app.py"
        self.proc = subprocess.Popen([sys.executable, program(name), out] + list(trigger), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=python_env())
        line = self.proc.stdout.readline().decode()
        assert line.startswith("port "), line + self.proc.stderr.read().decode()
        self.port = int(line.split()[1])
        self.out = out

    def get(self, path, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=90)
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.getheader("content-type"), r.read().decode()

    def stop(self):
        self.proc.kill()
        self.proc.communicate()


@pytest.fixture(params=["wsgi", "asgi"])
def kind(request):
    return request.param


def test_it_answers_with_a_background_threads_stacks_and_writes_them(tmp, kind):
    s = Server(kind, os.path.join(tmp, "out"), PATH)
    try:
        status, ctype, body = s.get(PATH + "?seconds=1&mode=cpu")
    finally:
        s.stop()
    assert (status, ctype) == (200, "text/plain; charset=utf-8")
    stacks = dict((line.rpartition(" ")[0], int(line.rpartition(" ")[2])) for line in body.splitlines())
    background = sum(n for st, n in stacks.items() if st.startswith("<thread>:0:background;") and ":background_work" in st)
    # About 1 s of one thread's CPU at 10 ms: many samples, whatever the machine.
    assert background > 20, body
    # The thread that waits for the answer is not sampled: it is ours.
    assert not any("sample_for" in st for st in stacks)
    files = [f for f in os.listdir(s.out) if f.startswith("sample.") and f.endswith(".folded")]
    assert len(files) == 1
    assert folded(os.path.join(s.out, files[0])) == stacks


@pytest.mark.parametrize("query", ["seconds=100000", "seconds=0.5", "seconds=abc", "", "seconds=1&seconds=2", "seconds=1&mode=slow"])
def test_a_bad_query_is_400_with_one_line(tmp, kind, query):
    s = Server(kind, os.path.join(tmp, "out"), PATH)
    try:
        status, ctype, body = s.get(PATH + "?" + query)
    finally:
        s.stop()
    assert status == 400
    assert body in ("seconds must be one number from 1 to 60\n", "mode must be wall or cpu\n")
    assert not os.path.exists(s.out)


def test_one_sampling_at_a_time_and_the_path_is_the_apps_when_unset(tmp, kind):
    s = Server(kind, os.path.join(tmp, "out"), PATH)
    try:
        results = []
        asks = [threading.Thread(target=lambda n=n: results.append(s.get(PATH + "?seconds=%d" % n))) for n in (2, 1)]
        asks[0].start()
        time.sleep(0.5)  # the first has begun (it samples for 2 s)
        asks[1].start()
        for t in asks:
            t.join()
        # Whichever came first samples; the other is refused.
        assert sorted(r[0] for r in results) == [200, 409]
        assert [r for r in results if r[0] == 409] == [(409, "text/plain; charset=utf-8", "already sampling\n")]
    finally:
        s.stop()
    unset = Server(kind, os.path.join(tmp, "out2"))
    try:
        status, _, body = unset.get(PATH + "?seconds=1")
    finally:
        unset.stop()
    # The app's own answer: wsgi's test app answers any path with a chunk, FastAPI with 404.
    assert (status, body.startswith("chunk 1")) == (200, True) if kind == "wsgi" else status == 404
    # Profiled as any request of the app's (WSGI's dumps are written at once), never sampled.
    out2 = os.path.join(tmp, "out2")
    assert [f for f in (os.listdir(out2) if os.path.exists(out2) else []) if f.startswith("sample.")] == []


def test_a_token_is_asked_for_when_configured(tmp, kind):
    s = Server(kind, os.path.join(tmp, "out"), PATH, "s3cret")
    try:
        assert s.get(PATH + "?seconds=1")[:2] == (403, "text/plain; charset=utf-8")
        assert s.get(PATH + "?seconds=1", {"X-Flameprof-Token": "wrong"})[0] == 403
        assert s.get(PATH + "?seconds=1", {"X-Flameprof-Token": "s3cret"})[0] == 200
    finally:
        s.stop()


def test_only_loopback_clients_without_a_token(tmp):
    def call(addr):
        seen = []
        mw = ProfileMiddleware(lambda e, sr: [b"app"], tmp, trigger_path=PATH)
        env = {"REQUEST_METHOD": "GET", "PATH_INFO": PATH, "QUERY_STRING": "seconds=1", "REMOTE_ADDR": addr}
        body = b"".join(mw(env, lambda status, headers: seen.append(status)))
        return seen[0], body

    assert call("10.1.2.3") == ("403 Forbidden", b"sampling is served to loopback clients only (or configure a token)\n")
    assert call("::ffff:192.168.0.1")[0] == "403 Forbidden"
    assert call("::1")[0] == "200 OK"
    assert Trigger(PATH, tmp).answers(PATH) and not Trigger(None, tmp).answers(PATH)
