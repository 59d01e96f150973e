"""appointment_service settings for production; everything comes from the environment.

Paths default to the image's (``/app/var``); ``local.py`` and ``test.py`` point
them into the development tree.
"""

import re
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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

SERVICE_NAME = "appointment_service"
BASE_DIR = Path(__file__).resolve().parents[2]

SECRET_KEY = required("DJANGO_SECRET_KEY")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = installed_apps("django.contrib.postgres", "appointment_service.appointments")
MIDDLEWARE = middleware()
ROOT_URLCONF = "appointment_service.urls"
WSGI_APPLICATION = "appointment_service.wsgi.application"
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

# What each staff group may do in this admin (common.admin_groups). Appointments change only
# through the service functions (which keep the slot holds in line): the front desk books,
# reschedules, cancels and marks outcomes with the admin's own pages, never by editing a row,
# and may set aside the patients' cut-offs and caps (every override is in the history).
STAFF_OPERATIONS = [
    "appointments.book_for_patient",
    "appointments.reschedule_for_patient",
    "appointments.cancel_for_patient",
    "appointments.mark_outcome",
    "appointments.override_rules",
]
ADMIN_GROUP_PERMISSIONS = {"front-desk": ["view", *STAFF_OPERATIONS], "read-only": ["view"]}

SCHEDULE_SERVICE_URL = env.str("SCHEDULE_SERVICE_URL", default="http://127.0.0.1:8003")
# The admin names patients and doctors (common.people: user_service, then auth_service).
USER_SERVICE_URL = env.str("USER_SERVICE_URL", default="http://127.0.0.1:8002")

# Booking policy.
MAX_UPCOMING_APPOINTMENTS = env.int("MAX_UPCOMING_APPOINTMENTS", default=10)
# Of those, how many one patient may hold with one doctor.
MAX_UPCOMING_APPOINTMENTS_PER_DOCTOR = env.int("MAX_UPCOMING_APPOINTMENTS_PER_DOCTOR", default=3)
MAX_RESCHEDULES = env.int("MAX_RESCHEDULES", default=3)


def _throttle_rate(name: str, default: str) -> str:
    """Read a rate limit like ``30/hour`` (per second, minute, hour or day) from ``name``."""
    value = env.str(name, default=default).strip()
    if not re.fullmatch(r"[1-9][0-9]*/(second|minute|hour|day|s|m|h|d)", value):
        raise ImproperlyConfigured(
            f"{name} must be a number of requests per second, minute, hour or day, "
            f"like {default}; it is {value!r}."
        )
    return value


# Rate limits per signed-in user, counted in the shared cache (429 with Retry-After).
# A patient holds at most 10 upcoming appointments and moves each at most 3 times, so 30
# bookings or moves an hour leave room for many refusals (a time taken meanwhile) while a
# script gets no more than that. Doctors cancel too, a whole day of short slots at once.
THROTTLE_BOOKING = _throttle_rate("THROTTLE_BOOKING", "30/hour")
THROTTLE_RESCHEDULE = _throttle_rate("THROTTLE_RESCHEDULE", "30/hour")
THROTTLE_CANCEL = _throttle_rate("THROTTLE_CANCEL", "120/hour")

SPECTACULAR_SETTINGS = spectacular_settings(
    title="Clinic appointment_service API",
    description="Book, list, change, reschedule and cancel appointments; their history and an "
    "iCalendar file of each. Slots are held in schedule_service, which this service calls "
    "with its own service token.",
)
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "AppointmentStatusEnum": "appointment_service.appointments.models.AppointmentStatus",
        "EventActionEnum": "appointment_service.appointments.models.EventAction",
    }
)

# The clinic's own time zone: the admin's "clinic's day" and booking pages show its dates and times.
CLINIC_TIME_ZONE = env.str("CLINIC_TIME_ZONE", default="Europe/London")
try:
    ZoneInfo(CLINIC_TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError) as exc:
    raise ImproperlyConfigured(
        f"CLINIC_TIME_ZONE must be an IANA time zone like Europe/London; it is {CLINIC_TIME_ZONE!r}."
    ) from exc
