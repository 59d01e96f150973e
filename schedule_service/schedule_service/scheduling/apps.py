"""Django app of doctors' availability, time off, booking policy and slot holds."""

from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "schedule_service.scheduling"
    label = "scheduling"
    verbose_name = "Scheduling"
    default_auto_field = "django.db.models.BigAutoField"
