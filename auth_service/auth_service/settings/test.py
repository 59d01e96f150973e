"""auth_service settings for tests: fast hasher, in-memory cache, a throwaway signing key."""

import os
import tempfile
import uuid
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-key")

from common.conf import database_config, storages, test_databases  # noqa: E402

from .base import *  # noqa: E402

# SQLite tests run in memory (no file); DATABASE_URL points them at PostgreSQL instead.
DATABASES = test_databases(database_config(default_sqlite=":memory:"))
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Tests collect and serve no static files.
STATIC_ROOT = None
STORAGES = storages(manifest=False)
# auth_service signs for real in tests, with keys made in a folder of their own (the
# session's signing_key fixture creates it).
JWT_KEY_PROVIDER = "auth_service.accounts.keys.LocalKeyProvider"
JWT_KEYS_DIR = Path(tempfile.gettempdir()) / f"auth-test-keys-{uuid.uuid4().hex}"
JWT_ACTIVE_KID = ""
REVOCATION_CHECKER = "auth_service.accounts.revocations.LocalRevocationChecker"
SERVICE_CLIENT_SECRET = "test-secret"
USER_SERVICE_URL = "http://user-service.test"
