"""schedule_service settings for production: the ones every service shares, then its own.

Its own: its apps and names, how it asks user_service about doctors, the limits of
slot listings and time off, and its schema. Everything comes from the environment;
``local.py`` and ``test.py`` build on this module.
"""

from common import conf
from common.conf import env

# The settings every service shares, and those of an admin whose staff sign in by auth_service.
from common.settings import *  # noqa: F403
from common.settings_admin import *  # noqa: F403

SERVICE_NAME = "schedule_service"
INSTALLED_APPS = conf.installed_apps("django.contrib.postgres", "schedule_service.scheduling")
ROOT_URLCONF = "schedule_service.urls"
WSGI_APPLICATION = "schedule_service.wsgi.application"
DATABASES = conf.database_config(default_sqlite=conf.CONTAINER_VAR_DIR / f"{SERVICE_NAME}.sqlite3")
LOGGING = conf.logging_settings(SERVICE_NAME)

# What each staff group may do in this admin (common.admin_groups). Only clinic-admins
# (superusers) change weekly rules, time off and booking policies, through the services the
# API calls; holds are read-only for everyone. The front desk and read-only staff look.
ADMIN_GROUP_PERMISSIONS = {"front-desk": ["view"], "read-only": ["view"]}

# It asks user_service about doctors, with service tokens of this account (common.http).
USER_SERVICE_URL = env.str("USER_SERVICE_URL", default="http://127.0.0.1:8002")
SERVICE_CLIENT_ID = env.str("SERVICE_CLIENT_ID", default=SERVICE_NAME)
# The services it calls with its own token (its account's audiences): each worker gets
# those tokens before it serves and renews them in the background (common.refresh).
SERVICE_TOKEN_AUDIENCES = ("user_service", "auth_service")
# How long a doctor's time zone copied from user_service is trusted before it is asked again.
DOCTOR_TIMEZONE_TTL_SECONDS = env.int("DOCTOR_TIMEZONE_TTL_SECONDS", default=300)
# How often, at most, user_service is asked again whether a pending doctor is approved now
# (when someone else lists their slots or books one); an approved doctor is never asked again.
DOCTOR_APPROVAL_RECHECK_SECONDS = env.int("DOCTOR_APPROVAL_RECHECK_SECONDS", default=30)
# The widest `from`..`to` range of a slot listing, in days (inclusive).
SLOT_RANGE_MAX_DAYS = 62
# Entries of time off a doctor may have that have not ended yet (ended ones are history).
MAX_TIME_OFF_PER_DOCTOR = env.int("MAX_TIME_OFF_PER_DOCTOR", default=200)

SPECTACULAR_SETTINGS = conf.spectacular_settings(
    title="Clinic schedule_service API",
    description="Doctors' weekly availability rules, time off and booking policy, the bookable "
    "slots patients choose from, and (under `/internal/v1/`, service tokens only) the holds "
    "that appointment_service places on slots.",
)
