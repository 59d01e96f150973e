"""URLs of appointment_service: admin, health, API schema and docs, the appointments API."""

from django.urls import include, path

from appointment_service.appointments.urls import api_urlpatterns
from common.urls import handler400, handler403, handler404, handler500, service_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]

urlpatterns = [
    *service_urlpatterns(),
    path("api/v1/", include((api_urlpatterns, "api"))),
]
