"""Access-token renewal when several requests of one sign-in need it at the same moment."""

import threading
import time
import uuid
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import RequestFactory

from common.errors import ServiceUnavailable
from common.testing import race, user_token
from portal.web import auth

pytestmark = pytest.mark.django_db


def _request_with(session_data: dict) -> object:
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store.update(session_data)
    request = RequestFactory().get("/")
    request.session = store
    return request


@pytest.fixture
def signed_in_data():
    cache.clear()
    user_id = uuid.uuid4()
    access = user_token(user_id, "patient", lifetime=10)  # inside the renewal margin
    return {
        auth.SESSION_KEY: {
            "id": str(user_id),
            "role": "patient",
            "email": "ana@example.com",
            "full_name": "Ana Lima",
            "time_zone": None,
            "access": access,
            "refresh": "refresh-1",
            "expires_at": int(time.time()) + 10,
        }
    }


def test_concurrent_requests_of_one_sign_in_renew_once_and_share_the_new_token(signed_in_data):
    calls: list[str] = []
    lock = threading.Lock()
    fresh = user_token(uuid.UUID(signed_in_data[auth.SESSION_KEY]["id"]), "patient")

    def refresh(token: str):
        with lock:
            calls.append(token)
        time.sleep(0.3)  # auth_service at work: the other requests arrive meanwhile
        return SimpleNamespace(access=fresh, refresh="refresh-2")

    # Each request has its own copy of the session, as separate worker threads would.
    requests = [_request_with(signed_in_data) for _ in range(8)]
    tokens = race(lambda request: auth.access_token(request, refresh=refresh), requests)

    assert calls == ["refresh-1"]
    assert tokens == [fresh] * 8
    assert {r.session[auth.SESSION_KEY]["refresh"] for r in requests} == {"refresh-2"}


def test_a_refused_renewal_ends_the_sign_in(signed_in_data):
    request = _request_with(signed_in_data)

    with pytest.raises(auth.SignInRequired):
        auth.access_token(request, refresh=lambda token: None)

    assert auth.SESSION_KEY not in request.session


def test_a_token_far_from_expiry_is_used_as_it_is(signed_in_data):
    signed_in_data[auth.SESSION_KEY]["expires_at"] = int(time.time()) + 600
    request = _request_with(signed_in_data)

    def refresh(token):
        raise AssertionError("no renewal expected")

    assert auth.access_token(request, refresh=refresh) == signed_in_data[auth.SESSION_KEY]["access"]


def test_a_refused_renewal_ends_the_sign_in_for_every_waiting_request_at_once(signed_in_data):
    calls: list[str] = []

    def refresh(token: str) -> None:  # auth_service refuses: the refresh token is dead
        calls.append(token)
        time.sleep(0.3)

    requests = [_request_with(signed_in_data) for _ in range(5)]
    started = time.monotonic()
    outcomes = race(lambda request: auth.access_token(request, refresh=refresh), requests)

    assert calls == ["refresh-1"]
    assert all(isinstance(outcome, auth.SignInRequired) for outcome in outcomes)
    assert time.monotonic() - started < auth.HANDOFF_WAIT_SECONDS  # nobody waited it out
    assert all(auth.SESSION_KEY not in r.session for r in requests)


def test_an_outage_while_renewing_keeps_the_sign_in_and_lets_a_later_request_renew(
    signed_in_data,
):
    fresh = user_token(uuid.UUID(signed_in_data[auth.SESSION_KEY]["id"]), "patient")

    def down(token: str):
        time.sleep(0.3)
        raise ServiceUnavailable("The sign-in service cannot be reached.")

    requests = [_request_with(signed_in_data) for _ in range(4)]
    outcomes = race(lambda request: auth.access_token(request, refresh=down), requests)

    assert all(isinstance(outcome, ServiceUnavailable) for outcome in outcomes)
    assert all(auth.SESSION_KEY in r.session for r in requests)  # still signed in
    later = _request_with(signed_in_data)
    token = auth.access_token(
        later, refresh=lambda token: SimpleNamespace(access=fresh, refresh="refresh-2")
    )
    assert token == fresh
