"""user_service settings for tests: in-memory cache, tokens signed with common's test key."""

import os

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
JWT_KEY_PROVIDER = "common.testing.TestKeyProvider"
# Revoked sign-ins come from the ``revocations`` fixture, never over HTTP.
REVOCATION_CHECKER = "common.testing.TestRevocations"
SERVICE_CLIENT_SECRET = "test-secret"
