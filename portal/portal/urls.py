"""URLs of the portal: health checks, then patients' and doctors' pages."""

from django.urls import include, path

handler404 = "portal.web.views.errors.not_found"
handler500 = "portal.web.views.errors.server_error"

urlpatterns = [
    path("", include("common.health")),
    path("", include("portal.web.urls")),
]
