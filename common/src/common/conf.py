"""Settings helpers: read the environment once, return the blocks every service shares."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

from common.logging import logging_config

env = environ.Env()

DEFAULT_AUTH_SERVICE_URL = "http://127.0.0.1:8001"

# What the placeholders of .env.sample contain: a value holding one was never set for real.
PLACEHOLDER_MARKER = "change-me"


def is_placeholder(value: str) -> bool:
    """Whether ``value`` is (or contains) a placeholder copied from ``.env.sample``."""
    return PLACEHOLDER_MARKER in value.lower()


def refuse_placeholder(name: str, value: str) -> str:
    """Return ``value``; raise ``ImproperlyConfigured`` naming ``name`` when it is a placeholder."""
    if is_placeholder(value):
        raise ImproperlyConfigured(
            f"{name} still holds the {PLACEHOLDER_MARKER} placeholder of .env.sample: "
            f'set {name} to a real secret (python -c "import secrets; '
            f'print(secrets.token_urlsafe(48))").'
        )
    return value


def required(name: str) -> str:
    """Return env var ``name``; raise ``ImproperlyConfigured`` when it is unset, empty or a placeholder."""
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(f"Set the {name} environment variable.")
    return refuse_placeholder(name, value)


def database_config(*, default_sqlite: Path) -> dict[str, Any]:
    """Return ``DATABASES`` from ``DATABASE_URL`` (a SQLite file when unset).

    PostgreSQL uses Django's psycopg 3 connection pool (``DB_POOL_MAX`` per
    process, by default one per gunicorn thread; ``DB_POOL_MAX=0`` falls back
    to persistent connections), which
    checks each connection before handing it out, so one that a failover or
    ``pg_terminate_backend`` ended is never used. Every connection has a
    connect timeout (``DB_CONNECT_TIMEOUT``) and a statement timeout
    (``DB_STATEMENT_TIMEOUT``, 0 for none); waiting for a connection from the
    pool ends after ``DB_POOL_TIMEOUT``. Each such fault answers 503
    (``common.db``). SQLite gets WAL, a busy timeout and IMMEDIATE transactions
    so that several workers can share the file.
    """
    refuse_placeholder("DATABASE_URL", env.str("DATABASE_URL", default=""))
    config = env.db_url("DATABASE_URL", default=f"sqlite:///{default_sqlite}")
    engine = config["ENGINE"]
    if "postgresql" in engine:
        config["ENGINE"] = "django.db.backends.postgresql"
        # One connection per thread that may use it: a sync worker never needs a second,
        # and after a failover no idle spare is left to be met dead.
        pool_max = env.int("DB_POOL_MAX", default=env.int("GUNICORN_THREADS", default=1))
        options = config.setdefault("OPTIONS", {})
        options.setdefault("connect_timeout", _positive_int("DB_CONNECT_TIMEOUT", default=3))
        statement_ms = int(env.float("DB_STATEMENT_TIMEOUT", default=15.0) * 1000)
        if statement_ms > 0:
            options.setdefault("options", f"-c statement_timeout={statement_ms}")
        config["CONN_HEALTH_CHECKS"] = True
        if pool_max > 0:
            pool_timeout = _positive_seconds("DB_POOL_TIMEOUT", default=3.0)
            options["pool"] = {
                "min_size": 1,
                "max_size": pool_max,
                "timeout": pool_timeout,
                # A connection that cannot be made is tried again for this long, after
                # which the next request that needs one starts afresh at once: after an
                # outage the pool reconnects within a second or two of the database.
                "reconnect_timeout": pool_timeout,
            }
            config["CONN_MAX_AGE"] = 0
        else:
            config["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    elif "sqlite" in engine:
        config["CONN_MAX_AGE"] = None
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    return {"default": config}


def cache_config() -> dict[str, Any]:
    """Return ``CACHES`` from ``CACHE_URL``: Redis when given, else the database table.

    Both are shared by every worker of the service (login throttling needs
    that). Redis is ``common.cache.FallbackRedisCache``: while it cannot be
    reached (``CACHE_SOCKET_TIMEOUT`` per try), each process counts and caches
    in its own memory and tries Redis again every ``CACHE_RETRY_SECONDS``.
    ``CACHE_KEY_PREFIX`` keeps apart deployments (or test stacks) that share
    one Redis database.
    """
    url = refuse_placeholder("CACHE_URL", env.str("CACHE_URL", default=""))
    if url.startswith(("redis://", "rediss://")):
        socket_timeout = _positive_seconds("CACHE_SOCKET_TIMEOUT", default=0.5)
        cache = {
            "BACKEND": "common.cache.FallbackRedisCache",
            "LOCATION": url,
            "RETRY_SECONDS": _positive_seconds("CACHE_RETRY_SECONDS", default=5.0),
            "OPTIONS": {
                "socket_connect_timeout": socket_timeout,
                "socket_timeout": socket_timeout,
            },
        }
    elif url.startswith("locmem://"):
        cache = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    else:
        cache = {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",
        }
    return {"default": {**cache, "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="")}}


def installed_apps(*apps: str, admin: bool = True) -> list[str]:
    """Return ``INSTALLED_APPS``: Django, DRF, drf-spectacular, then the service's ``apps``."""
    django_apps = [
        "django.contrib.admin",
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "django.contrib.messages",
        "whitenoise.runserver_nostatic",
        "django.contrib.staticfiles",
    ]
    if not admin:
        django_apps.remove("django.contrib.admin")
    return [
        *django_apps,
        "rest_framework",
        "drf_spectacular",
        "drf_spectacular_sidecar",
        "common.apps.CommonConfig",
        *apps,
    ]


def middleware() -> list[str]:
    """Return ``MIDDLEWARE`` shared by the services."""
    return [
        "common.request_id.RequestIdMiddleware",
        # A read whose database connection died under it runs once more (common.db).
        "common.db.DatabaseRetryMiddleware",
        "common.errors.BodySizeLimitMiddleware",
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "common.errors.NotFoundHandlerMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        # Re-checks admin sessions with auth_service (a no-op where the admin has no SSO).
        "common.admin_session.AdminSessionMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ]


def templates(*dirs: Path) -> list[dict[str, Any]]:
    """Return ``TEMPLATES`` (Django templates, app directories on)."""
    return [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": list(dirs),
            "APP_DIRS": True,
            "OPTIONS": {
                "context_processors": [
                    "django.template.context_processors.request",
                    "django.contrib.auth.context_processors.auth",
                    "django.contrib.messages.context_processors.messages",
                ]
            },
        }
    ]


def rest_framework_settings(*, page_size: int = 20) -> dict[str, Any]:
    """Return ``REST_FRAMEWORK``: JWT auth, user-only by default, JSON only, problem errors."""
    return {
        "DEFAULT_AUTHENTICATION_CLASSES": ["common.auth.JWTAuthentication"],
        "DEFAULT_PERMISSION_CLASSES": ["common.permissions.IsUser"],
        "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
        "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
        "DEFAULT_PAGINATION_CLASS": "common.pagination.PageNumberPagination",
        "PAGE_SIZE": page_size,
        "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
        "EXCEPTION_HANDLER": "common.errors.exception_handler",
        "UNAUTHENTICATED_USER": None,
        "TEST_REQUEST_DEFAULT_FORMAT": "json",
    }


def spectacular_settings(*, title: str, description: str) -> dict[str, Any]:
    """Return ``SPECTACULAR_SETTINGS``: self-hosted UI assets, bearer auth, problem schema."""
    return {
        "TITLE": title,
        "DESCRIPTION": description,
        "VERSION": "1.0.0",
        "SERVE_INCLUDE_SCHEMA": False,
        "SWAGGER_UI_DIST": "SIDECAR",
        "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
        "REDOC_DIST": "SIDECAR",
        "SWAGGER_UI_SETTINGS": {"persistAuthorization": True, "displayRequestDuration": True},
        "COMPONENT_SPLIT_REQUEST": True,
        "SCHEMA_PATH_PREFIX": r"/(api|internal)/v[0-9]+",
        # /api/schema/ documents what clients may call; /internal/schema/ the rest.
        "PREPROCESSING_HOOKS": ["common.schema.public_endpoints_only"],
        "ENUM_NAME_OVERRIDES": {"RoleEnum": "common.permissions.ROLES"},
        "POSTPROCESSING_HOOKS": [
            "drf_spectacular.hooks.postprocess_schema_enums",
            "common.schema.problem_media_type_hook",
        ],
    }


def _positive_int(name: str, *, default: int) -> int:
    value = env.int(name, default=default)
    if value <= 0:
        raise ImproperlyConfigured(f"{name} must be a positive whole number.")
    return value


def _positive_seconds(name: str, *, default: float) -> float:
    value = env.float(name, default=default)
    if value <= 0:
        raise ImproperlyConfigured(f"{name} must be a positive number of seconds.")
    return value


def service_settings(*, service: str, base_dir: Path) -> dict[str, Any]:
    """Return the settings every service reads from the environment the same way.

    ``DJANGO_SECRET_KEY`` is required (no default). A service's ``base.py``
    does ``globals().update(service_settings(...))`` and adds its own.
    """
    debug = env.bool("DJANGO_DEBUG", default=False)
    # One switch for running behind a proxy that terminates TLS (README, "Running behind TLS").
    behind_tls = env.bool("DJANGO_BEHIND_TLS_PROXY", default=False)
    (base_dir / "var" / "static").mkdir(parents=True, exist_ok=True)
    auth_url = env.str("AUTH_SERVICE_URL", default=DEFAULT_AUTH_SERVICE_URL).rstrip("/")
    return {
        "SERVICE_NAME": service,
        "SECRET_KEY": required("DJANGO_SECRET_KEY"),
        "DEBUG": debug,
        "ALLOWED_HOSTS": env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"]),
        "CSRF_TRUSTED_ORIGINS": env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[]),
        "DATABASES": database_config(default_sqlite=base_dir / "var" / f"{service}.sqlite3"),
        "CACHES": cache_config(),
        "AUTH_SERVICE_URL": auth_url,
        "AUTH_JWKS_URL": env.str("AUTH_JWKS_URL", default=f"{auth_url}/.well-known/jwks.json"),
        # How often each process fetches auth_service's list of ended sign-ins (common.revocations):
        # a deactivated account's access tokens are refused within about this long.
        "REVOCATIONS_POLL_SECONDS": _positive_seconds("REVOCATIONS_POLL_SECONDS", default=30.0),
        "JWT_ISSUER": env.str("JWT_ISSUER", default="clinic-auth"),
        "SERVICE_CLIENT_ID": env.str("SERVICE_CLIENT_ID", default=service),
        "SERVICE_CLIENT_SECRET": refuse_placeholder(
            "SERVICE_CLIENT_SECRET", env.str("SERVICE_CLIENT_SECRET", default="")
        ),
        "SERVICE_HTTP_CONNECT_TIMEOUT": env.float("SERVICE_HTTP_CONNECT_TIMEOUT", default=1.0),
        "SERVICE_HTTP_READ_TIMEOUT": env.float("SERVICE_HTTP_READ_TIMEOUT", default=3.0),
        "DATA_UPLOAD_MAX_MEMORY_SIZE": env.int("MAX_REQUEST_BYTES", default=256 * 1024),
        "LOGGING": logging_config(
            service=service,
            level=env.str("LOG_LEVEL", default="INFO"),
            json=env.bool("LOG_JSON", default=True),
        ),
        "MIDDLEWARE": middleware(),
        "TEMPLATES": templates(),
        "REST_FRAMEWORK": rest_framework_settings(),
        "AUTHENTICATION_BACKENDS": ["common.admin_sso.AuthServiceStaffBackend"],
        "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
        "LANGUAGE_CODE": "en-us",
        "TIME_ZONE": "UTC",
        "USE_I18N": True,
        "USE_TZ": True,
        "STATIC_URL": "static/",
        "STATIC_ROOT": Path(env.str("STATIC_ROOT", default=str(base_dir / "var" / "static"))),
        "STORAGES": {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
        },
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        # Sessions serve the admin only: kept in the database (the cookie carries only the
        # key; the session holds the staff member's refresh token), ended after an idle hour.
        "SESSION_ENGINE": "django.contrib.sessions.backends.db",
        "SESSION_COOKIE_AGE": env.int("ADMIN_SESSION_IDLE_SECONDS", default=3600),
        "SESSION_SAVE_EVERY_REQUEST": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https") if behind_tls else None,
        "SESSION_COOKIE_SECURE": behind_tls,
        "CSRF_COOKIE_SECURE": behind_tls,
        "SECURE_HSTS_SECONDS": env.int("DJANGO_HSTS_SECONDS", default=365 * 24 * 3600)
        if behind_tls
        else 0,
        # Admin sign-in: the account is re-checked with auth_service this often, and failed
        # sign-ins are counted per browser address (common.admin_sso).
        "ADMIN_RECHECK_SECONDS": env.int("ADMIN_RECHECK_SECONDS", default=300),
        "ADMIN_LOGIN_FAILURES_PER_ADDRESS": env.int("ADMIN_LOGIN_FAILURES_PER_ADDRESS", default=20),
        "ADMIN_LOGIN_FAILURE_WINDOW_SECONDS": env.int(
            "ADMIN_LOGIN_FAILURE_WINDOW_SECONDS", default=900
        ),
        # What each staff group may do in this admin (common.admin_groups); services
        # that let the front desk change things override it.
        "ADMIN_GROUP_PERMISSIONS": {"front-desk": ["view"], "read-only": ["view"]},
        # Reverse proxies in front of the service whose X-Forwarded-For is trusted.
        "TRUSTED_PROXY_COUNT": env.int("TRUSTED_PROXY_COUNT", default=0),
        "X_FRAME_OPTIONS": "DENY",
    }


def test_settings(databases: dict[str, Any]) -> dict[str, Any]:
    """Return the overrides every service's ``settings/test.py`` applies.

    A fast password hasher, an in-memory cache, plain static storage, quiet
    logs, no connection pool (threads in race tests open their own
    connections), and the test signing key.
    """
    default = dict(databases["default"])
    if "sqlite" in default["ENGINE"]:
        default.pop("OPTIONS", None)
    else:
        default["OPTIONS"] = {k: v for k, v in default.get("OPTIONS", {}).items() if k != "pool"}
    default["CONN_MAX_AGE"] = 0
    return {
        "DATABASES": {"default": default},
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
        "CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        "STORAGES": {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        "LOGGING": {"version": 1, "disable_existing_loggers": False},
        "JWT_KEY_PROVIDER": "common.testing.TestKeyProvider",
        # Revoked sign-ins come from the ``revocations`` fixture, never over HTTP.
        "REVOCATION_CHECKER": "common.testing.TestRevocations",
        "SERVICE_CLIENT_SECRET": "test-secret",
    }
