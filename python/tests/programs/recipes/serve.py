"""Serving a recipe's app on a free loopback port (printed as `port N`), as its server would:
a WSGI app with wsgiref, an ASGI app with uvicorn. Profiles go to sys.argv[1]."""
import os
import socket
import sys


def serve_wsgi(app):
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    httpd = make_server("127.0.0.1", 0, app, handler_class=Quiet)
    print("port", httpd.server_port, flush=True)
    httpd.serve_forever()


def serve_asgi(app):
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    print("port", sock.getsockname()[1], flush=True)
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])


def work(n=1500000):
    return sum(i * i for i in range(n))


# The recipes write into "profiles" in the current folder, as the docs show.
os.chdir(sys.argv[1])
