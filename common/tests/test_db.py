"""Tests of common.db: a database fault is a 503 with Retry-After, and a read that lost its connection runs once more."""

from __future__ import annotations

import logging

import pytest
from django.db import InterfaceError, OperationalError

from common import db
from common.errors import PROBLEM_CONTENT_TYPE
from tests import views


@pytest.fixture
def faults(monkeypatch, client):
    """Scripted database faults for the views of tests.views; the connection counts as lost.

    The test client answers as a server does (Django's handler500) instead of raising.
    """
    client.raise_request_exception = False
    views.DB_FAULTS.clear()
    views.DB_CALLS.clear()
    lost = {"value": True}
    monkeypatch.setattr(db, "connection_lost", lambda: lost["value"])
    yield views.DB_FAULTS, lost
    views.DB_FAULTS.clear()
    views.DB_CALLS.clear()


def assert_database_unavailable(response) -> dict:
    assert response.status_code == 503, response.content
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    assert response["Retry-After"] == "2"
    body = response.json()
    assert body["code"] == "database-unavailable"
    assert body["request_id"] == response["X-Request-ID"]
    assert "Traceback" not in body["detail"] and "terminating" not in body["detail"]
    return body


@pytest.mark.parametrize("path", ["/db-fault", "/plain-db-fault"])
def test_a_read_whose_connection_died_is_answered_by_a_second_try(client, faults, path, caplog):
    scripted, _ = faults
    scripted.append(OperationalError("terminating connection due to administrator command"))

    with caplog.at_level(logging.WARNING):
        response = client.get(path)

    assert response.status_code == 200, response.content
    assert views.DB_CALLS == ["GET", "GET"]
    assert "retrying once" in caplog.text


@pytest.mark.parametrize("path", ["/db-fault", "/plain-db-fault"])
def test_a_read_is_retried_only_once(client, faults, path):
    scripted, _ = faults
    scripted.extend([OperationalError("gone"), InterfaceError("connection already closed")])

    response = client.get(path)

    assert_database_unavailable(response)
    assert views.DB_CALLS == ["GET", "GET"]


@pytest.mark.parametrize("path", ["/db-fault", "/plain-db-fault"])
def test_a_write_that_lost_its_connection_is_a_503_and_is_not_repeated(client, faults, path):
    scripted, _ = faults
    scripted.append(OperationalError("server closed the connection unexpectedly"))

    response = client.post(path, {}, content_type="application/json")

    assert_database_unavailable(response)
    assert views.DB_CALLS == ["POST"]


def test_a_fault_of_a_live_connection_is_not_retried(client, faults, caplog):
    """A statement timeout or a pool timeout: trying again would only wait as long once more."""
    scripted, lost = faults
    lost["value"] = False
    scripted.append(OperationalError("canceling statement due to statement timeout"))

    with caplog.at_level(logging.WARNING):
        response = client.get("/db-fault")

    assert_database_unavailable(response)
    assert views.DB_CALLS == ["GET"]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR and r.exc_info]
    assert len(errors) == 1  # logged once, with the exception


def test_is_database_fault_knows_faults_from_other_errors():
    from django.db import IntegrityError

    assert db.is_database_fault(OperationalError("x"))
    assert db.is_database_fault(InterfaceError("x"))
    assert not db.is_database_fault(IntegrityError("x"))
    assert not db.is_database_fault(RuntimeError("x"))
    assert not db.is_database_fault(None)


class FakeRaw:
    def __init__(self, *, broken=False, closed=False):
        self.broken, self.closed = broken, closed


class FakeWrapper:
    def __init__(self, raw):
        self.connection = raw
        self.closed_by_us = False

    def close(self):
        self.closed_by_us = True
        self.connection = None


@pytest.mark.parametrize(
    ("raw", "lost"),
    [
        (None, False),
        (FakeRaw(), False),
        (FakeRaw(broken=True), True),
        (FakeRaw(closed=True), True),
        (object(), False),  # a driver without the flags (SQLite) never counts as lost
    ],
)
def test_connection_lost_and_discard_see_only_broken_connections(monkeypatch, raw, lost):
    healthy, wrapper = FakeWrapper(FakeRaw()), FakeWrapper(raw)
    monkeypatch.setattr(db.connections, "all", lambda initialized_only=False: [healthy, wrapper])

    assert db.connection_lost() is lost
    db.discard_broken_connections()

    assert wrapper.closed_by_us is lost
    assert healthy.closed_by_us is False
