"""The benchmarks' reference: a minimal Django project with one JSON view and no database.

Served by gunicorn with the services' worker settings, in the same run as they
are measured, so every figure is read as a ratio to what this machine does
with Django alone::

    cd bench/reference && gunicorn app:application --workers 2 --worker-class sync
"""

from __future__ import annotations

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, JsonResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="reference-only-no-secret-here",
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[],
    MIDDLEWARE=["django.middleware.common.CommonMiddleware"],
    USE_TZ=True,
)


def status(request: HttpRequest) -> JsonResponse:
    """The smallest JSON answer."""
    return JsonResponse({"status": "ok"})


urlpatterns = [path("", status)]

application = get_wsgi_application()
