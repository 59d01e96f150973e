"""auth_service settings for tests: fast hasher, in-memory cache, a throwaway signing key."""

import os
import tempfile
import uuid
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-key")

from .base import *  # noqa: E402

# isort: split
# What every service's tests change: in-memory database and cache, no static files, test key.
from common.settings_test import *  # noqa: E402

# auth_service signs for real in tests, with keys made in a folder of their own (the
# session's signing_key fixture creates it).
JWT_KEY_PROVIDER = "auth_service.accounts.keys.LocalKeyProvider"
JWT_KEYS_DIR = Path(tempfile.gettempdir()) / f"auth-test-keys-{uuid.uuid4().hex}"
JWT_ACTIVE_KID = ""
REVOCATION_CHECKER = "auth_service.accounts.revocations.LocalRevocationChecker"
USER_SERVICE_URL = "http://user-service.test"
