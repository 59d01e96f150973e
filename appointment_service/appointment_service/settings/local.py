"""appointment_service settings for a developer's machine (`make run`)."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "dev-only-insecure-key-appointment-service")
os.environ.setdefault("DJANGO_DEBUG", "true")

from .base import *  # noqa: E402
