"""portal settings for production; everything comes from the environment."""

from pathlib import Path

from csp.constants import NONE, SELF

from common.conf import env, installed_apps, service_settings, templates

BASE_DIR = Path(__file__).resolve().parents[2]

globals().update(service_settings(service="portal", base_dir=BASE_DIR))

INSTALLED_APPS = [*installed_apps("portal.web", admin=False), "csp"]
ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
MIDDLEWARE = [
    *MIDDLEWARE,  # noqa: F821 - set by service_settings
    "csp.middleware.CSPMiddleware",
    "portal.web.middleware.PortalErrorMiddleware",
]
TEMPLATES = templates()
TEMPLATES[0]["OPTIONS"]["context_processors"] = [
    "django.template.context_processors.request",
    "django.contrib.messages.context_processors.messages",
    "portal.web.context.portal",
]

# People sign in with auth_service; the portal keeps their tokens in a server-side
# session, never in the browser. Sessions live in the portal's own database (a SQLite
# file on a volume in compose), not in Redis: a Redis outage signs no one out (README,
# "When things fail"). They last 20 hours from the last request (WCAG 2.2.1);
# `manage.py clearsessions` removes the expired ones.
AUTHENTICATION_BACKENDS: list[str] = []
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_NAME = "clinic_session"
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=20 * 3600)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_SAMESITE = "Lax"
# The access token is renewed this long before it expires, so no call carries a dying one.
TOKEN_REFRESH_MARGIN_SECONDS = env.int("TOKEN_REFRESH_MARGIN_SECONDS", default=30)
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "portal.web.views.errors.csrf_failure"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Behind TLS (DJANGO_BEHIND_TLS_PROXY, see common.conf) a person who typed http:// is sent to
# https://; the health checks of the orchestrator stay on plain HTTP.
SECURE_SSL_REDIRECT = SECURE_PROXY_SSL_HEADER is not None  # noqa: F821 - set by service_settings
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [NONE],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

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

# The clinic: its name, its time zone (shown to people whose browser did not say
# theirs) and the phone number for what cannot be done online.
CLINIC_NAME = env.str("CLINIC_NAME", default="Clinic booking")
CLINIC_TIME_ZONE = env.str("CLINIC_TIME_ZONE", default="Europe/London")
CLINIC_PHONE = env.str("CLINIC_PHONE", default="01234 567890")
# Patients see slots up to this many weeks ahead (the doctors' horizons may be shorter).
BOOKING_WEEKS_AHEAD = env.int("BOOKING_WEEKS_AHEAD", default=8)
