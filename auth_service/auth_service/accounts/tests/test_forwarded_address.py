"""A front end (the portal) names the browser behind a sign-in or registration, with its token."""

import pytest

from auth_service.accounts.models import User
from auth_service.accounts.services import service_accounts
from auth_service.accounts.tests.factories import SERVICE_SECRET, ServiceAccountFactory
from common.testing import assert_problem

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token"
REGISTER = "/api/v1/auth/register"
PORTAL = "198.51.100.1"  # the portal's own address, as auth_service sees the connection


def _token(client_id: str, audience: str, scopes: list[str]) -> str:
    ServiceAccountFactory(client_id=client_id, grants={audience: scopes})
    return service_accounts.service_token_issue(
        grant_type="client_credentials",
        client_id=client_id,
        client_secret=SERVICE_SECRET,
        audience=audience,
        scope=None,
    ).access_token


@pytest.fixture
def forwarder() -> str:
    return _token("portal", "auth_service", ["client-address:forward"])


def _wrong_sign_in(anon_client, *, browser: str, token: str | None, email="x@example.com"):
    headers = {"HTTP_X_CLIENT_ADDRESS": browser}
    if token is not None:
        headers["HTTP_X_FORWARDER_TOKEN"] = token
    return anon_client.post(
        TOKEN,
        {"email": email, "password": "wrong-password-here"},
        format="json",
        REMOTE_ADDR=PORTAL,
        **headers,
    )


def test_sign_ins_through_the_portal_count_against_each_browser(anon_client, forwarder, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 2
    settings.LOGIN_FAILURES_PER_ACCOUNT = 100

    first = [
        _wrong_sign_in(anon_client, browser="203.0.113.5", token=forwarder, email=f"a{n}@x.org")
        for n in range(3)
    ]
    other = _wrong_sign_in(anon_client, browser="203.0.113.6", token=forwarder, email="b@x.org")

    assert [(r.status_code, r.json()["code"]) for r in first] == [
        (401, "invalid-credentials"),
        (401, "invalid-credentials"),
        (429, "throttled"),
    ]
    # Another browser behind the same portal still signs in.
    assert_problem(other, 401, "invalid-credentials")


@pytest.mark.parametrize("kind", ["none", "without-scope", "garbage", "not-an-ip"])
def test_an_address_without_a_token_that_may_forward_it_is_ignored(anon_client, settings, kind):
    settings.LOGIN_FAILURES_PER_ADDRESS = 2
    settings.LOGIN_FAILURES_PER_ACCOUNT = 100
    token = {
        "none": None,
        "without-scope": _token("schedule_service", "auth_service", ["staff:sign-in"]),
        "garbage": "not-a-token",
        "not-an-ip": _token("portal", "auth_service", ["client-address:forward"]),
    }[kind]

    codes = [
        _wrong_sign_in(
            anon_client,
            browser="not-an-address" if kind == "not-an-ip" else f"203.0.113.{n}",
            token=token,
            email=f"c{n}@x.org",
        ).json()["code"]
        for n in range(3)
    ]

    # Each guess claimed a fresh address; all were counted against the connection's.
    assert codes == ["invalid-credentials", "invalid-credentials", "throttled"]


def test_registrations_through_the_portal_are_limited_per_browser(
    anon_client, forwarder, user_service, settings
):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "register": "1/hour",
        },
    }

    def register(n: int, browser: str):
        body = {
            "email": f"p{n}@example.com",
            "password": "a-long-enough-passphrase",
            "role": "patient",
            "full_name": "Pat Ient",
        }
        return anon_client.post(
            REGISTER,
            body,
            format="json",
            REMOTE_ADDR=PORTAL,
            HTTP_X_CLIENT_ADDRESS=browser,
            HTTP_X_FORWARDER_TOKEN=forwarder,
        )

    codes = [register(0, "203.0.113.7").status_code, register(1, "203.0.113.7").status_code]
    other = register(2, "203.0.113.8")

    assert codes == [201, 429]
    assert other.status_code == 201
    assert User.objects.count() == 2
