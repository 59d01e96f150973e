"""clients.py against a real HTTP server standing in for user_service and auth_service."""

import uuid

import jwt
import pytest

from common import http
from common.errors import ServiceUnavailable
from common.testing import service_token
from schedule_service.scheduling import clients

# Bound at import, before the autouse fake replaces the module attribute.
from schedule_service.scheduling.clients import DoctorProfile, user_doctor_get

TOKEN_PATH = "/api/v1/auth/service-token"


@pytest.fixture
def stub(stub_server, settings):
    """One stub answering as auth_service (service tokens) and user_service."""
    settings.USER_SERVICE_URL = stub_server.url
    settings.AUTH_SERVICE_URL = stub_server.url
    settings.SERVICE_TOKEN_PROVIDER = None
    stub_server.route(
        "POST",
        TOKEN_PATH,
        json={
            "access_token": service_token("schedule_service", "profiles:read", aud="user_service"),
            "token_type": "Bearer",
            "expires_in": 300,
            "scope": "profiles:read",
        },
    )
    clients._client.cache_clear()
    http.default_token_provider.cache_clear()
    yield stub_server
    clients._client.cache_clear()
    http.default_token_provider.cache_clear()


def _profile_path(doctor_id) -> str:
    return f"/internal/v1/profiles/{doctor_id}/"


def test_doctor_get_sends_a_service_token_for_user_service(stub):
    doctor_id = uuid.uuid4()
    stub.route(
        "GET",
        _profile_path(doctor_id),
        json={
            "user_id": str(doctor_id),
            "role": "doctor",
            "full_name": "Dr. Lena Weber",
            "timezone": "Europe/Berlin",
            "specialty": {"slug": "cardiology", "name": "Cardiology"},
        },
    )
    assert user_doctor_get(doctor_id=doctor_id) == DoctorProfile(
        role="doctor", timezone="Europe/Berlin"
    )
    token_request, profile_request = stub.requests
    assert (token_request[0], token_request[1]) == ("POST", TOKEN_PATH)
    assert b"audience=user_service" in token_request[3]
    assert b"client_id=schedule_service" in token_request[3]
    method, path, headers, _ = profile_request
    assert (method, path) == ("GET", _profile_path(doctor_id))
    claims = jwt.decode(
        headers["Authorization"].removeprefix("Bearer "), options={"verify_signature": False}
    )
    assert (claims["aud"], claims["token_type"]) == ("user_service", "service")


@pytest.mark.parametrize(("approved", "expected"), [(True, True), (False, False), ("yes", False)])
def test_doctor_get_reads_the_approval(stub, approved, expected):
    doctor_id = uuid.uuid4()
    stub.route(
        "GET",
        _profile_path(doctor_id),
        json={"user_id": str(doctor_id), "role": "doctor", "timezone": "UTC", "approved": approved},
    )
    assert user_doctor_get(doctor_id=doctor_id).approved is expected


def test_doctor_get_of_a_patient(stub):
    patient_id = uuid.uuid4()
    stub.route(
        "GET",
        _profile_path(patient_id),
        json={"user_id": str(patient_id), "role": "patient", "timezone": None, "specialty": None},
    )
    assert user_doctor_get(doctor_id=patient_id) == DoctorProfile(role="patient", timezone=None)


def test_doctor_get_of_nobody_is_none(stub):
    assert user_doctor_get(doctor_id=uuid.uuid4()) is None  # the stub answers 404


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, {}),
        (503, {}),
        (403, {"detail": "scope"}),
        (302, {}),
        (201, {"role": "doctor"}),
        (200, {"no": "role"}),
        (200, ["x"]),
        (200, "bare"),
    ],
)
def test_doctor_get_failures_are_unavailable(stub, status, body):
    doctor_id = uuid.uuid4()
    stub.route("GET", _profile_path(doctor_id), status=status, json=body)
    with pytest.raises(ServiceUnavailable):
        user_doctor_get(doctor_id=doctor_id)


def test_doctor_get_of_a_body_that_is_not_json_is_unavailable(stub):
    doctor_id = uuid.uuid4()
    stub.route("GET", _profile_path(doctor_id), body=b"<html>", content_type="text/html")
    with pytest.raises(ServiceUnavailable):
        user_doctor_get(doctor_id=doctor_id)


def test_doctor_get_when_user_service_does_not_listen(stub, settings):
    settings.USER_SERVICE_URL = "http://127.0.0.1:9"  # the discard port: connection refused
    clients._client.cache_clear()
    with pytest.raises(ServiceUnavailable):
        user_doctor_get(doctor_id=uuid.uuid4())
    assert [path for _, path, _, _ in stub.requests] == [TOKEN_PATH]
