"""The client-credentials grant and service tokens."""

import jwt
import pytest
from django.conf import settings

from auth_service.accounts.models import ServiceAccount
from auth_service.accounts.services.service_accounts import service_account_upsert
from auth_service.accounts.tests.factories import SERVICE_SECRET, ServiceAccountFactory
from auth_service.accounts.token_provider import LocalServiceTokenProvider
from common.testing import assert_problem

pytestmark = pytest.mark.django_db

URL = "/api/v1/auth/service-token"


@pytest.fixture
def account():
    return ServiceAccountFactory(client_id="appointment_service")


def grant(**overrides):
    return {
        "grant_type": "client_credentials",
        "client_id": "appointment_service",
        "client_secret": SERVICE_SECRET,
        "audience": "schedule_service",
        **overrides,
    }


def test_form_encoded_grant_returns_service_token(anon_client, account, signing_key):
    response = anon_client.post(URL, grant(scope="slots:reserve"), format="multipart")
    response = anon_client.post(
        URL,
        "&".join(f"{k}={v}" for k, v in grant(scope="slots:reserve").items()),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 300
    assert body["scope"] == "slots:reserve"
    assert "refresh_token" not in body
    assert response["Cache-Control"] == "no-store"
    assert jwt.get_unverified_header(body["access_token"])["kid"] == signing_key.kid
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["sub"] == "service:appointment_service"
    assert claims["aud"] == "schedule_service"
    assert claims["token_type"] == "service"
    assert claims["iss"] == settings.JWT_ISSUER
    assert claims["exp"] - claims["iat"] == 300
    account.refresh_from_db()
    assert account.last_token_at is not None


def test_json_grant_without_scope_gets_all_allowed_scopes(anon_client, account):
    response = anon_client.post(URL, grant(), format="json")
    assert response.status_code == 200
    assert response.json()["scope"] == "slots:read slots:reserve"


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"grant_type": "password"}, 400, "unsupported-grant-type"),
        ({"client_secret": "wrong" * 6}, 401, "invalid-client"),
        ({"client_id": "nobody"}, 401, "invalid-client"),
        ({"audience": "user_service"}, 400, "invalid-target"),
        ({"scope": "slots:reserve profiles:write"}, 400, "invalid-scope"),
        ({"audience": ""}, 400, "validation-error"),
    ],
)
def test_bad_grants_are_refused(anon_client, account, overrides, status, code):
    response = anon_client.post(URL, grant(**overrides), format="json")
    assert response.status_code == status
    assert response.json()["code"] == code
    assert "access_token" not in response.json()


def test_inactive_account_is_refused(anon_client, account):
    ServiceAccount.objects.filter(pk=account.pk).update(is_active=False)
    assert_problem(anon_client.post(URL, grant(), format="json"), 401, "invalid-client")


def test_secret_is_stored_hashed():
    account = service_account_upsert(
        client_id="x", secret="a" * 30, grants={"user_service": ["profiles:read"]}
    )
    assert "a" * 30 not in account.secret_hash
    assert account.secret_hash.startswith("hmac-sha256$")
    assert account.grants == {"user_service": ["profiles:read"]}


@pytest.mark.parametrize(
    ("secret", "grants"),
    [
        pytest.param("short", {"a": []}, id="short-secret"),
        pytest.param("change-me-appointment-service-secret", {"a": []}, id="placeholder"),
        pytest.param("s" * 30, {"a": "slots:read"}, id="scopes-not-a-list"),
        pytest.param("s" * 30, {"a": ["two words"]}, id="scope-with-a-space"),
        pytest.param("s" * 30, {"": ["x"]}, id="no-audience"),
    ],
)
def test_bad_secrets_and_grants_are_refused(secret, grants):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        service_account_upsert(client_id="x", secret=secret, grants=grants)
    assert not ServiceAccount.objects.exists()


@pytest.fixture
def two_audiences():
    return ServiceAccountFactory(
        client_id="appointment_service",
        grants={
            "schedule_service": ["slots:read", "slots:reserve"],
            "user_service": ["profiles:read"],
        },
    )


@pytest.mark.parametrize(
    ("audience", "scope"),
    [
        ("user_service", "slots:reserve"),
        ("user_service", "profiles:read slots:read"),
        ("schedule_service", "profiles:read"),
    ],
)
def test_a_token_for_one_audience_cannot_carry_another_audiences_scope(
    anon_client, two_audiences, audience, scope
):
    response = anon_client.post(URL, grant(audience=audience, scope=scope), format="json")

    assert_problem(response, 400, "invalid-scope")
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "invalid-scope"
    assert "access_token" not in response.json()
    two_audiences.refresh_from_db()
    assert two_audiences.last_token_at is None  # nothing minted


def test_no_scope_asked_gets_only_that_audiences_scopes(anon_client, two_audiences):
    response = anon_client.post(URL, grant(audience="user_service"), format="json")

    assert response.status_code == 200
    assert response.json()["scope"] == "profiles:read"
    claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
    assert claims["aud"] == "user_service"
    assert claims["scope"] == "profiles:read"


def test_local_provider_mints_and_caches_tokens_for_user_service():
    provider = LocalServiceTokenProvider()
    first = provider.get_token("user_service")
    assert provider.get_token("user_service") == first
    claims = jwt.decode(first, options={"verify_signature": False})
    assert claims["aud"] == "user_service"
    assert set(claims["scope"].split()) == {"profiles:read", "profiles:write"}
    provider.invalidate("user_service")
    assert provider.get_token("user_service") != first
