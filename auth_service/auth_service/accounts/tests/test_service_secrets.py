"""How client secrets are stored and checked: a keyed hash, earlier Argon2 hashes upgraded."""

import pytest
from django.contrib.auth.hashers import make_password
from django.test import override_settings
from django.utils.crypto import salted_hmac

from auth_service.accounts.models import ServiceAccount
from auth_service.accounts.services import service_accounts
from auth_service.accounts.services.service_accounts import (
    secret_check,
    secret_hash,
    service_account_upsert,
)
from auth_service.accounts.tests.factories import SERVICE_SECRET, ServiceAccountFactory
from common.testing import assert_problem

pytestmark = pytest.mark.django_db

URL = "/api/v1/auth/service-token"
ARGON2 = "django.contrib.auth.hashers.Argon2PasswordHasher"
OLD_KEY = "an-older-django-secret-key-of-auth-service-" + "0" * 20
NEW_KEY = "the-current-django-secret-key-of-auth-service-" + "1" * 20


def grant(secret=SERVICE_SECRET):
    return {
        "grant_type": "client_credentials",
        "client_id": "appointment_service",
        "client_secret": secret,
        "audience": "schedule_service",
    }


def stored_hash() -> str:
    return ServiceAccount.objects.get(client_id="appointment_service").secret_hash


def test_the_hash_is_hmac_sha256_under_a_key_from_secret_key(settings):
    account = service_account_upsert(
        client_id="x", secret="s" * 40, grants={"user_service": ["profiles:read"]}
    )
    expected = salted_hmac(
        "auth_service.accounts.service-account-secret",
        "s" * 40,
        secret=settings.SECRET_KEY,
        algorithm="sha256",
    ).hexdigest()
    assert account.secret_hash == "hmac-sha256$" + expected
    with override_settings(SECRET_KEY=NEW_KEY):
        assert secret_hash("s" * 40) != account.secret_hash


def test_a_wrong_secret_is_refused_and_the_check_is_constant_time(anon_client, monkeypatch):
    ServiceAccountFactory(client_id="appointment_service")
    compared = []
    real = service_accounts.constant_time_compare
    monkeypatch.setattr(
        service_accounts,
        "constant_time_compare",
        lambda a, b: compared.append((a, b)) or real(a, b),
    )
    assert_problem(anon_client.post(URL, grant("w" * 40), format="json"), 401, "invalid-client")
    assert compared, "the hashes are compared with constant_time_compare"
    assert anon_client.post(URL, grant(), format="json").status_code == 200


@override_settings(PASSWORD_HASHERS=[ARGON2])
def test_an_argon2_secret_still_counts_and_is_hashed_again_at_its_first_use(anon_client):
    ServiceAccountFactory(
        client_id="appointment_service", secret_hash=make_password(SERVICE_SECRET)
    )
    assert stored_hash().startswith("argon2")
    assert_problem(anon_client.post(URL, grant("w" * 40), format="json"), 401, "invalid-client")
    assert stored_hash().startswith("argon2"), "a wrong secret changes nothing"

    assert anon_client.post(URL, grant(), format="json").status_code == 200
    assert stored_hash() == secret_hash(SERVICE_SECRET)
    assert anon_client.post(URL, grant(), format="json").status_code == 200


def test_after_a_key_rotation_a_fallback_key_still_counts_and_the_hash_moves_on(anon_client):
    with override_settings(SECRET_KEY=OLD_KEY):
        ServiceAccountFactory(client_id="appointment_service")
        old_hash = stored_hash()
    with override_settings(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[OLD_KEY]):
        assert anon_client.post(URL, grant(), format="json").status_code == 200
        assert stored_hash() == secret_hash(SERVICE_SECRET) != old_hash
    with override_settings(SECRET_KEY=NEW_KEY):
        assert anon_client.post(URL, grant(), format="json").status_code == 200


def test_without_the_old_key_among_the_fallbacks_a_rotated_key_refuses_every_secret(
    anon_client,
):
    with override_settings(SECRET_KEY=OLD_KEY):
        ServiceAccountFactory(client_id="appointment_service")
    with override_settings(SECRET_KEY=NEW_KEY):
        assert_problem(anon_client.post(URL, grant(), format="json"), 401, "invalid-client")


def test_an_unknown_client_is_refused_after_the_same_hash(anon_client):
    response = anon_client.post(URL, {**grant(), "client_id": "nobody"}, format="json")
    assert_problem(response, 401, "invalid-client")
    assert secret_check(SERVICE_SECRET, secret_hash("")) == (False, False)
