"""schedule_service settings for production; everything comes from the environment.

Paths default to the image's (``/app/var``); ``local.py`` and ``test.py`` point
them into the development tree.
"""

from pathlib import Path

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

SERVICE_NAME = "schedule_service"
BASE_DIR = Path(__file__).resolve().parents[2]

SECRET_KEY = required("DJANGO_SECRET_KEY")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = installed_apps("django.contrib.postgres", "schedule_service.scheduling")
MIDDLEWARE = middleware()
ROOT_URLCONF = "schedule_service.urls"
WSGI_APPLICATION = "schedule_service.wsgi.application"
TEMPLATES = templates()
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

USER_SERVICE_URL = env.str("USER_SERVICE_URL", default="http://127.0.0.1:8002")

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

# What each staff group may do in this admin (common.admin_groups). Only clinic-admins
# (superusers) change weekly rules, time off and booking policies, through the services the
# API calls; holds are read-only for everyone. The front desk and read-only staff look.
ADMIN_GROUP_PERMISSIONS = {"front-desk": ["view"], "read-only": ["view"]}

# How long a doctor's time zone copied from user_service is trusted before it is asked again.
DOCTOR_TIMEZONE_TTL_SECONDS = env.int("DOCTOR_TIMEZONE_TTL_SECONDS", default=300)
# How often, at most, user_service is asked again whether a pending doctor is approved now
# (when someone else lists their slots or books one); an approved doctor is never asked again.
DOCTOR_APPROVAL_RECHECK_SECONDS = env.int("DOCTOR_APPROVAL_RECHECK_SECONDS", default=30)
# The widest `from`..`to` range of a slot listing, in days (inclusive).
SLOT_RANGE_MAX_DAYS = 62
# Entries of time off a doctor may have that have not ended yet (ended ones are history).
MAX_TIME_OFF_PER_DOCTOR = env.int("MAX_TIME_OFF_PER_DOCTOR", default=200)

SPECTACULAR_SETTINGS = spectacular_settings(
    title="Clinic schedule_service API",
    description="Doctors' weekly availability rules, time off and booking policy, the bookable "
    "slots patients choose from, and (under `/internal/v1/`, service tokens only) the holds "
    "that appointment_service places on slots.",
)
