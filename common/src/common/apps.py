"""App config of common: registers the OpenAPI extension for bearer tokens."""

from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "Common"

    def ready(self) -> None:
        # Importing registers JWTAuthenticationScheme with drf-spectacular.
        from common import schema  # noqa: F401
