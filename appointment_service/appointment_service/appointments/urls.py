"""URLs of the appointments app (the public API; this service has no internal one)."""

from django.urls import path

from appointment_service.appointments import apis

api_urlpatterns = [
    path("appointments/", apis.AppointmentListCreateApi.as_view(), name="appointment-list"),
    path("appointments/<uuid:id>/", apis.AppointmentDetailApi.as_view(), name="appointment-detail"),
    path(
        "appointments/<uuid:id>/reschedule",
        apis.AppointmentRescheduleApi.as_view(),
        name="appointment-reschedule",
    ),
    path(
        "appointments/<uuid:id>/cancel",
        apis.AppointmentCancelApi.as_view(),
        name="appointment-cancel",
    ),
    path(
        "appointments/<uuid:id>/complete",
        apis.AppointmentCompleteApi.as_view(),
        name="appointment-complete",
    ),
    path(
        "appointments/<uuid:id>/history",
        apis.AppointmentHistoryApi.as_view(),
        name="appointment-history",
    ),
    path(
        "appointments/<uuid:id>/ics",
        apis.AppointmentICalendarApi.as_view(),
        name="appointment-ics",
    ),
]
