"""Tests of common.settings, common.settings_admin and common.settings_test."""

import importlib.util
from types import ModuleType

import pytest
from django.core.exceptions import ImproperlyConfigured

ENV_VARS = (
    "DJANGO_DEBUG",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_BEHIND_TLS_PROXY",
    "DJANGO_HSTS_SECONDS",
    "AUTH_SERVICE_URL",
    "AUTH_JWKS_URL",
    "CACHE_URL",
    "DATABASE_URL",
    "STATIC_ROOT",
    "SERVICE_CLIENT_SECRET",
    "ADMIN_SESSION_IDLE_SECONDS",
    "ADMIN_RECHECK_SECONDS",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    """Each test starts from an environment with a secret key and nothing else these modules read."""
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DJANGO_SECRET_KEY", "a-real-secret-for-these-tests")
    return monkeypatch


def load(name: str) -> ModuleType:
    """Run module ``name`` afresh against the current environment, leaving ``sys.modules`` alone."""
    spec = importlib.util.find_spec(name)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shared_settings_default_to_production_values():
    settings = load("common.settings")

    assert settings.DEBUG is False
    assert settings.SECRET_KEY == "a-real-secret-for-these-tests"
    assert settings.ALLOWED_HOSTS == ["localhost", "127.0.0.1"]
    assert str(settings.STATIC_ROOT) == "/app/var/static"
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert settings.SERVICE_CLIENT_SECRET == ""
    assert (settings.SESSION_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS) == (False, 0)
    assert settings.SECURE_PROXY_SSL_HEADER is None


def test_the_jwks_address_follows_auth_service(clean_env):
    clean_env.setenv("AUTH_SERVICE_URL", "http://auth:8001/")

    settings = load("common.settings")

    assert settings.AUTH_SERVICE_URL == "http://auth:8001"
    assert settings.AUTH_JWKS_URL == "http://auth:8001/.well-known/jwks.json"


def test_behind_a_tls_proxy_cookies_are_secure_and_hsts_is_on(clean_env):
    clean_env.setenv("DJANGO_BEHIND_TLS_PROXY", "true")

    settings = load("common.settings")

    assert settings.SESSION_COOKIE_SECURE is settings.CSRF_COOKIE_SECURE is True
    assert settings.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
    assert settings.SECURE_HSTS_SECONDS == 365 * 24 * 3600


def test_without_a_secret_key_no_service_starts(clean_env):
    clean_env.delenv("DJANGO_SECRET_KEY")

    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        load("common.settings")


def test_a_placeholder_client_secret_stops_the_start(clean_env):
    clean_env.setenv("SERVICE_CLIENT_SECRET", "change-me-client-secret")

    with pytest.raises(ImproperlyConfigured, match="SERVICE_CLIENT_SECRET"):
        load("common.settings")


def test_an_admin_signs_staff_in_through_auth_service_for_an_idle_hour(clean_env):
    clean_env.setenv("ADMIN_RECHECK_SECONDS", "60")

    settings = load("common.settings_admin")

    assert settings.AUTHENTICATION_BACKENDS == ["common.admin_sso.AuthServiceStaffBackend"]
    assert settings.SESSION_COOKIE_AGE == 3600
    assert settings.ADMIN_RECHECK_SECONDS == 60


def test_tests_run_in_memory_without_static_files():
    settings = load("common.settings_test")

    assert settings.DATABASES["default"]["NAME"] == ":memory:"
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] == 0
    assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")
    assert settings.STATIC_ROOT is None
    assert settings.JWT_KEY_PROVIDER == "common.testing.TestKeyProvider"
