"""Django app of appointments and their history."""

from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "appointment_service.appointments"
    label = "appointments"
    verbose_name = "Appointments"
    default_auto_field = "django.db.models.BigAutoField"
