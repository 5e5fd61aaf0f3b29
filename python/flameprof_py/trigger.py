"""Sampling on demand over HTTP, as plop's ProfileHandler does: either middleware, given a
`trigger_path`, answers `GET <trigger_path>?seconds=N&mode=wall|cpu` by sampling every thread
of the process for N seconds (1 to 60), writing `out_dir/sample.<ts>.folded`, and answering
with the folded stacks as text/plain.

Only loopback clients are served, unless a token is configured: then only requests whose
X-Flameprof-Token header holds it, from anywhere (403 otherwise). One sampling at a time
(409 while one runs); a bad query is 400. Each refusal is one line of text.
"""
import hmac
import ipaddress
import os
import threading
import time
from urllib.parse import parse_qs

from .files import reason, warn, write_file
from .sampler import MODES, Collector

TOKEN_HEADER = "X-Flameprof-Token"
MIN_SECONDS = 1
MAX_SECONDS = 60

_STATUS = {200: "200 OK", 400: "400 Bad Request", 403: "403 Forbidden", 405: "405 Method Not Allowed", 409: "409 Conflict"}


def _loopback(host):
    try:
        ip = ipaddress.ip_address((host or "").split("%")[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


class Trigger(object):
    """The on-demand sampling of one middleware (see the module comment)."""

    def __init__(self, path, out_dir, token=None, interval=0.01):
        self.path = path
        self.out_dir = out_dir
        self.token = token
        self.interval = interval
        self._busy = threading.Lock()

    def answers(self, path):
        return self.path is not None and path == self.path

    def _refusal(self, method, client, token, query):
        """(status, text) to refuse the request with, or (None, (seconds, mode))."""
        if method != "GET":
            return 405, "use GET %s?seconds=N&mode=wall|cpu" % self.path
        if self.token is not None:
            if token is None or not hmac.compare_digest(token.encode("utf-8", "surrogateescape"), self.token.encode("utf-8")):
                return 403, "the %s header does not hold the token" % TOKEN_HEADER
        elif not _loopback(client):
            return 403, "sampling is served to loopback clients only (or configure a token)"
        params = parse_qs(query or "", keep_blank_values=True)
        given = params.get("seconds", [])
        try:
            seconds = float(given[0]) if len(given) == 1 else None
        except ValueError:
            seconds = None
        if seconds is None or not MIN_SECONDS <= seconds <= MAX_SECONDS:
            return 400, "seconds must be one number from %d to %d" % (MIN_SECONDS, MAX_SECONDS)
        mode = params.get("mode", ["cpu"])
        if len(mode) != 1 or mode[0] not in MODES:
            return 400, "mode must be wall or cpu"
        return None, (seconds, mode[0])

    def _begin(self, method, client, token, query):
        """(status, text) to refuse the request with, or (None, (seconds, mode)) with the
        sampling lock held: one at a time, the lock tried, never waited on."""
        status, text = self._refusal(method, client, token, query)
        if status is None and not self._busy.acquire(False):
            return 409, "already sampling"
        return status, text

    @staticmethod
    def _body(status, text):
        return (text if status == 200 else text + "\n").encode("utf-8", "surrogateescape")

    def _file(self):
        return os.path.join(self.out_dir, "sample.%.3f.folded" % time.time())

    def _write(self, path, text):
        try:
            os.makedirs(self.out_dir, exist_ok=True)
        except OSError as e:
            warn("cannot write %s: %s" % (path, reason(e)))
            return
        write_file(path, text.encode("utf-8", "surrogateescape"))

    def wsgi(self, environ, start_response):
        """The WSGI response: the stacks, or a refusal."""
        status, text = self._begin(
            environ.get("REQUEST_METHOD"), environ.get("REMOTE_ADDR"), environ.get("HTTP_X_FLAMEPROF_TOKEN"), environ.get("QUERY_STRING")
        )
        if status is None:
            seconds, mode = text
            try:
                c = Collector(interval=self.interval, mode=mode)
                c.sample_for(seconds)
                status, text = 200, c.folded()
                self._write(self._file(), text)
            finally:
                self._busy.release()
        body = self._body(status, text)
        start_response(_STATUS[status], [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
        return [body]

    async def asgi(self, scope, receive, send):
        """The ASGI response: the stacks, or a refusal. The wait is the event loop's, the file
        is written off it."""
        client = scope.get("client") or ("", 0)
        token = None
        for name, value in scope.get("headers") or ():
            if name.lower() == TOKEN_HEADER.lower().encode("ascii"):
                token = value.decode("latin-1")
        status, text = self._begin(scope.get("method"), client[0], token, (scope.get("query_string") or b"").decode("latin-1"))
        if status is None:
            seconds, mode = text
            try:
                import asyncio  # here: the WSGI side never needs it

                c = Collector(interval=self.interval, mode=mode)
                c.start()
                try:
                    await asyncio.sleep(seconds)
                finally:
                    c.close(wait=False)
                status, text = 200, c.folded()
                await asyncio.get_running_loop().run_in_executor(None, self._write, self._file(), text)
            finally:
                self._busy.release()
        body = self._body(status, text)
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode("ascii"))]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
