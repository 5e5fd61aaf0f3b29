"""A FastAPI app behind ASGIProfileMiddleware, served by uvicorn on a loopback port (printed
as `port N`): two endpoints doing CPU work in slices between awaits, one awaiting a sleep, a
streamed one, and a background thread doing work of its own.

    asgi_app.py OUT_DIR [TRIGGER_PATH [TOKEN]]
"""
import asyncio
import socket
import sys
import threading
import time

import uvicorn
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse, StreamingResponse

from flameprof_py import ASGIProfileMiddleware

app = FastAPI()


def spin(seconds):
    end = time.thread_time() + seconds
    n = 0
    while time.thread_time() < end:
        n += sum(range(200))
    return n


async def work_alpha():
    for _ in range(60):
        spin(0.005)
        await asyncio.sleep(0)


async def work_beta():
    for _ in range(60):
        spin(0.005)
        await asyncio.sleep(0)


async def wait_gamma():
    await asyncio.sleep(0.6)


@app.get("/alpha")
async def alpha():
    await work_alpha()
    return PlainTextResponse("alpha\n")


@app.get("/beta")
async def beta():
    await work_beta()
    return PlainTextResponse("beta\n")


@app.get("/gamma")
async def gamma():
    await wait_gamma()
    return PlainTextResponse("gamma\n")


@app.get("/stream")
async def stream():
    async def chunks():
        for i in range(3):
            yield ("chunk %d\n" % i).encode()
            await asyncio.sleep(0.3)

    return StreamingResponse(chunks(), media_type="text/plain")


@app.on_event("startup")
async def started():
    print("lifespan startup", flush=True)


def background_work():
    while True:
        spin(0.01)
        time.sleep(0.001)


if __name__ == "__main__":
    out = sys.argv[1]
    trigger = sys.argv[2] if len(sys.argv) > 2 else None
    token = sys.argv[3] if len(sys.argv) > 3 else None
    threading.Thread(target=background_work, name="background", daemon=True).start()
    wrapped = ASGIProfileMiddleware(app, out, interval=0.005, trigger_path=trigger, trigger_token=token)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)  # connections wait for uvicorn rather than being refused
    print("port %d" % sock.getsockname()[1], flush=True)
    server = uvicorn.Server(uvicorn.Config(wrapped, log_level="warning", lifespan="on"))
    server.run(sockets=[sock])
