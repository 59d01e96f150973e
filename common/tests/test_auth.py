"""Tests of common.auth: token verification and the DRF authentication class."""

import uuid

import pytest
from django.test import override_settings
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from common.auth import (
    SERVICE_TOKEN_TYPE,
    USER_TOKEN_TYPE,
    InvalidToken,
    JWTAuthentication,
    ServicePrincipal,
    UserPrincipal,
    principal_from_claims,
    verify_token,
)
from common.testing import (
    TestKeyProvider,
    forged_tokens,
    mint,
    service_token,
    user_token,
)
from tests.providers import WrongAlgorithmKeyProvider

BOTH_TYPES = frozenset({USER_TOKEN_TYPE, SERVICE_TOKEN_TYPE})


def authenticate(authorization: str | None):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization is not None else {}
    return JWTAuthentication().authenticate(Request(APIRequestFactory().get("/", **headers)))


def assert_unauthorized(response):
    assert response.status_code == 401, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer ")
    assert response.json()["status"] == 401


def test_good_user_token_gives_a_user_principal_with_a_uuid_id():
    user_id = uuid.uuid4()

    principal, claims = authenticate(f"Bearer {user_token(user_id, 'doctor')}")

    assert isinstance(principal, UserPrincipal)
    assert isinstance(principal.id, uuid.UUID)
    assert principal.id == principal.pk == user_id
    assert principal.role == "doctor"
    assert principal.is_authenticated and not principal.is_service
    assert claims["sub"] == str(user_id)


def test_good_service_token_gives_a_service_principal_with_frozen_scopes():
    principal, claims = authenticate(
        f"Bearer {service_token('appointment_service', 'slots:read slots:write')}"
    )

    assert isinstance(principal, ServicePrincipal)
    assert principal.client_id == "appointment_service"
    assert principal.scopes == frozenset({"slots:read", "slots:write"})
    assert isinstance(principal.scopes, frozenset)
    assert principal.is_service
    assert claims["token_type"] == "service"


def test_user_token_is_accepted_by_a_user_view(client):
    user_id = uuid.uuid4()

    response = client.get(
        "/user-only", HTTP_AUTHORIZATION=f"Bearer {user_token(user_id, 'patient')}"
    )

    assert response.status_code == 200
    assert response.json() == {"id": str(user_id), "role": "patient"}


def test_verify_token_returns_the_claims_of_a_good_token():
    user_id = uuid.uuid4()

    claims = verify_token(
        user_token(user_id, "staff"),
        audience="common_tests",
        token_types={USER_TOKEN_TYPE},
        key_provider=TestKeyProvider(),
    )

    assert claims["sub"] == str(user_id)
    assert claims["role"] == "staff"


def test_token_listing_several_audiences_is_accepted_for_one_of_them():
    token = user_token(uuid.uuid4(), "patient", aud=["auth_service", "common_tests"])

    principal, _ = authenticate(f"Bearer {token}")

    assert principal.role == "patient"


@pytest.mark.parametrize("kind", list(forged_tokens(uuid.uuid4())))
def test_forged_tokens_are_refused_with_401_problem(client, kind):
    token = forged_tokens(uuid.uuid4())[kind]

    response = client.get("/user-only", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert_unauthorized(response)


@pytest.mark.parametrize("kind", list(forged_tokens(uuid.uuid4())))
def test_verify_token_raises_invalid_token_for_forged_tokens(kind):
    token = forged_tokens(uuid.uuid4())[kind]

    with pytest.raises(InvalidToken):
        verify_token(
            token, audience="common_tests", token_types=BOTH_TYPES, key_provider=TestKeyProvider()
        )


def test_service_token_whose_subject_is_not_a_service_is_refused(client):
    token = mint(sub="appointment_service", token_type="service", scope="things:read")

    response = client.get("/internal", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert_unauthorized(response)


def test_user_token_without_role_is_refused(client):
    response = client.get("/user-only", HTTP_AUTHORIZATION=f"Bearer {mint(sub=str(uuid.uuid4()))}")

    assert_unauthorized(response)


def test_user_token_whose_subject_is_not_a_uuid_is_refused(client):
    token = user_token("someone@example.com", "patient")

    response = client.get("/user-only", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert_unauthorized(response)


def test_user_token_with_empty_role_is_refused():
    claims = {"token_type": "access", "sub": str(uuid.uuid4()), "role": ""}

    with pytest.raises(InvalidToken):
        principal_from_claims(claims)


def test_bearer_header_with_three_parts_is_refused(client):
    token = user_token(uuid.uuid4(), "patient")

    response = client.get("/user-only", HTTP_AUTHORIZATION=f"Bearer {token} extra")

    assert_unauthorized(response)


def test_bearer_header_without_a_token_is_refused(client):
    response = client.get("/user-only", HTTP_AUTHORIZATION="Bearer")

    assert_unauthorized(response)


def test_bearer_header_with_non_ascii_token_is_refused(client):
    response = client.get("/user-only", HTTP_AUTHORIZATION="Bearer tökén")

    assert_unauthorized(response)


def test_key_whose_algorithm_differs_from_the_token_header_is_refused(client, fresh_key_provider):
    token = user_token(uuid.uuid4(), "patient")

    with override_settings(JWT_KEY_PROVIDER="tests.providers.WrongAlgorithmKeyProvider"):
        response = client.get("/user-only", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert_unauthorized(response)


def test_verify_token_refuses_a_key_whose_algorithm_differs_from_the_header():
    with pytest.raises(InvalidToken, match="does not match its key"):
        verify_token(
            user_token(uuid.uuid4(), "patient"),
            audience="common_tests",
            token_types=BOTH_TYPES,
            key_provider=WrongAlgorithmKeyProvider(),
        )


def test_verify_token_refuses_a_token_type_not_asked_for():
    with pytest.raises(InvalidToken, match="not accepted here"):
        verify_token(
            service_token("tester", "things:read"),
            audience="common_tests",
            token_types={USER_TOKEN_TYPE},
            key_provider=TestKeyProvider(),
        )


def test_verify_token_says_when_a_token_has_expired():
    with pytest.raises(InvalidToken, match="expired"):
        verify_token(
            user_token(uuid.uuid4(), "patient", lifetime=-120),
            audience="common_tests",
            token_types=BOTH_TYPES,
            key_provider=TestKeyProvider(),
        )


def test_request_without_authorization_gets_401_not_403_on_user_views(client):
    response = client.get("/user-only")

    assert_unauthorized(response)
    assert response.json()["code"] == "not-authenticated"


def test_other_authorization_schemes_are_ignored_and_give_401(client):
    response = client.get("/user-only", HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")

    assert_unauthorized(response)


def test_authentication_class_passes_on_requests_without_a_bearer_header():
    assert authenticate(None) is None
    assert authenticate("Basic dXNlcjpwYXNz") is None


def test_www_authenticate_names_this_service_as_realm(client):
    response = client.get("/user-only")

    assert response["WWW-Authenticate"] == 'Bearer realm="common_tests"'
