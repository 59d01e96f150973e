"""What every service's tests change: star-imported by its ``settings/test.py`` after its base.

Tests run on an in-memory SQLite database (or ``DATABASE_URL``'s PostgreSQL,
without the pool), an in-process cache and a fast password hasher; they
collect no static files, log plainly and sign tokens with common's test key.
"""

from common.conf import database_config, storages, test_databases

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
SERVICE_CLIENT_SECRET = "test-secret"  # noqa: S105 (what the test fixtures sign in with)
