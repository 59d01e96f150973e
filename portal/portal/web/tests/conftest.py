"""Shared fixtures of the portal's page tests: the services are faked at the HTTP boundary only.

``api`` is a ``common.testing.StubServer`` that every service URL points at;
``signed_in_patient`` and ``signed_in_doctor`` sign in through the real
``/sign-in`` view against it. The answers' bodies and the other helpers are in
``helpers``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from django.core.cache import cache
from django.test import Client

from common.http import default_token_provider
from common.request_id import set_request_id
from common.testing import StubServer, user_token
from portal.web.tests.helpers import (
    PASSWORD,
    SERVICES,
    FakeServiceTokenProvider,
    forget_clients,
    forget_requests,
)


@pytest.fixture(autouse=True)
def fresh_clients() -> Iterator[None]:
    """Forget cached API clients, the token provider, the cache (sessions live there) and ids."""
    forget_clients()
    cache.clear()
    set_request_id(None)
    yield
    forget_clients()
    cache.clear()
    set_request_id(None)


@pytest.fixture(autouse=True)
def service_tokens(settings) -> type[FakeServiceTokenProvider]:
    """The fake service-token provider, wired in through ``settings.SERVICE_TOKEN_PROVIDER``."""
    settings.SERVICE_TOKEN_PROVIDER = "portal.web.tests.helpers.FakeServiceTokenProvider"
    FakeServiceTokenProvider.audiences.clear()
    FakeServiceTokenProvider.invalidated.clear()
    default_token_provider.cache_clear()
    return FakeServiceTokenProvider


@pytest.fixture
def api(stub_server: StubServer, settings) -> StubServer:
    """One stub HTTP server standing in for every service (``settings.SERVICE_URLS``)."""
    settings.SERVICE_URLS = dict.fromkeys(SERVICES, stub_server.url)
    forget_clients()
    return stub_server


@pytest.fixture
def sign_in(api: StubServer) -> Callable[..., Client]:
    """``sign_in(role, **options)`` → a test client signed in through the real ``/sign-in``.

    The client has ``person_id``, ``email``, ``full_name``, ``access`` and
    ``refresh`` attributes; the stub's request log is emptied afterwards.
    ``profile_zone`` is the profile's time zone (doctors; default Europe/London),
    ``browser_zone`` what the browser said at sign-in, ``lifetime`` the access
    token's seconds to live.
    """

    def factory(
        role: str = "patient",
        *,
        person_id: uuid.UUID | None = None,
        full_name: str | None = None,
        profile_zone: str | None = None,
        browser_zone: str = "",
        lifetime: int = 600,
        client: Client | None = None,
    ) -> Client:
        client = client or Client()
        person_id = person_id or uuid.uuid4()
        full_name = full_name or ("Dr Grace Hopper" if role == "doctor" else "Ada Lovelace")
        if role == "doctor" and profile_zone is None:
            profile_zone = "Europe/London"
        email = f"{role}-{person_id.hex[:8]}@example.com"
        access = user_token(person_id, role, lifetime=lifetime)
        refresh = f"refresh-{uuid.uuid4().hex}"
        api.route("POST", "/api/v1/auth/token", json={"access": access, "refresh": refresh})
        api.route(
            "GET",
            "/api/v1/profiles/me/",
            json={
                "id": str(person_id),
                "role": role,
                "full_name": full_name,
                "timezone": profile_zone,
            },
        )
        response = client.post(
            "/sign-in", {"email": email, "password": PASSWORD, "time_zone": browser_zone}
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        client.person_id = person_id
        client.email = email
        client.full_name = full_name
        client.access = access
        client.refresh = refresh
        forget_requests(api)
        return client

    return factory


@pytest.fixture
def signed_in_patient(sign_in) -> Client:
    """A test client signed in as a patient (``.person_id`` set), clinic time zone."""
    return sign_in("patient")


@pytest.fixture
def signed_in_doctor(sign_in) -> Client:
    """A test client signed in as a doctor (``.person_id`` set), profile zone Europe/London."""
    return sign_in("doctor")
