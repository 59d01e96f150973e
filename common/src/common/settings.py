"""The settings every service shares, read from the environment.

A service's ``settings/base.py`` star-imports this module first, the way
Django settings build on one another, and then assigns what is its own: its
name, apps and URLs, and the settings that depend on its name (the SQLite
file, ``LOGGING``, ``SERVICE_CLIENT_ID``). Paths default to the image's
(``/app/var``); a service's ``local.py`` and ``test.py`` point them elsewhere.
"""

from common import conf
from common.conf import env

SECRET_KEY = conf.required("DJANGO_SECRET_KEY")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

MIDDLEWARE = conf.middleware()
TEMPLATES = conf.templates()
REST_FRAMEWORK = conf.rest_framework_settings()
CACHES = conf.cache_config()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("MAX_REQUEST_BYTES", default=256 * 1024)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = conf.env_path("STATIC_ROOT", default=conf.CONTAINER_VAR_DIR / "static")
STORAGES = conf.storages()

# Other services: auth_service signs the tokens every service verifies with its JWKS.
AUTH_SERVICE_URL = env.str("AUTH_SERVICE_URL", default=conf.DEFAULT_AUTH_SERVICE_URL).rstrip("/")
AUTH_JWKS_URL = env.str("AUTH_JWKS_URL", default=f"{AUTH_SERVICE_URL}/.well-known/jwks.json")
JWT_ISSUER = env.str("JWT_ISSUER", default="clinic-auth")
# How often each process fetches auth_service's list of ended sign-ins (common.auth):
# a deactivated account's access tokens are refused within about this long.
REVOCATIONS_POLL_SECONDS = conf.positive_seconds("REVOCATIONS_POLL_SECONDS", default=30.0)
# Whether it verifies bearer tokens (auth_service's keys, the revocation list): its gunicorn
# workers fetch those before they serve (common.refresh). The portal sends tokens only.
VERIFIES_BEARER_TOKENS = True
SERVICE_CLIENT_SECRET = conf.secret("SERVICE_CLIENT_SECRET")
SERVICE_HTTP_CONNECT_TIMEOUT = env.float("SERVICE_HTTP_CONNECT_TIMEOUT", default=1.0)
SERVICE_HTTP_READ_TIMEOUT = env.float("SERVICE_HTTP_READ_TIMEOUT", default=3.0)

# Security headers, and one switch for running behind a proxy that terminates TLS
# (README, "Running behind TLS").
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
BEHIND_TLS_PROXY = env.bool("DJANGO_BEHIND_TLS_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = conf.proxy_ssl_header(BEHIND_TLS_PROXY)
SESSION_COOKIE_SECURE = BEHIND_TLS_PROXY
CSRF_COOKIE_SECURE = BEHIND_TLS_PROXY
SECURE_HSTS_SECONDS = conf.hsts_seconds(BEHIND_TLS_PROXY)
# Reverse proxies in front of the service whose X-Forwarded-For is trusted.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Sessions are kept in the service's database: the cookie carries only the key, and
# each request pushes the expiry back (SESSION_COOKIE_AGE is how long it idles).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
