"""appointment_service settings for tests: in-memory cache, tokens signed with common's test key."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-key")

from common.conf import test_settings  # noqa: E402

from .base import *  # noqa: E402

globals().update(test_settings(DATABASES))
# Unit tests fake schedule_service at clients.py; the client tests point it at a stub server.
SCHEDULE_SERVICE_URL = "http://schedule-service.test"
USER_SERVICE_URL = "http://user-service.test"  # common.people (faked in tests)
SERVICE_TOKEN_PROVIDER = "appointment_service.appointments.tests.providers.TestServiceTokenProvider"
# Rate limits no test reaches unless it sets a lower one.
THROTTLE_BOOKING = THROTTLE_RESCHEDULE = THROTTLE_CANCEL = "10000/hour"
