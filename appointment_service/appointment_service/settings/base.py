"""appointment_service settings for production: the ones every service shares, then its own.

Its own: its apps and names, what staff may do in its admin, the services it calls,
the booking policy and rate limits, its schema and the clinic's time zone.
Everything comes from the environment; ``local.py`` and ``test.py`` build on this module.
"""

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ImproperlyConfigured

from common import conf
from common.conf import env

# The settings every service shares, and those of an admin whose staff sign in by auth_service.
from common.settings import *  # noqa: F403
from common.settings_admin import *  # noqa: F403

SERVICE_NAME = "appointment_service"
INSTALLED_APPS = conf.installed_apps("django.contrib.postgres", "appointment_service.appointments")
ROOT_URLCONF = "appointment_service.urls"
WSGI_APPLICATION = "appointment_service.wsgi.application"
DATABASES = conf.database_config(default_sqlite=conf.CONTAINER_VAR_DIR / f"{SERVICE_NAME}.sqlite3")
LOGGING = conf.logging_settings(SERVICE_NAME)

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

# It holds slots in schedule_service with service tokens of this account (common.http).
SCHEDULE_SERVICE_URL = env.str("SCHEDULE_SERVICE_URL", default="http://127.0.0.1:8003")
SERVICE_CLIENT_ID = env.str("SERVICE_CLIENT_ID", default=SERVICE_NAME)
# The services it calls with its own token (its account's audiences): each worker gets
# those tokens before it serves and renews them in the background (common.refresh).
SERVICE_TOKEN_AUDIENCES = ("schedule_service", "user_service", "auth_service")
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

SPECTACULAR_SETTINGS = conf.spectacular_settings(
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
