"""Settings helpers: each returns the value of one setting, read from the environment.

``common.settings`` assigns the settings every service shares with them, by
name; a service's ``settings/base.py`` uses them for its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

from common.logging import logging_config

env = environ.Env()

DEFAULT_AUTH_SERVICE_URL = "http://127.0.0.1:8001"

# Where the image keeps what a service writes (<service>/Dockerfile: the code is in /app):
# production's default for STATIC_ROOT and the SQLite file when DATABASE_URL is unset.
CONTAINER_VAR_DIR = Path("/app/var")

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


def database_config(*, default_sqlite: Path | str) -> dict[str, Any]:
    """Return ``DATABASES`` from ``DATABASE_URL`` (the SQLite file ``default_sqlite`` when unset).

    PostgreSQL uses Django's psycopg 3 connection pool (``DB_POOL_MAX`` per
    process, by default one per gunicorn thread; ``DB_POOL_MAX=0`` falls back
    to persistent connections), which
    checks a connection that sat idle for a second before handing it out
    (``common.postgresql``), so one that a failover or
    ``pg_terminate_backend`` ended while idle is never used. Every connection has a
    connect timeout (``DB_CONNECT_TIMEOUT``) and a statement timeout
    (``DB_STATEMENT_TIMEOUT``, 0 for none); waiting for a connection from the
    pool ends after ``DB_POOL_TIMEOUT`` (a quarter of a second while the
    database cannot be reached, ``common.postgresql``). Each such fault answers 503
    (``common.db``). SQLite gets WAL, a busy timeout and IMMEDIATE transactions
    so that several workers can share the file.
    """
    refuse_placeholder("DATABASE_URL", env.str("DATABASE_URL", default=""))
    config = env.db_url("DATABASE_URL", default=f"sqlite:///{default_sqlite}")
    engine = config["ENGINE"]
    if "postgresql" in engine:
        # Django's PostgreSQL backend, its pool checking only connections that sat idle.
        config["ENGINE"] = "common.postgresql"
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
            pool_timeout = positive_seconds("DB_POOL_TIMEOUT", default=3.0)
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
        socket_timeout = positive_seconds("CACHE_SOCKET_TIMEOUT", default=0.5)
        cache = {
            "BACKEND": "common.cache.FallbackRedisCache",
            "LOCATION": url,
            "RETRY_SECONDS": positive_seconds("CACHE_RETRY_SECONDS", default=5.0),
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


def middleware(*, sessions_on_every_path: bool = False) -> list[str]:
    """Return ``MIDDLEWARE`` shared by the services.

    Sessions, sign-in, messages and CSRF run only on the admin's paths
    (``common.sessions``): the API answers bearer tokens. With
    ``sessions_on_every_path`` (the portal, all pages) they are Django's own,
    on every path.
    """
    if sessions_on_every_path:
        sessions, csrf, authentication, messages, admin_session = (
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
            "common.admin_session.AdminSessionMiddleware",
        )
    else:
        sessions, csrf, authentication, messages, admin_session = (
            "common.sessions.AdminSessions",
            "common.sessions.AdminCsrf",
            "common.sessions.AdminAuthentication",
            "common.sessions.AdminMessages",
            "common.sessions.AdminSessionCheck",
        )
    return [
        "common.request_id.RequestIdMiddleware",
        # A read whose database connection died under it runs once more (common.db).
        "common.db.DatabaseRetryMiddleware",
        "common.errors.BodySizeLimitMiddleware",
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
        sessions,
        "django.middleware.common.CommonMiddleware",
        "common.errors.NotFoundHandlerMiddleware",
        csrf,
        authentication,
        messages,
        # Re-checks admin sessions with auth_service (a no-op where the admin has no SSO).
        admin_session,
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ]


DEFAULT_CONTEXT_PROCESSORS = (
    "django.template.context_processors.request",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
)


def templates(
    *dirs: Path, context_processors: tuple[str, ...] = DEFAULT_CONTEXT_PROCESSORS
) -> list[dict[str, Any]]:
    """Return ``TEMPLATES`` (Django templates, app directories on).

    ``context_processors`` replaces the admin's (request, auth, messages) for a
    service whose pages need others.
    """
    return [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": list(dirs),
            "APP_DIRS": True,
            "OPTIONS": {"context_processors": list(context_processors)},
        }
    ]


def rest_framework_settings(*, page_size: int = 20) -> dict[str, Any]:
    """Return ``REST_FRAMEWORK``: JWT auth, user-only by default, JSON only, problem errors."""
    return {
        "DEFAULT_AUTHENTICATION_CLASSES": ["common.auth.JWTAuthentication"],
        "DEFAULT_PERMISSION_CLASSES": ["common.permissions.IsUser"],
        "DEFAULT_RENDERER_CLASSES": ["common.renderers.JSONRenderer"],
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


def positive_seconds(name: str, *, default: float) -> float:
    """Return env var ``name`` as seconds; raise ``ImproperlyConfigured`` unless it is positive."""
    value = env.float(name, default=default)
    if value <= 0:
        raise ImproperlyConfigured(f"{name} must be a positive number of seconds.")
    return value


def secret(name: str) -> str:
    """Return env var ``name`` (empty when unset); refuse a placeholder of ``.env.sample``."""
    return refuse_placeholder(name, env.str(name, default=""))


def env_path(name: str, *, default: Path) -> Path:
    """Return env var ``name`` as a path, ``default`` when it is unset.

    Nothing is created: whoever writes there makes the folder (``collectstatic``
    its ``STATIC_ROOT``, ``signing_keys`` its keys folder, the image the rest).
    """
    return Path(env.str(name, default=str(default)))


def logging_settings(service: str) -> dict[str, Any]:
    """Return ``LOGGING`` for ``service`` at ``LOG_LEVEL``, JSON lines unless ``LOG_JSON`` is off."""
    return logging_config(
        service=service,
        level=env.str("LOG_LEVEL", default="INFO"),
        json=env.bool("LOG_JSON", default=True),
    )


def storages(*, manifest: bool = True) -> dict[str, Any]:
    """Return ``STORAGES``: files on disk; static files hashed and compressed by WhiteNoise.

    ``manifest=False`` gives plain static storage, for tests that collect nothing.
    """
    static_backend = (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if manifest
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    return {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": static_backend},
    }


def proxy_ssl_header(behind_tls_proxy: bool) -> tuple[str, str] | None:
    """Return ``SECURE_PROXY_SSL_HEADER``: the proxy's ``X-Forwarded-Proto``, only behind one."""
    return ("HTTP_X_FORWARDED_PROTO", "https") if behind_tls_proxy else None


def hsts_seconds(behind_tls_proxy: bool) -> int:
    """Return ``SECURE_HSTS_SECONDS``: a year (``DJANGO_HSTS_SECONDS``) behind TLS, else none."""
    return env.int("DJANGO_HSTS_SECONDS", default=365 * 24 * 3600) if behind_tls_proxy else 0


def test_databases(databases: dict[str, Any]) -> dict[str, Any]:
    """Return ``DATABASES`` for tests: ``databases`` without the pool or SQLite's WAL options.

    Threads in race tests open their own connections, so no pool and no
    persistent connections; the input is left alone.
    """
    default = dict(databases["default"])
    if "sqlite" in default["ENGINE"]:
        default.pop("OPTIONS", None)
    else:
        default["OPTIONS"] = {k: v for k, v in default.get("OPTIONS", {}).items() if k != "pool"}
    default["CONN_MAX_AGE"] = 0
    return {"default": default}
