"""auth_service settings for tests: fast hasher, in-memory cache, a throwaway signing key."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-key")

from common.conf import test_settings  # noqa: E402

from .base import *  # noqa: E402

globals().update(test_settings(DATABASES))
# auth_service signs for real in tests, with keys made in a temporary folder.
JWT_KEY_PROVIDER = "auth_service.accounts.keys.LocalKeyProvider"
JWT_KEYS_DIR = Path(tempfile.mkdtemp(prefix="auth-test-keys-"))
JWT_ACTIVE_KID = ""
REVOCATION_CHECKER = "auth_service.accounts.revocations.LocalRevocationChecker"
USER_SERVICE_URL = "http://user-service.test"
