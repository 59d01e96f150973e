"""auth_service settings for production: the ones every service shares, then its own.

Its own: its apps and names, its rate limits, its admin (where staff sign in with
Django's own password check), accounts, passwords, signing keys and token lifetimes.
Everything comes from the environment; ``local.py`` and ``test.py`` build on this module.
"""

import re
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from common import conf
from common.conf import env

# The settings every service shares, and those of an admin whose staff sign in by auth_service.
from common.settings import *  # noqa: F403
from common.settings_admin import *  # noqa: F403

SERVICE_NAME = "auth_service"
INSTALLED_APPS = conf.installed_apps("auth_service.accounts")
ROOT_URLCONF = "auth_service.urls"
WSGI_APPLICATION = "auth_service.wsgi.application"
DATABASES = conf.database_config(default_sqlite=conf.CONTAINER_VAR_DIR / f"{SERVICE_NAME}.sqlite3")
LOGGING = conf.logging_settings(SERVICE_NAME)


def throttle_rate(name: str, *, default: str) -> str:
    """A DRF rate from env var ``name`` ("60/hour"); a malformed one stops the start."""
    value = env.str(name, default=default).strip()
    if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", value):
        raise ImproperlyConfigured(
            f'{name} must look like "60/hour" (per second, minute, hour or day).'
        )
    return value


# Rate limits per client address (DRF throttles counting in the shared cache), as
# "<n>/<second|minute|hour|day>". A service caches its client-credentials token for
# its lifetime (5 minutes), so 120 a minute is far above honest use and still caps
# secret guessing at 2 a second per address.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    # The signed-in account is read once, by the revocation check, and kept for the view.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "auth_service.accounts.authentication.AccountJWTAuthentication"
    ],
    "DEFAULT_THROTTLE_RATES": {
        "register": throttle_rate("THROTTLE_REGISTER", default="60/hour"),
        "service_token": throttle_rate("THROTTLE_SERVICE_TOKEN", default="120/minute"),
    },
}

# It creates and looks up profiles in user_service with service tokens it signs itself
# (SERVICE_TOKEN_PROVIDER below), so SERVICE_CLIENT_ID only keeps every service's default.
USER_SERVICE_URL = env.str("USER_SERVICE_URL", default="http://127.0.0.1:8002")
SERVICE_CLIENT_ID = env.str("SERVICE_CLIENT_ID", default=SERVICE_NAME)

# Staff sign in to this admin with their accounts here, checked by Django itself.
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]

SPECTACULAR_SETTINGS = conf.spectacular_settings(
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
JWT_KEYS_DIR = conf.env_path("JWT_KEYS_DIR", default=Path("/var/lib/auth/keys"))
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
