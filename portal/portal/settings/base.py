"""portal settings for production: the ones every service shares, then its own.

Its own: its apps, pages and names, people's sessions and cookies, the content
security policy, the services it calls and the clinic's details. Everything comes
from the environment; ``local.py`` and ``test.py`` build on this module.
"""

from csp.constants import NONE, SELF

from common import conf
from common.conf import env

# The settings every service shares (the portal has no admin, so none of the admin's).
from common.settings import *  # noqa: F403

SERVICE_NAME = "portal"
INSTALLED_APPS = [*conf.installed_apps("portal.web", admin=False), "csp"]
# All pages, every one with the person's session: Django's session, CSRF and messages
# middleware on every path.
MIDDLEWARE = [
    *conf.middleware(sessions_on_every_path=True),
    "csp.middleware.CSPMiddleware",
    "portal.web.middleware.PortalErrorMiddleware",
]
ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
TEMPLATES = conf.templates(
    context_processors=(
        "django.template.context_processors.request",
        "django.contrib.messages.context_processors.messages",
        "portal.web.context.portal",
    )
)
DATABASES = conf.database_config(default_sqlite=conf.CONTAINER_VAR_DIR / f"{SERVICE_NAME}.sqlite3")
LOGGING = conf.logging_settings(SERVICE_NAME)

# People sign in with auth_service; the portal keeps their tokens in a server-side
# session, never in the browser. Sessions live in the portal's own database (a SQLite
# file on a volume in compose), not in Redis: a Redis outage signs no one out (README,
# "When things fail"). They last 20 hours from the last request (WCAG 2.2.1);
# `manage.py clearsessions` removes the expired ones.
AUTHENTICATION_BACKENDS: list[str] = []
SESSION_COOKIE_NAME = "clinic_session"
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=20 * 3600)
SESSION_COOKIE_SAMESITE = "Lax"
# The access token is renewed this long before it expires, so no call carries a dying one.
TOKEN_REFRESH_MARGIN_SECONDS = env.int("TOKEN_REFRESH_MARGIN_SECONDS", default=30)
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "portal.web.views.errors.csrf_failure"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Behind TLS (DJANGO_BEHIND_TLS_PROXY) a person who typed http:// is sent to
# https://; the health checks of the orchestrator stay on plain HTTP.
SECURE_SSL_REDIRECT = BEHIND_TLS_PROXY
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

# It calls every API with the signed-in person's token; with service tokens of this account
# it also looks up names in user_service and vouches for sign-ins to auth_service.
SERVICE_CLIENT_ID = env.str("SERVICE_CLIENT_ID", default=SERVICE_NAME)
# The services it calls with its own token (its account's audiences): each worker gets
# those tokens before it serves and renews them in the background (common.refresh).
SERVICE_TOKEN_AUDIENCES = ("user_service", "auth_service")
VERIFIES_BEARER_TOKENS = False
SERVICE_URLS = {
    "auth": AUTH_SERVICE_URL,
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
