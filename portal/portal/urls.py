"""URLs of the portal: patients' and doctors' pages."""

from django.urls import include, path

from portal.web import doctor_views, views

handler404 = "portal.web.views.not_found"
handler500 = "portal.web.views.server_error"

urlpatterns = [
    path("", include("common.health")),
    path("", views.home, name="home"),
    path("help", views.help_page, name="help"),
    path("register", views.register, name="register"),
    path("register/doctor", views.register_doctor, name="register-doctor"),
    path("sign-in", views.sign_in, name="sign-in"),
    path("sign-out", views.sign_out, name="sign-out"),
    path("password/renew", views.password_renew, name="password-renew"),
    path("settings/time-zone", views.time_zone, name="time-zone"),
    path("doctors", views.doctor_list, name="doctor-list"),
    path("doctors/<uuid:doctor_id>", views.doctor_detail, name="doctor-detail"),
    path("book/<uuid:slot_id>", views.book, name="book"),
    path("appointments", views.appointment_list, name="appointment-list"),
    path("appointments/<uuid:appointment_id>", views.appointment_detail, name="appointment-detail"),
    path(
        "appointments/<uuid:appointment_id>/booked",
        views.appointment_booked,
        name="appointment-booked",
    ),
    path(
        "appointments/<uuid:appointment_id>/calendar.ics",
        views.appointment_ics,
        name="appointment-ics",
    ),
    path(
        "appointments/<uuid:appointment_id>/reason",
        views.appointment_reason,
        name="appointment-reason",
    ),
    path(
        "appointments/<uuid:appointment_id>/reschedule",
        views.appointment_reschedule,
        name="appointment-reschedule",
    ),
    path(
        "appointments/<uuid:appointment_id>/reschedule/<uuid:slot_id>",
        views.appointment_reschedule_confirm,
        name="appointment-reschedule-confirm",
    ),
    path(
        "appointments/<uuid:appointment_id>/cancel",
        views.appointment_cancel,
        name="appointment-cancel",
    ),
    # Doctors
    path("doctor/day", doctor_views.day, name="doctor-day"),
    path("doctor/appointments", doctor_views.appointments, name="doctor-appointments"),
    path(
        "doctor/appointments/<uuid:appointment_id>/complete",
        doctor_views.complete,
        name="doctor-complete",
    ),
    path("doctor/availability", doctor_views.availability, name="doctor-availability"),
    path("doctor/availability/<int:rule_id>", doctor_views.rule_edit, name="doctor-rule-edit"),
    path(
        "doctor/availability/<int:rule_id>/remove",
        doctor_views.rule_remove,
        name="doctor-rule-remove",
    ),
    path("doctor/time-off", doctor_views.time_off, name="doctor-time-off"),
    path(
        "doctor/time-off/<int:time_off_id>/remove",
        doctor_views.time_off_remove,
        name="doctor-time-off-remove",
    ),
    path("doctor/policy", doctor_views.policy, name="doctor-policy"),
    path("doctor/slots", doctor_views.slots, name="doctor-slots"),
]
