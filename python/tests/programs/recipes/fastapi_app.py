"""docs/profiling.md's FastAPI recipe."""
from serve import serve_asgi, work

# --- the recipe ---
from fastapi import FastAPI
from flameprof_py import ASGIProfileMiddleware

app = FastAPI()
app.add_middleware(ASGIProfileMiddleware, out_dir="profiles")
# ---


@app.get("/items/{item}")
async def fastapi_items(item: int):
    return {"item": item, "work": work()}


serve_asgi(app)
