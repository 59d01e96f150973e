"""auth_service settings for production; everything comes from the environment.

Paths default to the image's (``/app/var``); ``local.py`` and ``test.py`` point
them into the development tree.
"""

import re
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from common.conf import (
    CONTAINER_VAR_DIR,
    DEFAULT_AUTH_SERVICE_URL,
    cache_config,
    database_config,
    env,
    env_path,
    hsts_seconds,
    installed_apps,
    logging_settings,
    middleware,
    positive_seconds,
    proxy_ssl_header,
    required,
    rest_framework_settings,
    secret,
    spectacular_settings,
    storages,
    templates,
)

SERVICE_NAME = "auth_service"
BASE_DIR = Path(__file__).resolve().parents[2]


def throttle_rate(name: str, *, default: str) -> str:
    """A DRF rate from env var ``name`` ("60/hour"); a malformed one stops the start."""
    value = env.str(name, default=default).strip()
    if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", value):
        raise ImproperlyConfigured(
            f'{name} must look like "60/hour" (per second, minute, hour or day).'
        )
    return value


SECRET_KEY = required("DJANGO_SECRET_KEY")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = installed_apps("auth_service.accounts")
MIDDLEWARE = middleware()
ROOT_URLCONF = "auth_service.urls"
WSGI_APPLICATION = "auth_service.wsgi.application"
TEMPLATES = templates()
# Rate limits per client address (DRF throttles counting in the shared cache), as
# "<n>/<second|minute|hour|day>". A service caches its client-credentials token for
# its lifetime (5 minutes), so 120 a minute is far above honest use and still caps
# secret guessing at 2 a second per address.
REST_FRAMEWORK = {
    **rest_framework_settings(),
    "DEFAULT_THROTTLE_RATES": {
        "register": throttle_rate("THROTTLE_REGISTER", default="60/hour"),
        "service_token": throttle_rate("THROTTLE_SERVICE_TOKEN", default="120/minute"),
    },
}

DATABASES = database_config(default_sqlite=CONTAINER_VAR_DIR / f"{SERVICE_NAME}.sqlite3")
CACHES = cache_config()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("MAX_REQUEST_BYTES", default=256 * 1024)
LOGGING = logging_settings(SERVICE_NAME)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env_path("STATIC_ROOT", default=CONTAINER_VAR_DIR / "static")
STORAGES = storages()

# Other services: auth_service signs the tokens every service verifies with its JWKS.
AUTH_SERVICE_URL = env.str("AUTH_SERVICE_URL", default=DEFAULT_AUTH_SERVICE_URL).rstrip("/")
AUTH_JWKS_URL = env.str("AUTH_JWKS_URL", default=f"{AUTH_SERVICE_URL}/.well-known/jwks.json")
JWT_ISSUER = env.str("JWT_ISSUER", default="clinic-auth")
# How often each process fetches auth_service's list of ended sign-ins (common.auth):
# a deactivated account's access tokens are refused within about this long.
REVOCATIONS_POLL_SECONDS = positive_seconds("REVOCATIONS_POLL_SECONDS", default=30.0)
SERVICE_CLIENT_ID = env.str("SERVICE_CLIENT_ID", default=SERVICE_NAME)
SERVICE_CLIENT_SECRET = secret("SERVICE_CLIENT_SECRET")
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

USER_SERVICE_URL = env.str("USER_SERVICE_URL", default="http://127.0.0.1:8002")

# Sessions serve the admin only: kept in the database (the cookie carries only the key; the
# session holds the staff member's refresh token), ended after an idle hour.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env.int("ADMIN_SESSION_IDLE_SECONDS", default=3600)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
# Staff sign in to this admin with their accounts here, checked by Django itself.
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
ADMIN_RECHECK_SECONDS = env.int("ADMIN_RECHECK_SECONDS", default=300)
ADMIN_LOGIN_FAILURES_PER_ADDRESS = env.int("ADMIN_LOGIN_FAILURES_PER_ADDRESS", default=20)
ADMIN_LOGIN_FAILURE_WINDOW_SECONDS = env.int("ADMIN_LOGIN_FAILURE_WINDOW_SECONDS", default=900)

SPECTACULAR_SETTINGS = spectacular_settings(
    title="Clinic auth_service API",
    description="Registration, sign-in, token refresh and rotation, service tokens and the JWKS.",
)
# What auth_service's own service tokens may do, per audience: registration creates
# profiles (profiles:write), reconcile_registrations looks them up (profiles:read).
AUTH_SERVICE_OUTGOING_SCOPES = {"user_service": ["profiles:read", "profiles:write"]}

# This admin: the front desk and read-only staff look only (changing an account here
# means roles and groups, which only a clinic-admin may do). Nor do they get
# accounts.deactivate_account or accounts.reset_password: only clinic-admins (superusers)
# deactivate, reactivate, sign out or reset the password of an account.
ADMIN_GROUP_PERMISSIONS = {"front-desk": ["view"], "read-only": ["view"]}

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Signing keys: every *.pem in JWT_KEYS_DIR is published in the JWKS; the one named
# in JWT_KEYS_DIR/active-kid (written by `signing_keys activate`), else by
# JWT_ACTIVE_KID, else the only key, signs (see README, "Rotating the signing key").
JWT_KEYS_DIR = env_path("JWT_KEYS_DIR", default=Path("/var/lib/auth/keys"))
JWT_ACTIVE_KID = env.str("JWT_ACTIVE_KID", default="")
# How often a running process looks whether the keys folder changed (a few stat calls).
JWT_KEYS_RESCAN_SECONDS = env.float("JWT_KEYS_RESCAN_SECONDS", default=1.0)
# `signing_keys activate` refuses a key published more recently than this: the other
# services' JWKS cache (JWKS_CACHE_SECONDS, and the JWKS answer's max-age) is 300 s.
JWT_KEY_ACTIVATE_AFTER_SECONDS = env.int("JWT_KEY_ACTIVATE_AFTER_SECONDS", default=300)
JWT_KEY_PROVIDER = "auth_service.accounts.keys.LocalKeyProvider"
# Ended sign-ins (deactivation, password reset): auth_service reads its own accounts; the
# other services poll its list (GET /internal/v1/auth/revocations).
REVOCATION_CHECKER = "auth_service.accounts.revocations.LocalRevocationChecker"
SERVICE_TOKEN_PROVIDER = "auth_service.accounts.token_provider.LocalServiceTokenProvider"
# Every API service accepts a user's access token.
JWT_USER_AUDIENCE = env.list(
    "JWT_USER_AUDIENCE",
    default=["auth_service", "user_service", "schedule_service", "appointment_service", "portal"],
)
ACCESS_TOKEN_LIFETIME = timedelta(seconds=env.int("ACCESS_TOKEN_SECONDS", default=600))
REFRESH_TOKEN_LIFETIME = timedelta(seconds=env.int("REFRESH_TOKEN_SECONDS", default=14 * 24 * 3600))
SERVICE_TOKEN_LIFETIME = timedelta(seconds=env.int("SERVICE_TOKEN_SECONDS", default=300))
# However often it rotates, no refresh token outlives its sign-in by more than this.
_refresh_absolute_seconds = env.int("REFRESH_TOKEN_ABSOLUTE_SECONDS", default=30 * 24 * 3600)
if _refresh_absolute_seconds <= 0:
    raise ImproperlyConfigured("REFRESH_TOKEN_ABSOLUTE_SECONDS must be positive.")
REFRESH_TOKEN_ABSOLUTE_LIFETIME = timedelta(seconds=_refresh_absolute_seconds)
# A refresh token sent again this soon after its rotation (two tabs at once) gets the
# same new pair instead of revoking the sign-in; 0 turns the grace off. Needs a
# cache shared by every worker (Redis, or the database cache).
REFRESH_REUSE_GRACE_SECONDS = env.int("REFRESH_REUSE_GRACE_SECONDS", default=5)
if REFRESH_REUSE_GRACE_SECONDS < 0:
    raise ImproperlyConfigured("REFRESH_REUSE_GRACE_SECONDS cannot be negative.")

SIMPLE_JWT = {
    "ALGORITHM": "RS256",
    "ACCESS_TOKEN_LIFETIME": ACCESS_TOKEN_LIFETIME,
    "REFRESH_TOKEN_LIFETIME": REFRESH_TOKEN_LIFETIME,
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "sub",
    "TOKEN_TYPE_CLAIM": "token_type",
    "JTI_CLAIM": "jti",
    "ISSUER": JWT_ISSUER,
    "UPDATE_LAST_LOGIN": True,
}

# Login throttling (failures counted in the shared cache).
LOGIN_FAILURES_PER_ACCOUNT = env.int("LOGIN_FAILURES_PER_ACCOUNT", default=5)
LOGIN_FAILURES_PER_ADDRESS = env.int("LOGIN_FAILURES_PER_ADDRESS", default=20)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=900)
