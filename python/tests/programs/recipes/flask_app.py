"""docs/profiling.md's Flask recipe."""
from serve import serve_wsgi, work

# --- the recipe ---
from flask import Flask
from flameprof_py import ProfileMiddleware

app = Flask(__name__)
app.wsgi_app = ProfileMiddleware(app.wsgi_app, "profiles")
# ---


@app.route("/items/<int:item>")
def flask_items(item):
    return "item %d: %d\n" % (item, work())


serve_wsgi(app)
