"""schedule_service settings for tests: in-memory cache, tokens signed with common's test key."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-key")

from common.conf import test_settings  # noqa: E402

from .base import *  # noqa: E402

globals().update(test_settings(DATABASES))
