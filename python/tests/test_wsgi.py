"""ProfileMiddleware behind real WSGI servers on a loopback port: wsgiref (the standard
library's) and gunicorn (Debian's python3-gunicorn), through the `flameprof_py:wsgi` entry.
Responses stream through chunk by chunk, the app's close() is called, one dump per request."""
import http.client
import marshal
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time

import pytest

from conftest import PROGRAMS, program, python_env


class Server(object):
    def __init__(self, argv, env, port_from):
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=PROGRAMS)
        self.port = port_from(self.proc)

    def get(self, path):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = time.monotonic()
        conn.request("GET", path)
        return conn, conn.getresponse(), sent

    def event(self, timeout=15):
        """The next line the app printed (a close()), or '' after `timeout` seconds."""
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        return self.proc.stdout.readline().decode().strip() if ready else ""

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate()


def wsgiref_port(proc):
    line = proc.stdout.readline().decode()
    assert line.startswith("port "), line + proc.stderr.read().decode()
    return int(line.split()[1])


def gunicorn_port(proc):
    # gunicorn logs "Listening at: http://127.0.0.1:PORT (PID)" on stderr.
    while True:
        line = proc.stderr.readline().decode()
        assert line, "gunicorn ended before listening"
        m = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line)
        if m:
            return int(m.group(1))


@pytest.fixture(params=["wsgiref", "gunicorn"])
def server(request, tmp):
    out = os.path.join(tmp, "dumps")
    if request.param == "wsgiref":
        s = Server([sys.executable, program("stream_app.py"), out], python_env(), wsgiref_port)
    else:
        env = python_env(FLAMEPROF_WSGI_APP="stream_app:app", FLAMEPROF_WSGI_OUT=out, PYTHONPATH=os.pathsep.join([python_env()["PYTHONPATH"], PROGRAMS]))
        argv = [sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:0", "--workers", "1", "--timeout", "30", "flameprof_py:wsgi"]
        s = Server(argv, env, gunicorn_port)
    s.out = out
    yield s
    s.stop()


def dumps(out):
    """The dumps written so far (a dump being written is a hidden temporary file)."""
    return sorted(n for n in os.listdir(out) if not n.startswith(".")) if os.path.isdir(out) else []


def test_a_streamed_response_arrives_chunk_by_chunk_and_is_profiled_until_close(server):
    conn, resp, sent = server.get("/stream")
    first = resp.read1(65536)
    first_after = time.monotonic() - sent
    assert first.startswith(b"chunk 1 ")
    assert first_after < 0.3
    rest = first + resp.read()
    assert rest.count(b"chunk ") == 5
    conn.close()
    assert server.event() == "closed /stream after 5 chunks"
    names = wait_for_dumps(server.out, 1)
    m = re.match(r"^GET\.stream\.\d+\.\d{3}\.(\d+)ms\.prof$", names[0])
    assert m, names
    # Timed until close(): the four pauses of 0.4 s are in it.
    assert int(m.group(1)) >= 1500
    with open(os.path.join(server.out, names[0]), "rb") as f:
        stats = marshal.load(f)
    assert any(name == "busy" for (_, _, name) in stats)


def test_an_endless_response_is_not_held_and_closes_when_the_client_goes(server):
    # A raw socket, so that closing it surely ends the connection.
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    sent = time.monotonic()
    sock.sendall(b"GET /endless HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    got = b""
    while got.count(b"chunk ") < 3:
        data = sock.recv(65536)
        assert data, got
        got += data
    assert time.monotonic() - sent < 1.0
    sock.close()
    event = server.event()
    m = re.match(r"^closed /endless after (\d+) chunks$", event)
    assert m, event
    # The body was handed on as it came, never gathered: a few chunks past what was read.
    assert int(m.group(1)) < 100
    assert len(wait_for_dumps(server.out, 1)) == 1


def test_requests_one_after_another_each_get_a_dump(server):
    for path in ("/a", "/b/c", "/"):
        conn, resp, _ = server.get(path)
        assert resp.read().startswith(b"chunk 1 ")
        conn.close()
        assert server.event() == "closed %s after 1 chunks" % path
    names = wait_for_dumps(server.out, 3)
    assert [n.split(".")[1] for n in names] == ["a", "b", "root"]


def wait_for_dumps(out, n):
    deadline = time.monotonic() + 10
    while len(dumps(out)) < n and time.monotonic() < deadline:
        time.sleep(0.02)
    names = dumps(out)
    assert len(names) == n, names
    return names


def call(app, path):
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path}
    seen = []
    body = app(environ, lambda status, headers: seen.append(status))
    try:
        return seen, b"".join(body)
    finally:
        body.close()


def test_the_wsgi_entry_wraps_the_app_named_in_its_environment(tmp, monkeypatch, capsys):
    import flameprof_py.wsgi_middleware as middleware

    monkeypatch.syspath_prepend(PROGRAMS)
    monkeypatch.setattr(middleware, "_wsgi_app", None)
    monkeypatch.setenv("FLAMEPROF_WSGI_APP", "stream_app:app")
    monkeypatch.setenv("FLAMEPROF_WSGI_OUT", os.path.join(tmp, "entry"))
    monkeypatch.setenv("FLAMEPROF_WSGI_FORMAT", "{method}.{url}.prof")
    seen, body = call(middleware.wsgi, "/a/b")
    assert seen == ["200 OK"] and body.startswith(b"chunk 1 ")
    assert os.listdir(os.path.join(tmp, "entry")) == ["GET.a.b.prof"]
    assert capsys.readouterr().out == "closed /a/b after 1 chunks\n"


def test_a_dump_that_cannot_be_written_leaves_the_response_alone(tmp, capsys):
    from flameprof_py import ProfileMiddleware

    sys.path.insert(0, PROGRAMS)
    try:
        from stream_app import app
    finally:
        sys.path.remove(PROGRAMS)
    blocked = os.path.join(tmp, "blocked")
    open(blocked, "w").close()
    seen, body = call(ProfileMiddleware(app, os.path.join(blocked, "sub")), "/x")
    assert seen == ["200 OK"] and body.startswith(b"chunk 1 ")
    err = capsys.readouterr().err
    assert err.startswith("flameprof_py: could not save the profile of a request: ") and err.count("\n") == 1


def test_an_app_that_raises_raises_as_it_would_and_still_leaves_its_dump(tmp):
    from flameprof_py import ProfileMiddleware

    def app(environ, start_response):
        raise KeyError("mine")

    out = os.path.join(tmp, "raised")
    with pytest.raises(KeyError) as e:
        ProfileMiddleware(app, out)({"REQUEST_METHOD": "POST", "PATH_INFO": "/p"}, None)
    assert e.value.args == ("mine",)
    assert [n.split(".")[:2] for n in os.listdir(out)] == [["POST", "p"]]
