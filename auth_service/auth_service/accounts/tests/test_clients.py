"""clients.py against a real HTTP server standing in for user_service."""

import uuid

import jwt
import pytest

from auth_service.accounts import clients
from auth_service.accounts.exceptions import ProfileRejected
from common.errors import ServiceUnavailable

pytestmark = pytest.mark.django_db


@pytest.fixture
def user_service_stub(stub_server, settings):
    settings.USER_SERVICE_URL = stub_server.url
    clients._client.cache_clear()
    yield stub_server
    clients._client.cache_clear()


def test_profile_create_posts_with_a_service_token(user_service_stub):
    user_id = uuid.uuid4()
    user_service_stub.route(
        "POST",
        "/internal/v1/profiles/",
        status=201,
        json={"user_id": str(user_id), "role": "doctor", "full_name": "Dr. X"},
    )
    profile = clients.user_profile_create(
        user_id=user_id, role="doctor", fields={"full_name": "Dr. X"}
    )
    assert profile == clients.Profile(user_id=user_id, role="doctor", full_name="Dr. X")
    method, path, headers, body = user_service_stub.requests[0]
    token = headers["Authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["aud"] == "user_service"
    assert claims["token_type"] == "service"
    assert b'"user_id"' in body


def test_profile_create_maps_400_field_errors(user_service_stub):
    errors = [{"field": "specialty", "code": "invalid", "detail": "Unknown specialty."}]
    user_service_stub.route(
        "POST", "/internal/v1/profiles/", status=400, json={"detail": "Bad", "errors": errors}
    )
    with pytest.raises(ProfileRejected) as info:
        clients.user_profile_create(user_id=uuid.uuid4(), role="doctor", fields={"full_name": "x"})
    assert info.value.extra["errors"] == errors


def test_profile_create_other_4xx_is_refused(user_service_stub):
    user_service_stub.route("POST", "/internal/v1/profiles/", status=403, json={})
    with pytest.raises(ProfileRejected):
        clients.user_profile_create(user_id=uuid.uuid4(), role="patient", fields={"full_name": "x"})


def test_profile_create_5xx_is_unavailable(user_service_stub):
    user_service_stub.route("POST", "/internal/v1/profiles/", status=500, json={})
    with pytest.raises(ServiceUnavailable):
        clients.user_profile_create(user_id=uuid.uuid4(), role="patient", fields={"full_name": "x"})


def test_profile_get(user_service_stub):
    user_id = uuid.uuid4()
    user_service_stub.route(
        "GET",
        f"/internal/v1/profiles/{user_id}/",
        json={"user_id": str(user_id), "role": "patient", "full_name": "A"},
    )
    assert clients.user_profile_get(user_id=user_id).full_name == "A"
    assert clients.user_profile_get(user_id=uuid.uuid4()) is None  # stub answers 404


def test_profile_get_unexpected_answer(user_service_stub):
    user_id = uuid.uuid4()
    user_service_stub.route("GET", f"/internal/v1/profiles/{user_id}/", status=403)
    with pytest.raises(ProfileRejected):
        clients.user_profile_get(user_id=user_id)
