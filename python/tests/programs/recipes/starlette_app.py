"""docs/profiling.md's Starlette recipe."""
from serve import serve_asgi, work

from starlette.responses import PlainTextResponse
from starlette.routing import Route


async def starlette_items(request):
    return PlainTextResponse("item %s: %d\n" % (request.path_params["item"], work()))


routes = [Route("/items/{item:int}", starlette_items)]

# --- the recipe ---
from starlette.applications import Starlette
from starlette.middleware import Middleware
from flameprof_py import ASGIProfileMiddleware

app = Starlette(routes=routes, middleware=[Middleware(ASGIProfileMiddleware, out_dir="profiles")])
# ---

serve_asgi(app)
