"""user_service settings for production: the ones every service shares, then its own.

Its own: its apps and names, what the front desk may change in its admin, and
the profile roles in its schema. Everything comes from the environment;
``local.py`` and ``test.py`` build on this module.
"""

from common import conf
from common.conf import env

# The settings every service shares, and those of an admin whose staff sign in by auth_service.
from common.settings import *  # noqa: F403
from common.settings_admin import *  # noqa: F403

SERVICE_NAME = "user_service"
INSTALLED_APPS = conf.installed_apps("user_service.profiles")
ROOT_URLCONF = "user_service.urls"
WSGI_APPLICATION = "user_service.wsgi.application"
DATABASES = conf.database_config(default_sqlite=conf.CONTAINER_VAR_DIR / f"{SERVICE_NAME}.sqlite3")
LOGGING = conf.logging_settings(SERVICE_NAME)

# What each staff group may do in this admin (common.admin_groups): the front desk keeps
# patients' and doctors' profiles up to date; specialties are a clinic-admin's.
ADMIN_GROUP_PERMISSIONS = {
    "front-desk": ["view", "profiles.change_patient", "profiles.change_doctor"],
    "read-only": ["view"],
}
# The account it asks auth_service for service tokens as (common.http).
SERVICE_CLIENT_ID = env.str("SERVICE_CLIENT_ID", default=SERVICE_NAME)
# The services it calls with its own token (its account's audiences): each worker gets
# those tokens before it serves and renews them in the background (common.refresh).
SERVICE_TOKEN_AUDIENCES = ("auth_service",)

SPECTACULAR_SETTINGS = conf.spectacular_settings(
    title="Clinic user_service API",
    description="Patient and doctor profiles, the doctor directory and medical specialties. "
    "`/internal/v1/` endpoints take service tokens only.",
)
# Profiles are only ever patients or doctors (staff have none): name that enum apart
# from common's three-role RoleEnum so the two never collide in the schema.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["ProfileRoleEnum"] = (
    "user_service.profiles.models.PROFILE_ROLE_CHOICES"
)
