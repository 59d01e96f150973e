"""appointment_service settings for tests: in-memory cache, tokens signed with common's test key."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-key")

from .base import *  # noqa: E402

# isort: split
# What every service's tests change: in-memory database and cache, no static files, test key.
from common.settings_test import *  # noqa: E402

# Unit tests fake schedule_service at clients.py; the client tests point it at a stub server.
SCHEDULE_SERVICE_URL = "http://schedule-service.test"
USER_SERVICE_URL = "http://user-service.test"  # common.people (faked in tests)
SERVICE_TOKEN_PROVIDER = "appointment_service.appointments.tests.providers.TestServiceTokenProvider"
# Rate limits no test reaches unless it sets a lower one.
THROTTLE_BOOKING = THROTTLE_RESCHEDULE = THROTTLE_CANCEL = "10000/hour"
