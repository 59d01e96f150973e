"""auth_service settings for production; everything comes from the environment."""

from datetime import timedelta
from pathlib import Path

from common.conf import env, installed_apps, service_settings, spectacular_settings

BASE_DIR = Path(__file__).resolve().parents[2]

globals().update(service_settings(service="auth_service", base_dir=BASE_DIR))

INSTALLED_APPS = installed_apps("auth_service.accounts")
ROOT_URLCONF = "auth_service.urls"
WSGI_APPLICATION = "auth_service.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]

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

# Signing keys: every *.pem in JWT_KEYS_DIR is published in the JWKS; the one
# named by JWT_ACTIVE_KID signs (see README, "Rotating the signing key").
JWT_KEYS_DIR = Path(env.str("JWT_KEYS_DIR", default=str(BASE_DIR.parent / ".dev" / "jwt")))
JWT_ACTIVE_KID = env.str("JWT_ACTIVE_KID", default="")
JWT_KEY_PROVIDER = "auth_service.accounts.keys.LocalKeyProvider"
SERVICE_TOKEN_PROVIDER = "auth_service.accounts.services.LocalServiceTokenProvider"
# Every API service accepts a user's access token.
JWT_USER_AUDIENCE = env.list(
    "JWT_USER_AUDIENCE",
    default=["auth_service", "user_service", "schedule_service", "appointment_service", "portal"],
)
ACCESS_TOKEN_LIFETIME = timedelta(seconds=env.int("ACCESS_TOKEN_SECONDS", default=600))
REFRESH_TOKEN_LIFETIME = timedelta(seconds=env.int("REFRESH_TOKEN_SECONDS", default=14 * 24 * 3600))
SERVICE_TOKEN_LIFETIME = timedelta(seconds=env.int("SERVICE_TOKEN_SECONDS", default=300))

SIMPLE_JWT = {
    "ALGORITHM": "RS256",
    "ACCESS_TOKEN_LIFETIME": ACCESS_TOKEN_LIFETIME,
    "REFRESH_TOKEN_LIFETIME": REFRESH_TOKEN_LIFETIME,
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "sub",
    "TOKEN_TYPE_CLAIM": "token_type",
    "JTI_CLAIM": "jti",
    "ISSUER": JWT_ISSUER,  # noqa: F821 - set by service_settings
    "UPDATE_LAST_LOGIN": True,
}

# Login throttling (failures counted in the shared cache).
LOGIN_FAILURES_PER_ACCOUNT = env.int("LOGIN_FAILURES_PER_ACCOUNT", default=5)
LOGIN_FAILURES_PER_ADDRESS = env.int("LOGIN_FAILURES_PER_ADDRESS", default=20)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=900)
# Number of reverse proxies in front of the service whose X-Forwarded-For we trust.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

USER_SERVICE_URL = env.str("USER_SERVICE_URL", default="http://127.0.0.1:8002")

SPECTACULAR_SETTINGS = spectacular_settings(
    title="Clinic auth_service API",
    description="Registration, sign-in, token refresh and rotation, service tokens and the JWKS.",
)
# What auth_service's own service tokens may do, per audience.
AUTH_SERVICE_OUTGOING_SCOPES = {"user_service": ["profiles:read", "profiles:write"]}
