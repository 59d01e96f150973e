"""clients.py against a real HTTP server standing in for user_service."""

import datetime
import uuid
from urllib.parse import parse_qs

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


@pytest.mark.parametrize(
    ("status", "body"),
    [(403, {}), (302, {}), (500, {}), (200, {"no": "id"}), (200, [1]), (200, b"<html>")],
)
def test_profile_get_unexpected_answer_is_unavailable(user_service_stub, status, body):
    user_id = uuid.uuid4()
    path = f"/internal/v1/profiles/{user_id}/"
    if isinstance(body, bytes):
        user_service_stub.route("GET", path, status=status, body=body, content_type="text/html")
    else:
        user_service_stub.route("GET", path, status=status, json=body)
    with pytest.raises(ServiceUnavailable):
        clients.user_profile_get(user_id=user_id)


def test_profile_create_with_a_body_that_is_not_json_is_unavailable(user_service_stub):
    user_service_stub.route(
        "POST", "/internal/v1/profiles/", status=201, body=b"<html>", content_type="text/html"
    )
    with pytest.raises(ServiceUnavailable):
        clients.user_profile_create(user_id=uuid.uuid4(), role="patient", fields={"full_name": "x"})


def test_profile_create_400_without_a_problem_document_is_refused(user_service_stub):
    user_service_stub.route(
        "POST", "/internal/v1/profiles/", status=400, body=b"bad", content_type="text/plain"
    )
    with pytest.raises(ProfileRejected) as info:
        clients.user_profile_create(user_id=uuid.uuid4(), role="patient", fields={"full_name": "x"})
    assert info.value.extra["errors"] == []


def test_profile_create_unexpected_status_is_unavailable(user_service_stub):
    user_service_stub.route("POST", "/internal/v1/profiles/", status=302, json={})
    with pytest.raises(ServiceUnavailable):
        clients.user_profile_create(user_id=uuid.uuid4(), role="patient", fields={"full_name": "x"})


def test_profile_create_with_an_unusable_answer_is_unavailable(user_service_stub):
    user_service_stub.route("POST", "/internal/v1/profiles/", status=201, json={"no": "id"})
    with pytest.raises(ServiceUnavailable):
        clients.user_profile_create(user_id=uuid.uuid4(), role="patient", fields={"full_name": "x"})


def _row(user_id, role="patient"):
    return {"user_id": str(user_id), "role": role, "full_name": "Someone"}


def test_profile_list_created_reads_every_page(user_service_stub):
    first, second = uuid.uuid4(), uuid.uuid4()
    path = "/internal/v1/profiles/"
    user_service_stub.route(
        "GET", path, query={"page": "1"}, json={"next": "?page=2", "results": [_row(first)]}
    )
    user_service_stub.route(
        "GET", path, query={"page": "2"}, json={"next": None, "results": [_row(second, "doctor")]}
    )
    before = datetime.datetime(2026, 12, 1, 10, tzinfo=datetime.UTC)
    after = before - datetime.timedelta(days=7)
    listed = list(clients.user_profile_list_created(before=before, after=after))
    assert [(p.user_id, p.role) for p in listed] == [(first, "patient"), (second, "doctor")]
    query = parse_qs(user_service_stub.queries[0])
    assert query["created_before"] == [before.isoformat()]
    assert query["created_after"] == [after.isoformat()]
    claims = jwt.decode(
        user_service_stub.requests[0][2]["Authorization"].removeprefix("Bearer "),
        options={"verify_signature": False},
    )
    assert "profiles:read" in claims["scope"].split()


def test_profile_list_created_without_a_lower_bound(user_service_stub):
    user_service_stub.route("GET", "/internal/v1/profiles/", json={"next": None, "results": []})
    assert list(clients.user_profile_list_created(before=datetime.datetime.now(datetime.UTC))) == []
    assert "created_after" not in parse_qs(user_service_stub.queries[0])


@pytest.mark.parametrize(
    ("status", "body"),
    [(403, {}), (500, {}), (200, {"results": [{"x": 1}]}), (200, []), (200, {"results": 3})],
)
def test_profile_list_created_failures_are_unavailable(user_service_stub, status, body):
    user_service_stub.route("GET", "/internal/v1/profiles/", status=status, json=body)
    with pytest.raises(ServiceUnavailable):
        list(clients.user_profile_list_created(before=datetime.datetime.now(datetime.UTC)))


@pytest.mark.parametrize(("status", "deleted"), [(204, True), (404, False)])
def test_profile_delete(user_service_stub, status, deleted):
    user_id = uuid.uuid4()
    user_service_stub.route("DELETE", f"/internal/v1/profiles/{user_id}/", status=status, json={})
    assert clients.user_profile_delete(user_id=user_id) is deleted
    claims = jwt.decode(
        user_service_stub.requests[0][2]["Authorization"].removeprefix("Bearer "),
        options={"verify_signature": False},
    )
    assert "profiles:write" in claims["scope"].split()


@pytest.mark.parametrize("status", [403, 409, 500])
def test_profile_delete_failures_are_unavailable(user_service_stub, status):
    user_id = uuid.uuid4()
    user_service_stub.route("DELETE", f"/internal/v1/profiles/{user_id}/", status=status, json={})
    with pytest.raises(ServiceUnavailable):
        clients.user_profile_delete(user_id=user_id)
