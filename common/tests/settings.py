"""Settings of the small Django project that common's tests run in.

The settings every service's ``base.py`` lists, with the overrides of the
services' ``test.py``.
"""

import os
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-key")

from common.conf import (
    DEFAULT_AUTH_SERVICE_URL,
    database_config,
    env,
    hsts_seconds,
    installed_apps,
    middleware,
    positive_seconds,
    proxy_ssl_header,
    required,
    rest_framework_settings,
    spectacular_settings,
    storages,
    templates,
    test_databases,
)

SERVICE_NAME = "common_tests"
BASE_DIR = Path(__file__).resolve().parent

SECRET_KEY = required("DJANGO_SECRET_KEY")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = installed_apps()
MIDDLEWARE = middleware()
ROOT_URLCONF = "tests.urls"
TEMPLATES = templates()
REST_FRAMEWORK = rest_framework_settings()
SPECTACULAR_SETTINGS = spectacular_settings(title="common tests", description="")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
JWT_KEY_PROVIDER = "common.testing.TestKeyProvider"
# Revoked sign-ins come from the ``revocations`` fixture, never over HTTP.
REVOCATION_CHECKER = "common.testing.TestRevocations"

# SQLite tests run in memory (no file); DATABASE_URL points them at PostgreSQL instead.
DATABASES = test_databases(database_config(default_sqlite=":memory:"))
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("MAX_REQUEST_BYTES", default=256 * 1024)
LOGGING = {"version": 1, "disable_existing_loggers": False}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Tests collect and serve no static files.
STATIC_ROOT = None
STORAGES = storages(manifest=False)

# Other services: auth_service signs the tokens every service verifies with its JWKS.
AUTH_SERVICE_URL = env.str("AUTH_SERVICE_URL", default=DEFAULT_AUTH_SERVICE_URL).rstrip("/")
AUTH_JWKS_URL = env.str("AUTH_JWKS_URL", default=f"{AUTH_SERVICE_URL}/.well-known/jwks.json")
JWT_ISSUER = env.str("JWT_ISSUER", default="clinic-auth")
USER_SERVICE_URL = "http://user-service.test"  # common.people (each test names its server)
# How often each process fetches auth_service's list of ended sign-ins (common.auth):
# a deactivated account's access tokens are refused within about this long.
REVOCATIONS_POLL_SECONDS = positive_seconds("REVOCATIONS_POLL_SECONDS", default=30.0)
SERVICE_CLIENT_ID = env.str("SERVICE_CLIENT_ID", default=SERVICE_NAME)
SERVICE_CLIENT_SECRET = "test-secret"
SERVICE_HTTP_CONNECT_TIMEOUT = env.float("SERVICE_HTTP_CONNECT_TIMEOUT", default=1.0)
SERVICE_HTTP_READ_TIMEOUT = env.float("SERVICE_HTTP_READ_TIMEOUT", default=3.0)

# Security headers, and one switch for running behind a proxy that terminates TLS
# (README, "Running behind TLS").
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
BEHIND_TLS_PROXY = env.bool("DJANGO_BEHIND_TLS_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = proxy_ssl_header(BEHIND_TLS_PROXY)
SESSION_COOKIE_SECURE = BEHIND_TLS_PROXY
CSRF_COOKIE_SECURE = BEHIND_TLS_PROXY
SECURE_HSTS_SECONDS = hsts_seconds(BEHIND_TLS_PROXY)
# Reverse proxies in front of the service whose X-Forwarded-For is trusted.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Sessions serve the admin only: kept in the database (the cookie carries only the key; the
# session holds the staff member's refresh token), ended after an idle hour.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env.int("ADMIN_SESSION_IDLE_SECONDS", default=3600)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
# Admin sign-in: the account is re-checked with auth_service this often, and failed
# sign-ins are counted per browser address (common.admin_sso).
AUTHENTICATION_BACKENDS = ["common.admin_sso.AuthServiceStaffBackend"]
ADMIN_RECHECK_SECONDS = env.int("ADMIN_RECHECK_SECONDS", default=300)
ADMIN_LOGIN_FAILURES_PER_ADDRESS = env.int("ADMIN_LOGIN_FAILURES_PER_ADDRESS", default=20)
ADMIN_LOGIN_FAILURE_WINDOW_SECONDS = env.int("ADMIN_LOGIN_FAILURE_WINDOW_SECONDS", default=900)
# What each staff group may do in this admin (common.admin_groups).
ADMIN_GROUP_PERMISSIONS = {"front-desk": ["view"], "read-only": ["view"]}
