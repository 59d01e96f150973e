"""Django app of patient and doctor profiles and specialties."""

from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    name = "user_service.profiles"
    label = "profiles"
    verbose_name = "Profiles"
    default_auto_field = "django.db.models.BigAutoField"
