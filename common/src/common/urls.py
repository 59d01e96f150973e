"""URLs every API service serves: admin, health, the OpenAPI schemas, Swagger UI and ReDoc.

``/api/schema/`` documents the public API for anyone; ``/internal/schema/``
(and its Swagger UI at ``/internal/docs/``) the service-to-service endpoints,
for staff signed in to the service's admin.

A service's ``urls.py``::

    from common.urls import handler400, handler403, handler404, handler500, service_urlpatterns
    urlpatterns = [*service_urlpatterns(), path("api/v1/", include(...))]

Django looks the handlers up on the URLconf module, so importing them there
makes every 400, 403, 404 and 500 a problem-details answer.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAdminUser

from common.schema import INTERNAL_SCHEMA_SETTINGS

handler400 = "common.errors.bad_request"
handler403 = "common.errors.permission_denied"
handler404 = "common.errors.page_not_found"
handler500 = "common.errors.server_error"

_PUBLIC = {"permission_classes": [AllowAny], "authentication_classes": []}
_OPERATORS = {
    "permission_classes": [IsAdminUser],
    "authentication_classes": [SessionAuthentication],
}


def service_urlpatterns() -> list[URLPattern | URLResolver]:
    """Return the admin, health, schema and docs routes (docs served from the package's files)."""
    return [
        path("admin/", admin.site.urls),
        path("", include("common.health")),
        path("api/schema/", SpectacularAPIView.as_view(**_PUBLIC), name="schema"),
        path(
            "api/docs/",
            SpectacularSwaggerView.as_view(url_name="schema", **_PUBLIC),
            name="swagger-ui",
        ),
        path(
            "api/redoc/", SpectacularRedocView.as_view(url_name="schema", **_PUBLIC), name="redoc"
        ),
        path(
            "internal/schema/",
            SpectacularAPIView.as_view(custom_settings=INTERNAL_SCHEMA_SETTINGS, **_OPERATORS),
            name="internal-schema",
        ),
        path(
            "internal/docs/",
            SpectacularSwaggerView.as_view(url_name="internal-schema", **_OPERATORS),
            name="internal-swagger-ui",
        ),
    ]
