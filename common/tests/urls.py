"""URLs of common's test project: health views and a few views exercising errors and auth."""

from django.urls import path

from common.urls import handler400, handler403, handler404, handler500, service_urlpatterns
from tests import views

urlpatterns = [
    *service_urlpatterns(),
    path("user-only", views.UserOnlyView.as_view()),
    path("patient-only", views.PatientOnlyView.as_view()),
    path("doctor-only", views.DoctorOnlyView.as_view()),
    path("staff-only", views.StaffOnlyView.as_view()),
    path("internal", views.InternalView.as_view()),
    path("internal/v1/echo", views.InternalView.as_view()),
    path("boom", views.BoomView.as_view()),
    path("problem", views.ProblemView.as_view()),
    path("validate", views.ValidateView.as_view()),
    path("validate-nested", views.ValidateNestedView.as_view()),
    path("django-errors/<str:kind>", views.DjangoErrorView.as_view()),
    path("throttled", views.ThrottledView.as_view()),
    path("logging", views.LoggingView.as_view()),
    path("numbers", views.NumberListView.as_view()),
    path("documented", views.DocumentedView.as_view()),
    path("plain-not-found/", views.plain_not_found),
    path("admin-staff-id", views.admin_staff_id),
    path("db-fault", views.DatabaseFaultView.as_view()),
    path("plain-db-fault", views.plain_database_fault),
]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
