"""URLs of schedule_service: admin, health, API schema and docs, public and internal APIs."""

from django.urls import include, path

from common.urls import handler400, handler403, handler404, handler500, service_urlpatterns
from schedule_service.scheduling.urls import api_urlpatterns, internal_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]

urlpatterns = [
    *service_urlpatterns(),
    path("api/v1/", include((api_urlpatterns, "api"))),
    path("internal/v1/", include((internal_urlpatterns, "internal"))),
]
