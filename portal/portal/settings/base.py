"""portal settings for production; everything comes from the environment."""

from pathlib import Path

from common.conf import env, installed_apps, service_settings

BASE_DIR = Path(__file__).resolve().parents[2]

globals().update(service_settings(service="portal", base_dir=BASE_DIR))

INSTALLED_APPS = installed_apps("portal.web", admin=False)
ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
# The portal keeps nothing but sessions, in signed cookies: no database writes.
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
AUTHENTICATION_BACKENDS: list[str] = []
SERVICE_URLS = {
    "auth": AUTH_SERVICE_URL,  # noqa: F821 - set by service_settings
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
