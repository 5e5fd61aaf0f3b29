"""A WSGI app whose responses come in chunks; every close() of a response is printed.

/stream: 5 chunks 0.4 s apart; /endless: a chunk every 0.05 s until the client goes;
/boom: raises before responding; anything else: one line at once.
"""
import sys
import time


def busy(n):
    return sum(i * i for i in range(n))


class Body(object):
    def __init__(self, path, chunks, pause):
        self.path = path
        self.chunks = chunks
        self.pause = pause
        self.made = 0

    def __iter__(self):
        while self.chunks is None or self.made < self.chunks:
            if self.made:
                time.sleep(self.pause)
            self.made += 1
            yield b"chunk %d %d\n" % (self.made, busy(5000))

    def close(self):
        print("closed %s after %d chunks" % (self.path, self.made), flush=True)


def app(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/boom":
        raise RuntimeError("boom")
    start_response("200 OK", [("Content-Type", "text/plain")])
    if path == "/stream":
        return Body(path, 5, 0.4)
    if path == "/endless":
        return Body(path, None, 0.05)
    return Body(path, 1, 0)


def background_work():
    while True:
        busy(20000)
        time.sleep(0.001)


if __name__ == "__main__":
    # A wsgiref server on a free loopback port, a thread per request, every request profiled
    # into sys.argv[1]; sys.argv[2] and [3]: the trigger's path and token; a background thread.
    import threading
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    from flameprof_py import ProfileMiddleware

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    class Threading(ThreadingMixIn, WSGIServer):
        daemon_threads = True

    trigger = sys.argv[2] if len(sys.argv) > 2 else None
    token = sys.argv[3] if len(sys.argv) > 3 else None
    threading.Thread(target=background_work, name="background", daemon=True).start()
    wrapped = ProfileMiddleware(app, sys.argv[1], trigger_path=trigger, trigger_token=token)
    httpd = make_server("127.0.0.1", 0, wrapped, server_class=Threading, handler_class=Quiet)
    print("port", httpd.server_port, flush=True)
    httpd.serve_forever()
