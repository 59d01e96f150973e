"""The fixtures ``pytest_plugins = ["common.testing"]`` brings to every service's tests."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from common.testing.clients import BearerClient, sign_in_to_admin
from common.testing.keys import TestRevocations
from common.testing.people import FakePeople
from common.testing.stub_server import StubServer
from common.testing.tokens import service_token, user_token


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "postgres: needs PostgreSQL (skipped elsewhere; fails instead with REQUIRE_POSTGRES=1)",
    )


@pytest.fixture(autouse=True)
def _postgres_only(request: pytest.FixtureRequest) -> None:
    """Skip ``@pytest.mark.postgres`` tests off PostgreSQL; fail them if REQUIRE_POSTGRES=1.

    CI sets REQUIRE_POSTGRES=1, so a race test can never pass by not running.
    """
    if request.node.get_closest_marker("postgres") is None:
        return
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail(f"REQUIRE_POSTGRES=1 but the test database is {connection.vendor}.")
    pytest.skip("needs PostgreSQL (set DATABASE_URL to a postgres:// URL)")


@pytest.fixture
def revocations() -> Iterator[dict[str, int]]:
    """``revocations[user_id] = unix_time``: that user's access tokens issued earlier are refused."""
    TestRevocations.entries.clear()
    yield TestRevocations.entries
    TestRevocations.entries.clear()


@pytest.fixture
def admin_client(client: Any, db: None) -> Any:
    """A clinic-admin signed in to the admin (replaces pytest-django's, which has no SSO session)."""
    return sign_in_to_admin(client, email="admin@clinic.example", groups=["clinic-admin"])


@pytest.fixture
def staff_admin_client(db: None) -> Callable[..., Any]:
    """``staff_admin_client(*groups)`` → a test client signed in to the admin with those groups."""
    from django.test import Client

    def factory(*groups: str) -> Any:
        return sign_in_to_admin(
            Client(), email=f"{'-'.join(groups) or 'none'}@clinic.example", groups=groups
        )

    return factory


@pytest.fixture
def anon_client() -> BearerClient:
    return BearerClient()


@pytest.fixture
def make_client() -> Callable[..., BearerClient]:
    """``make_client(role, user_id=None)`` → a client with a user's token (``.user_id`` set)."""

    def factory(role: str, user_id: uuid.UUID | None = None) -> BearerClient:
        user_id = user_id or uuid.uuid4()
        client = BearerClient(user_token(user_id, role))
        client.user_id = user_id
        return client

    return factory


@pytest.fixture
def service_client() -> Callable[..., BearerClient]:
    """``service_client(scope, client_id="tester")`` → a client with a service token."""

    def factory(scope: str, client_id: str = "tester") -> BearerClient:
        return BearerClient(service_token(client_id, scope))

    return factory


@pytest.fixture
def stub_server() -> Iterator[StubServer]:
    """A ``StubServer`` that is stopped after the test."""
    server = StubServer()
    yield server
    server.stop()


@pytest.fixture
def fake_people(monkeypatch: pytest.MonkeyPatch) -> FakePeople:
    """``common.people`` faked by a ``FakePeople`` directory (empty until the test fills it)."""
    fake = FakePeople()
    monkeypatch.setattr("common.people.people_get", fake.people_get)
    monkeypatch.setattr("common.people.people_search", fake.people_search)
    return fake
