"""user_service settings for production; everything comes from the environment."""

from pathlib import Path

from common.conf import installed_apps, service_settings, spectacular_settings

BASE_DIR = Path(__file__).resolve().parents[2]

globals().update(service_settings(service="user_service", base_dir=BASE_DIR))

INSTALLED_APPS = installed_apps("user_service.profiles")
ROOT_URLCONF = "user_service.urls"
WSGI_APPLICATION = "user_service.wsgi.application"

SPECTACULAR_SETTINGS = spectacular_settings(
    title="Clinic user_service API",
    description="Patient and doctor profiles, the doctor directory and medical specialties. "
    "`/internal/v1/` endpoints take service tokens only.",
)
# Profiles are only ever patients or doctors (staff have none): name that enum apart
# from common's three-role RoleEnum so the two never collide in the schema.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["ProfileRoleEnum"] = (
    "user_service.profiles.models.PROFILE_ROLE_CHOICES"
)

# What each staff group may do in this admin (common.admin_groups): the front desk keeps
# patients' and doctors' profiles up to date; specialties are a clinic-admin's.
ADMIN_GROUP_PERMISSIONS = {
    "front-desk": ["view", "profiles.change_patient", "profiles.change_doctor"],
    "read-only": ["view"],
}
