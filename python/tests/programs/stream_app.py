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


if __name__ == "__main__":
    # A wsgiref server on a free loopback port, every request profiled into sys.argv[1].
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from flameprof_py import ProfileMiddleware

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    httpd = make_server("127.0.0.1", 0, ProfileMiddleware(app, sys.argv[1]), handler_class=Quiet)
    print("port", httpd.server_port, flush=True)
    httpd.serve_forever()
