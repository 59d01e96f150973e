"""Settings of the small Django project that common's tests run in."""

import os
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-key")

from common.conf import installed_apps, service_settings, spectacular_settings, test_settings

BASE_DIR = Path(__file__).resolve().parent

globals().update(service_settings(service="common_tests", base_dir=BASE_DIR))
globals().update(test_settings(DATABASES))  # noqa: F821
INSTALLED_APPS = installed_apps()
ROOT_URLCONF = "tests.urls"
SPECTACULAR_SETTINGS = spectacular_settings(title="common tests", description="")
USER_SERVICE_URL = "http://user-service.test"  # common.people (each test names its server)
