"""Tests of common.admin_sso: staff sign in to /admin/ with their auth_service account."""

import uuid

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.test import override_settings

from common.admin_sso import AuthServiceStaffBackend
from common.testing import foreign_private_key, user_token
from tests.conftest import Reply

pytestmark = pytest.mark.django_db

TOKEN_PATH = "/api/v1/auth/token"
AUDIENCE = ["auth_service", "common_tests"]
PASSWORD = "pw"


@pytest.fixture
def auth_server(local_server):
    with override_settings(AUTH_SERVICE_URL=local_server.url):
        yield local_server


def answer_with_token(server, role: str, **kwargs) -> None:
    token = user_token(uuid.uuid4(), role, aud=AUDIENCE, **kwargs)
    server.reply(TOKEN_PATH, Reply(json={"access": token, "refresh": "r"}))


def sign_in(username="Ada@Clinic.example", password=PASSWORD):
    return authenticate(request=None, username=username, password=password)


def test_staff_account_signs_in_as_a_local_superuser(auth_server, request_id):
    answer_with_token(auth_server, "staff")
    request_id("admin-login-1")

    user = sign_in()

    assert user is not None
    assert user.username == user.email == "ada@clinic.example"
    assert user.is_staff and user.is_superuser and user.is_active
    assert not user.has_usable_password()
    [hit] = auth_server.hits_to(TOKEN_PATH)
    assert hit.method == "POST"
    assert hit.json() == {"email": "Ada@Clinic.example", "password": "pw"}
    assert hit.headers["x-request-id"] == "admin-login-1"


def test_second_sign_in_reuses_the_local_user(auth_server):
    answer_with_token(auth_server, "staff")

    first = sign_in()
    second = sign_in(username="ada@clinic.example")

    assert second.pk == first.pk
    assert get_user_model().objects.count() == 1


def test_sign_in_restores_a_local_password_to_unusable(auth_server):
    answer_with_token(auth_server, "staff")
    get_user_model().objects.create_user(username="ada@clinic.example", password="local-pw")

    user = sign_in()

    assert not user.has_usable_password()
    assert sign_in(password="local-pw") is not None  # still decided by auth_service alone


@pytest.mark.parametrize("role", ["patient", "doctor"])
def test_non_staff_role_is_refused_and_no_user_is_made(auth_server, role):
    answer_with_token(auth_server, role)

    assert sign_in() is None
    assert not get_user_model().objects.exists()


def test_wrong_credentials_at_auth_service_are_refused(auth_server):
    auth_server.reply(TOKEN_PATH, Reply(status=401, json={"detail": "No active account."}))

    assert sign_in() is None
    assert not get_user_model().objects.exists()


def test_auth_service_down_refuses_sign_in(dead_url):
    with override_settings(AUTH_SERVICE_URL=dead_url):
        assert sign_in() is None
    assert not get_user_model().objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"access": "garbage"}, id="garbage-token"),
        pytest.param({"refresh": "r"}, id="no-access"),
        pytest.param(None, id="not-json"),
    ],
)
def test_unusable_answer_from_auth_service_refuses_sign_in(auth_server, body):
    reply = Reply(json=body) if body is not None else Reply(body=b"<html>oops</html>")
    auth_server.reply(TOKEN_PATH, reply)

    assert sign_in() is None
    assert not get_user_model().objects.exists()


def test_staff_token_for_another_audience_is_refused(auth_server):
    token = user_token(uuid.uuid4(), "staff", aud="auth_service")
    auth_server.reply(TOKEN_PATH, Reply(json={"access": token}))

    assert sign_in() is None


def test_staff_token_forged_with_another_key_is_refused(auth_server):
    answer_with_token(auth_server, "staff", key=foreign_private_key())

    assert sign_in() is None


@pytest.mark.parametrize(("username", "password"), [("", "pw"), ("a@b.example", ""), (None, None)])
def test_missing_credentials_do_not_call_auth_service(auth_server, username, password):
    assert (
        AuthServiceStaffBackend().authenticate(None, username=username, password=password) is None
    )
    assert auth_server.hits == []
