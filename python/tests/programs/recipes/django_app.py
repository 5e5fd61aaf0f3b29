"""docs/profiling.md's Django recipe (its wsgi.py), with a one-view project."""
from serve import serve_wsgi, work

from django.conf import settings
from django.http import HttpResponse
from django.urls import path


def django_items(request, item):
    return HttpResponse("item %d: %d\n" % (item, work()))


settings.configure(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["127.0.0.1"], DEBUG=False, SECRET_KEY="test")
urlpatterns = [path("items/<int:item>", django_items)]

# --- the recipe (wsgi.py) ---
from django.core.wsgi import get_wsgi_application
from flameprof_py import ProfileMiddleware

application = ProfileMiddleware(get_wsgi_application(), "profiles")
# ---

serve_wsgi(application)
