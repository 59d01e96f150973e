"""portal settings for production; everything comes from the environment.

Paths default to the image's (``/app/var``); ``local.py`` and ``test.py`` point
them into the development tree.
"""

from pathlib import Path

from csp.constants import NONE, SELF

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
    storages,
    templates,
)

SERVICE_NAME = "portal"
BASE_DIR = Path(__file__).resolve().parents[2]

SECRET_KEY = required("DJANGO_SECRET_KEY")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [*installed_apps("portal.web", admin=False), "csp"]
MIDDLEWARE = [
    *middleware(),
    "csp.middleware.CSPMiddleware",
    "portal.web.middleware.PortalErrorMiddleware",
]
ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
TEMPLATES = templates()
TEMPLATES[0]["OPTIONS"]["context_processors"] = [
    "django.template.context_processors.request",
    "django.contrib.messages.context_processors.messages",
    "portal.web.context.portal",
]
REST_FRAMEWORK = rest_framework_settings()
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

# People sign in with auth_service; the portal keeps their tokens in a server-side
# session, never in the browser. Sessions live in the portal's own database (a SQLite
# file on a volume in compose), not in Redis: a Redis outage signs no one out (README,
# "When things fail"). They last 20 hours from the last request (WCAG 2.2.1);
# `manage.py clearsessions` removes the expired ones.
AUTHENTICATION_BACKENDS: list[str] = []
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_NAME = "clinic_session"
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=20 * 3600)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# The access token is renewed this long before it expires, so no call carries a dying one.
TOKEN_REFRESH_MARGIN_SECONDS = env.int("TOKEN_REFRESH_MARGIN_SECONDS", default=30)
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "portal.web.views.errors.csrf_failure"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Behind TLS (DJANGO_BEHIND_TLS_PROXY) a person who typed http:// is sent to
# https://; the health checks of the orchestrator stay on plain HTTP.
SECURE_SSL_REDIRECT = BEHIND_TLS_PROXY
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [NONE],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

SERVICE_URLS = {
    "auth": AUTH_SERVICE_URL,
    "user": env.str("USER_SERVICE_URL", default="http://127.0.0.1:8002"),
    "schedule": env.str("SCHEDULE_SERVICE_URL", default="http://127.0.0.1:8003"),
    "appointment": env.str("APPOINTMENT_SERVICE_URL", default="http://127.0.0.1:8004"),
}
# Addresses a browser can open (inside compose, the service URLs are internal names).
PUBLIC_SERVICE_URLS = {
    "auth": env.str("PUBLIC_AUTH_SERVICE_URL", default=SERVICE_URLS["auth"]),
    "user": env.str("PUBLIC_USER_SERVICE_URL", default=SERVICE_URLS["user"]),
    "schedule": env.str("PUBLIC_SCHEDULE_SERVICE_URL", default=SERVICE_URLS["schedule"]),
    "appointment": env.str("PUBLIC_APPOINTMENT_SERVICE_URL", default=SERVICE_URLS["appointment"]),
}

# The clinic: its name, its time zone (shown to people whose browser did not say
# theirs) and the phone number for what cannot be done online.
CLINIC_NAME = env.str("CLINIC_NAME", default="Clinic booking")
CLINIC_TIME_ZONE = env.str("CLINIC_TIME_ZONE", default="Europe/London")
CLINIC_PHONE = env.str("CLINIC_PHONE", default="01234 567890")
# Patients see slots up to this many weeks ahead (the doctors' horizons may be shorter).
BOOKING_WEEKS_AHEAD = env.int("BOOKING_WEEKS_AHEAD", default=8)
