"""The portal's pages: for everyone, for patients and for doctors."""

from django.urls import path

from portal.web.views import account, appointments, booking, public
from portal.web.views.doctor import day, hours, policy, slots, time_off

urlpatterns = [
    path("", public.home, name="home"),
    path("help", public.help_page, name="help"),
    path("register", account.register, name="register"),
    path("register/doctor", account.register_doctor, name="register-doctor"),
    path("sign-in", account.sign_in, name="sign-in"),
    path("sign-out", account.sign_out, name="sign-out"),
    path("password/renew", account.password_renew, name="password-renew"),
    path("settings/time-zone", account.time_zone, name="time-zone"),
    path("doctors", booking.doctor_list, name="doctor-list"),
    path("doctors/<uuid:doctor_id>", booking.doctor_detail, name="doctor-detail"),
    path("book/<uuid:slot_id>", booking.book, name="book"),
    path("appointments", appointments.appointment_list, name="appointment-list"),
    path(
        "appointments/<uuid:appointment_id>",
        appointments.appointment_detail,
        name="appointment-detail",
    ),
    path(
        "appointments/<uuid:appointment_id>/booked",
        appointments.appointment_booked,
        name="appointment-booked",
    ),
    path(
        "appointments/<uuid:appointment_id>/calendar.ics",
        appointments.appointment_ics,
        name="appointment-ics",
    ),
    path(
        "appointments/<uuid:appointment_id>/reason",
        appointments.appointment_reason,
        name="appointment-reason",
    ),
    path(
        "appointments/<uuid:appointment_id>/reschedule",
        appointments.appointment_reschedule,
        name="appointment-reschedule",
    ),
    path(
        "appointments/<uuid:appointment_id>/reschedule/<uuid:slot_id>",
        appointments.appointment_reschedule_confirm,
        name="appointment-reschedule-confirm",
    ),
    path(
        "appointments/<uuid:appointment_id>/cancel",
        appointments.appointment_cancel,
        name="appointment-cancel",
    ),
    # Doctors
    path("doctor/day", day.day, name="doctor-day"),
    path("doctor/appointments", day.appointments, name="doctor-appointments"),
    path(
        "doctor/appointments/<uuid:appointment_id>/complete",
        day.complete,
        name="doctor-complete",
    ),
    path("doctor/availability", hours.availability, name="doctor-availability"),
    path("doctor/availability/<int:rule_id>", hours.rule_edit, name="doctor-rule-edit"),
    path(
        "doctor/availability/<int:rule_id>/remove",
        hours.rule_remove,
        name="doctor-rule-remove",
    ),
    path("doctor/time-off", time_off.time_off, name="doctor-time-off"),
    path(
        "doctor/time-off/<int:time_off_id>/remove",
        time_off.time_off_remove,
        name="doctor-time-off-remove",
    ),
    path("doctor/policy", policy.policy, name="doctor-policy"),
    path("doctor/slots", slots.slots, name="doctor-slots"),
]
