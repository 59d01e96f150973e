"""user_service settings for tests: in-memory cache, tokens signed with common's test key."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-key")

from .base import *  # noqa: E402

# isort: split
# What every service's tests change: in-memory database and cache, no static files, test key.
from common.settings_test import *  # noqa: E402
