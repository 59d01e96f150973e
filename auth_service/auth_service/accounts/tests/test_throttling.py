"""Rate limits per client address: registration and the client-credentials grant (DRF throttles)."""

import pytest
from django.conf import settings

from auth_service.accounts.models import User
from auth_service.accounts.tests.factories import SERVICE_SECRET, ServiceAccountFactory
from common import counters
from common.testing import assert_problem

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register"
SERVICE_TOKEN = "/api/v1/auth/service-token"
PATIENT = {
    "email": "ana@example.com",
    "password": "a-long-enough-passphrase",
    "role": "patient",
    "full_name": "Ana Lima",
}


def _rates(settings, **rates):
    """Override DRF's throttle rates for one test."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
    }


def test_the_61st_registration_from_one_address_in_an_hour_is_429(anon_client, user_service):
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["register"] == "60/hour"
    for n in range(60):
        body = {**PATIENT, "email": f"p{n}@example.com"}
        response = anon_client.post(REGISTER, body, format="json", REMOTE_ADDR="198.51.100.7")
        assert response.status_code == 201, (n, response.json())

    refused = anon_client.post(
        REGISTER, {**PATIENT, "email": "one-too-many@example.com"}, REMOTE_ADDR="198.51.100.7"
    )
    assert_problem(refused, 429, "throttled")
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "throttled"
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert not User.objects.filter(email="one-too-many@example.com").exists()
    assert User.objects.count() == len(user_service.created) == 60

    other = anon_client.post(
        REGISTER, {**PATIENT, "email": "elsewhere@example.com"}, REMOTE_ADDR="198.51.100.8"
    )
    assert other.status_code == 201


def test_registration_limit_counts_the_forwarded_address_behind_a_trusted_proxy(
    anon_client, user_service, settings
):
    _rates(settings, register="2/hour")
    settings.TRUSTED_PROXY_COUNT = 1

    def register(n, forwarded):
        body = {**PATIENT, "email": f"fw{n}@example.com"}
        return anon_client.post(REGISTER, body, HTTP_X_FORWARDED_FOR=forwarded)

    answers = [register(n, "192.0.2.1") for n in range(3)]
    assert [r.status_code for r in answers] == [201, 201, 429]
    assert_problem(answers[2], 429, "throttled")
    # Same proxy (REMOTE_ADDR), another client behind it.
    assert register(3, "192.0.2.2").status_code == 201
    assert User.objects.count() == 3


def _grant(secret=SERVICE_SECRET):
    return {
        "grant_type": "client_credentials",
        "client_id": "appointment_service",
        "client_secret": secret,
        "audience": "schedule_service",
    }


def test_service_token_default_rate_is_120_a_minute_per_address():
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["service_token"] == "120/minute"


def test_service_token_grants_over_the_rate_are_429_whatever_the_secret(anon_client, settings):
    ServiceAccountFactory(client_id="appointment_service")
    _rates(settings, service_token="3/minute")
    for _ in range(3):
        guess = anon_client.post(SERVICE_TOKEN, _grant("wrong" * 6), REMOTE_ADDR="203.0.113.5")
        assert_problem(guess, 401, "invalid-client")
    refused = anon_client.post(SERVICE_TOKEN, _grant(), REMOTE_ADDR="203.0.113.5")
    assert_problem(refused, 429, "throttled")
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "throttled"
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "access_token" not in refused.json()
    assert anon_client.post(SERVICE_TOKEN, _grant(), REMOTE_ADDR="203.0.113.6").status_code == 200


@pytest.mark.parametrize("value", ["60", "60/fortnight", "0/hour", "lots"])
def test_a_malformed_rate_stops_the_start(monkeypatch, value):
    from django.core.exceptions import ImproperlyConfigured

    from auth_service.settings.base import throttle_rate

    monkeypatch.setenv("THROTTLE_REGISTER", value)
    with pytest.raises(ImproperlyConfigured, match="THROTTLE_REGISTER"):
        throttle_rate("THROTTLE_REGISTER", default="60/hour")


def test_rates_come_from_the_environment(monkeypatch):
    from auth_service.settings.base import throttle_rate

    monkeypatch.setenv("THROTTLE_SERVICE_TOKEN", "30/second")
    assert throttle_rate("THROTTLE_SERVICE_TOKEN", default="120/minute") == "30/second"


def test_a_counter_that_expires_between_add_and_incr_starts_again_at_one(monkeypatch):
    from django.core.cache import cache

    from common.counters import count_attempt

    def expired(key, delta=1, version=None):
        raise ValueError(key)

    monkeypatch.setattr(cache, "incr", expired)
    assert count_attempt("login-fail:acct:x", window=settings.LOGIN_FAILURE_WINDOW_SECONDS) == 1
    assert cache.get("login-fail:acct:x") == 1


class DownCache:
    """A cache whose server does not answer."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("cache down")

        return fail


def test_sign_in_while_the_cache_is_down_is_503_and_checks_no_password(anon_client, monkeypatch):
    from django.contrib.auth.backends import ModelBackend

    from auth_service.accounts import throttling
    from auth_service.accounts.tests.factories import PASSWORD, UserFactory

    user = UserFactory()
    checked = []
    monkeypatch.setattr(ModelBackend, "authenticate", lambda *args, **kw: checked.append(kw))
    monkeypatch.setattr(throttling, "cache", DownCache())
    monkeypatch.setattr(counters, "cache", DownCache())
    response = anon_client.post(
        "/api/v1/auth/token", {"email": user.email, "password": PASSWORD}, format="json"
    )
    assert_problem(response, 503, "dependency-unavailable")
    assert response["Content-Type"] == "application/problem+json"
    assert checked == []


def test_a_good_password_is_not_refused_when_the_cache_cannot_forget(anon_client, monkeypatch):
    from auth_service.accounts import throttling
    from auth_service.accounts.tests.factories import PASSWORD, UserFactory

    user = UserFactory()
    monkeypatch.setattr(throttling.cache, "delete_many", DownCache().delete_many)
    response = anon_client.post(
        "/api/v1/auth/token", {"email": user.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200


def test_registration_while_the_cache_is_down_is_503_and_creates_nothing(
    anon_client, user_service, monkeypatch
):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "cache", DownCache())
    response = anon_client.post(REGISTER, PATIENT, format="json")
    assert_problem(response, 503, "dependency-unavailable")
    assert response.json()["code"] == "dependency-unavailable"
    assert User.objects.count() == 0
