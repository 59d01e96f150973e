"""schedule_service settings for production; everything comes from the environment."""

from pathlib import Path

from common.conf import env, installed_apps, service_settings, spectacular_settings

BASE_DIR = Path(__file__).resolve().parents[2]

globals().update(service_settings(service="schedule_service", base_dir=BASE_DIR))

INSTALLED_APPS = installed_apps("django.contrib.postgres", "schedule_service.scheduling")
ROOT_URLCONF = "schedule_service.urls"
WSGI_APPLICATION = "schedule_service.wsgi.application"

USER_SERVICE_URL = env.str("USER_SERVICE_URL", default="http://127.0.0.1:8002")
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

# What each staff group may do in this admin (common.admin_groups). Only clinic-admins
# (superusers) change weekly rules, time off and booking policies, through the services the
# API calls; holds are read-only for everyone. The front desk and read-only staff look.
ADMIN_GROUP_PERMISSIONS = {"front-desk": ["view"], "read-only": ["view"]}
