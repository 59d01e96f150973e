"""App config of common: registers the OpenAPI extension for bearer tokens."""

from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "Common"

    def ready(self) -> None:
        from django.conf import settings
        from django.contrib import admin

        # Importing registers JWTAuthenticationScheme with drf-spectacular.
        from common import schema  # noqa: F401

        # One look for every admin, named after the service it runs in.
        if not self.apps.is_installed("django.contrib.admin"):
            return
        name = getattr(settings, "SERVICE_NAME", "")
        admin.site.site_header = f"Clinic admin · {name}" if name else "Clinic admin"
        admin.site.site_title = admin.site.site_header
        admin.site.index_title = "Staff tools"
