"""Settings of the small Django project that common's tests run in.

The settings every service shares and an admin's (``common.settings``,
``common.settings_admin``), with the overrides of the services' ``test.py``
(``common.settings_test``).
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-key")

from common.conf import env, installed_apps, spectacular_settings  # noqa: E402
from common.settings import *  # noqa: E402, F403
from common.settings_admin import *  # noqa: E402, F403
from common.settings_test import *  # noqa: E402, F403

SERVICE_NAME = "common_tests"

INSTALLED_APPS = installed_apps()
ROOT_URLCONF = "tests.urls"
SPECTACULAR_SETTINGS = spectacular_settings(title="common tests", description="")
# Other services: common.people asks user_service (each test names its server).
USER_SERVICE_URL = "http://user-service.test"
SERVICE_CLIENT_ID = env.str("SERVICE_CLIENT_ID", default=SERVICE_NAME)
# What each staff group may do in this admin (common.admin_groups).
ADMIN_GROUP_PERMISSIONS = {"front-desk": ["view"], "read-only": ["view"]}
# /admin-staff-id stands for an admin page that reads the staff member's session.
SESSION_PATH_PREFIXES = ("/admin/", "/internal/schema/", "/internal/docs/", "/admin-staff-id")
