"""schedule_service settings for a developer's machine (`make run`)."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "dev-only-insecure-key-schedule-service")

from .base import *  # noqa: E402
