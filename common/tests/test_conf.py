"""Tests of common.conf: settings read from the environment."""

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from common.conf import (
    cache_config,
    database_config,
    env_path,
    hsts_seconds,
    installed_apps,
    logging_settings,
    middleware,
    positive_seconds,
    proxy_ssl_header,
    required,
    rest_framework_settings,
    secret,
    spectacular_settings,
    storages,
    templates,
)

# Imported under another name: pytest would collect ``test_databases`` as a test.
from common.conf import test_databases as make_test_databases

ENV_VARS = (
    "DATABASE_URL",
    "DB_POOL_MAX",
    "GUNICORN_THREADS",
    "DB_CONN_MAX_AGE",
    "DB_CONNECT_TIMEOUT",
    "DB_STATEMENT_TIMEOUT",
    "DB_POOL_TIMEOUT",
    "CACHE_SOCKET_TIMEOUT",
    "CACHE_RETRY_SECONDS",
    "CACHE_URL",
    "CACHE_KEY_PREFIX",
    "AUTH_SERVICE_URL",
    "AUTH_JWKS_URL",
    "JWT_ISSUER",
    "DJANGO_DEBUG",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_BEHIND_TLS_PROXY",
    "DJANGO_HSTS_SECONDS",
    "MAX_REQUEST_BYTES",
    "LOG_JSON",
    "LOG_LEVEL",
    "SERVICE_HTTP_READ_TIMEOUT",
    "STATIC_ROOT",
    "REVOCATIONS_POLL_SECONDS",
    "SERVICE_CLIENT_SECRET",
)
POSTGRES_URL = "postgres://schedule:pw@db.internal:5432/schedule"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    """Each test starts from an environment without the variables common.conf reads."""
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_database_defaults_to_a_sqlite_file_in_wal_mode(tmp_path):
    config = database_config(default_sqlite=tmp_path / "svc.sqlite3")["default"]

    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "svc.sqlite3")
    assert config["CONN_MAX_AGE"] is None
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert config["OPTIONS"]["timeout"] == 20
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


def test_postgres_url_uses_the_connection_pool(clean_env, tmp_path):
    clean_env.setenv("DATABASE_URL", POSTGRES_URL)

    config = database_config(default_sqlite=tmp_path / "unused.sqlite3")["default"]

    assert config["ENGINE"] == "common.postgresql"
    assert (config["NAME"], config["USER"], config["HOST"], config["PORT"]) == (
        "schedule",
        "schedule",
        "db.internal",
        5432,
    )
    assert config["OPTIONS"]["pool"] == {
        "min_size": 1,
        "max_size": 1,
        "timeout": 3.0,
        "reconnect_timeout": 3.0,
    }
    assert config["OPTIONS"]["connect_timeout"] == 3
    assert config["OPTIONS"]["options"] == "-c statement_timeout=15000"
    assert config["CONN_MAX_AGE"] == 0
    # The pool checks a connection that sat idle before handing it out (common.postgresql).
    assert config["CONN_HEALTH_CHECKS"] is True


def test_database_timeouts_come_from_the_environment(clean_env, tmp_path):
    clean_env.setenv("DATABASE_URL", POSTGRES_URL)
    clean_env.setenv("DB_CONNECT_TIMEOUT", "7")
    clean_env.setenv("DB_STATEMENT_TIMEOUT", "2.5")
    clean_env.setenv("DB_POOL_TIMEOUT", "1.5")

    options = database_config(default_sqlite=tmp_path / "x.sqlite3")["default"]["OPTIONS"]

    assert options["connect_timeout"] == 7
    assert options["options"] == "-c statement_timeout=2500"
    assert options["pool"]["timeout"] == options["pool"]["reconnect_timeout"] == 1.5


def test_a_statement_timeout_of_zero_sets_none(clean_env, tmp_path):
    clean_env.setenv("DATABASE_URL", POSTGRES_URL)
    clean_env.setenv("DB_STATEMENT_TIMEOUT", "0")

    options = database_config(default_sqlite=tmp_path / "x.sqlite3")["default"]["OPTIONS"]

    assert "options" not in options


@pytest.mark.parametrize(
    ("name", "value"), [("DB_CONNECT_TIMEOUT", "0"), ("DB_POOL_TIMEOUT", "-1")]
)
def test_database_timeouts_must_be_positive(clean_env, tmp_path, name, value):
    clean_env.setenv("DATABASE_URL", POSTGRES_URL)
    clean_env.setenv(name, value)

    with pytest.raises(ImproperlyConfigured, match=name):
        database_config(default_sqlite=tmp_path / "x.sqlite3")


def test_postgres_pool_size_comes_from_db_pool_max(clean_env, tmp_path):
    clean_env.setenv("DATABASE_URL", POSTGRES_URL)
    clean_env.setenv("DB_POOL_MAX", "12")

    config = database_config(default_sqlite=tmp_path / "x.sqlite3")["default"]

    assert config["OPTIONS"]["pool"]["max_size"] == 12


def test_postgres_pool_size_defaults_to_one_per_gunicorn_thread(clean_env, tmp_path):
    clean_env.setenv("DATABASE_URL", POSTGRES_URL)
    clean_env.setenv("GUNICORN_THREADS", "8")

    config = database_config(default_sqlite=tmp_path / "x.sqlite3")["default"]

    assert config["OPTIONS"]["pool"]["max_size"] == 8


def test_db_pool_max_zero_uses_persistent_connections(clean_env, tmp_path):
    clean_env.setenv("DATABASE_URL", POSTGRES_URL)
    clean_env.setenv("DB_POOL_MAX", "0")

    config = database_config(default_sqlite=tmp_path / "x.sqlite3")["default"]

    assert "pool" not in config["OPTIONS"]
    assert config["CONN_MAX_AGE"] == 60
    assert config["CONN_HEALTH_CHECKS"] is True


def test_persistent_connection_age_comes_from_db_conn_max_age(clean_env, tmp_path):
    clean_env.setenv("DATABASE_URL", POSTGRES_URL)
    clean_env.setenv("DB_POOL_MAX", "0")
    clean_env.setenv("DB_CONN_MAX_AGE", "600")

    assert database_config(default_sqlite=tmp_path / "x.sqlite3")["default"]["CONN_MAX_AGE"] == 600


def test_other_database_engines_are_left_as_given(clean_env, tmp_path):
    clean_env.setenv("DATABASE_URL", "mysql://u:p@db/name")

    config = database_config(default_sqlite=tmp_path / "x.sqlite3")["default"]

    assert config["ENGINE"] == "django.db.backends.mysql"
    assert "pool" not in config.get("OPTIONS", {})


@pytest.mark.parametrize("url", ["redis://cache:6379/1", "rediss://cache:6380/0"])
def test_cache_url_redis_gives_the_redis_cache(clean_env, url):
    clean_env.setenv("CACHE_URL", url)

    assert cache_config() == {
        "default": {
            "BACKEND": "common.cache.FallbackRedisCache",
            "LOCATION": url,
            "RETRY_SECONDS": 5.0,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            "KEY_PREFIX": "",
        }
    }


def test_redis_timeouts_and_retry_period_come_from_the_environment(clean_env):
    clean_env.setenv("CACHE_URL", "redis://cache:6379/1")
    clean_env.setenv("CACHE_SOCKET_TIMEOUT", "0.2")
    clean_env.setenv("CACHE_RETRY_SECONDS", "9")

    config = cache_config()["default"]

    assert config["OPTIONS"] == {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}
    assert config["RETRY_SECONDS"] == 9.0


def test_cache_url_locmem_gives_the_local_memory_cache(clean_env):
    clean_env.setenv("CACHE_URL", "locmem://")

    assert cache_config()["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_cache_defaults_to_the_shared_database_table():
    assert cache_config() == {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",
            "KEY_PREFIX": "",
        }
    }


def test_a_key_prefix_keeps_apart_users_of_one_redis(clean_env):
    clean_env.setenv("CACHE_URL", "redis://redis:6379/0")
    clean_env.setenv("CACHE_KEY_PREFIX", "clinic-a")

    assert cache_config()["default"]["KEY_PREFIX"] == "clinic-a"


def test_required_returns_a_set_variable(clean_env):
    clean_env.setenv("SOME_SECRET", "value")

    assert required("SOME_SECRET") == "value"


@pytest.mark.parametrize("value", [None, ""])
def test_required_raises_when_the_variable_is_unset_or_empty(clean_env, value):
    if value is None:
        clean_env.delenv("SOME_SECRET", raising=False)
    else:
        clean_env.setenv("SOME_SECRET", value)

    with pytest.raises(ImproperlyConfigured, match="SOME_SECRET"):
        required("SOME_SECRET")


def _read(name: str) -> object:
    """Read ``name`` the way the services' settings do."""
    if name == "DATABASE_URL":
        return database_config(default_sqlite=":memory:")
    if name == "CACHE_URL":
        return cache_config()
    if name == "DJANGO_SECRET_KEY":
        return required(name)
    return secret(name)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DJANGO_SECRET_KEY", "change-me-user-service-django-secret-key-0000000000000000"),
        ("SERVICE_CLIENT_SECRET", "change-me-schedule-service-client-secret"),
        ("DATABASE_URL", "postgres://user_service:change-me-user-service-db-password@db/users"),
        ("CACHE_URL", "redis://:CHANGE-ME@redis:6379/0"),
    ],
)
def test_settings_refuse_a_placeholder_secret_and_name_the_variable(clean_env, name, value):
    clean_env.setenv(name, value)

    with pytest.raises(ImproperlyConfigured, match=f"{name} still holds the change-me placeholder"):
        _read(name)


def test_a_real_secret_is_not_taken_for_a_placeholder(clean_env):
    clean_env.setenv("DJANGO_SECRET_KEY", "kq8-f3a-real-secret")
    clean_env.setenv("SERVICE_CLIENT_SECRET", "another-real-one")

    assert required("DJANGO_SECRET_KEY") == "kq8-f3a-real-secret"
    assert secret("SERVICE_CLIENT_SECRET") == "another-real-one"


def test_an_optional_secret_is_empty_when_unset(clean_env):
    clean_env.delenv("SERVICE_CLIENT_SECRET", raising=False)

    assert secret("SERVICE_CLIENT_SECRET") == ""


def test_a_path_comes_from_the_environment_and_nothing_is_created(clean_env, tmp_path):
    default = tmp_path / "var" / "static"

    assert env_path("STATIC_ROOT", default=default) == default
    assert not (tmp_path / "var").exists()

    clean_env.setenv("STATIC_ROOT", "/srv/static")
    assert env_path("STATIC_ROOT", default=default) == Path("/srv/static")


def test_logging_names_the_service_and_writes_json_lines_unless_told(clean_env):
    config = logging_settings("user_service")

    assert config["formatters"]["default"]["static_fields"] == {"service": "user_service"}

    clean_env.setenv("LOG_JSON", "false")
    assert "()" not in logging_settings("portal")["formatters"]["default"]


def test_storages_hash_static_files_except_in_tests():
    assert storages()["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    assert storages(manifest=False)["staticfiles"]["BACKEND"] == (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    assert storages()["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_test_databases_strip_the_pool_and_keep_other_postgres_options(clean_env, tmp_path):
    clean_env.setenv("DATABASE_URL", POSTGRES_URL)
    databases = database_config(default_sqlite=tmp_path / "x.sqlite3")

    default = make_test_databases(databases)["default"]

    assert "pool" not in default["OPTIONS"]
    assert default["OPTIONS"]["connect_timeout"] == 3
    assert default["CONN_MAX_AGE"] == 0
    assert "pool" in databases["default"]["OPTIONS"]  # the input is left alone


def test_test_databases_drop_sqlite_wal_options():
    databases = database_config(default_sqlite=":memory:")

    default = make_test_databases(databases)["default"]

    assert default["NAME"] == ":memory:"
    assert "OPTIONS" not in default
    assert default["CONN_MAX_AGE"] == 0


def test_installed_apps_put_the_service_apps_last():
    apps = installed_apps("user_service.profiles")

    assert apps[0] == "django.contrib.admin"
    assert apps[-2:] == ["common.apps.CommonConfig", "user_service.profiles"]
    assert "rest_framework" in apps


def test_installed_apps_without_admin():
    assert "django.contrib.admin" not in installed_apps(admin=False)


def test_middleware_binds_the_request_id_first_then_retries_reads_then_limits_bodies():
    assert middleware()[:3] == [
        "common.request_id.RequestIdMiddleware",
        "common.db.DatabaseRetryMiddleware",
        "common.errors.BodySizeLimitMiddleware",
    ]


def test_templates_use_the_given_directories(tmp_path):
    [config] = templates(tmp_path)

    assert config["DIRS"] == [tmp_path]
    assert config["APP_DIRS"] is True
    assert "django.contrib.auth.context_processors.auth" in config["OPTIONS"]["context_processors"]


def test_templates_take_other_context_processors():
    [config] = templates(context_processors=("portal.web.context.portal",))

    assert config["OPTIONS"]["context_processors"] == ["portal.web.context.portal"]


def test_rest_framework_settings_use_jwt_problems_and_the_page_size():
    config = rest_framework_settings(page_size=50)

    assert config["DEFAULT_AUTHENTICATION_CLASSES"] == ["common.auth.JWTAuthentication"]
    assert config["DEFAULT_PERMISSION_CLASSES"] == ["common.permissions.IsUser"]
    assert config["EXCEPTION_HANDLER"] == "common.errors.exception_handler"
    assert config["PAGE_SIZE"] == 50


def test_spectacular_settings_serve_self_hosted_ui():
    config = spectacular_settings(title="Schedule", description="Slots")

    assert config["TITLE"] == "Schedule"
    assert config["SWAGGER_UI_DIST"] == "SIDECAR"
    assert config["REDOC_DIST"] == "SIDECAR"


def test_tls_settings_are_off_by_default(clean_env):
    clean_env.setenv("DJANGO_HSTS_SECONDS", "300")

    assert proxy_ssl_header(False) is None
    assert hsts_seconds(False) == 0


def test_behind_a_tls_proxy_the_forwarded_proto_counts_and_hsts_lasts_a_year():
    assert proxy_ssl_header(True) == ("HTTP_X_FORWARDED_PROTO", "https")
    assert hsts_seconds(True) == 365 * 24 * 3600


def test_hsts_duration_can_be_set(clean_env):
    clean_env.setenv("DJANGO_HSTS_SECONDS", "300")

    assert hsts_seconds(True) == 300


def test_a_number_of_seconds_comes_from_the_environment(clean_env):
    assert positive_seconds("REVOCATIONS_POLL_SECONDS", default=30.0) == 30

    clean_env.setenv("REVOCATIONS_POLL_SECONDS", "1.5")
    assert positive_seconds("REVOCATIONS_POLL_SECONDS", default=30.0) == 1.5


@pytest.mark.parametrize("value", ["0", "-5"])
def test_a_number_of_seconds_that_is_not_positive_stops_the_start(clean_env, value):
    clean_env.setenv("REVOCATIONS_POLL_SECONDS", value)

    with pytest.raises(ImproperlyConfigured, match="REVOCATIONS_POLL_SECONDS"):
        positive_seconds("REVOCATIONS_POLL_SECONDS", default=30.0)
