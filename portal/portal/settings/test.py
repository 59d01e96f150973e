"""portal settings for tests."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-key")

from common.conf import test_settings  # noqa: E402

from .base import *  # noqa: E402

globals().update(test_settings(DATABASES))
