"""Database faults from the outside: a statement timeout on every connection, and a query past it is a 503."""

import threading
import uuid

import psycopg
import pytest
from django.db import OperationalError, connection

from common.testing import BearerClient, user_token
from user_service.profiles.models import Doctor

DOCTORS_URL = "/api/v1/doctors/"


@pytest.mark.postgres
@pytest.mark.django_db
def test_every_connection_has_the_statement_timeout_of_the_settings():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "15s"  # DB_STATEMENT_TIMEOUT's default


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_query_past_the_statement_timeout_is_a_503_and_the_next_one_works():
    """A table locked by someone else: the read waits, is cancelled, and answers a clear 503."""
    params = connection.get_connection_params()
    locked, release = threading.Event(), threading.Event()

    def hold_the_lock() -> None:
        with psycopg.connect(
            dbname=params["dbname"],
            user=params.get("user"),
            host=params.get("host"),
            port=params.get("port"),
            password=params.get("password"),
        ) as other:
            other.execute(f"LOCK TABLE {Doctor._meta.db_table} IN ACCESS EXCLUSIVE MODE")
            locked.set()
            release.wait(10)

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    assert locked.wait(5)
    client = BearerClient(user_token(uuid.uuid4(), "patient"))
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = '300ms'")  # this connection only
        response = client.get(DOCTORS_URL)
    finally:
        release.set()
        holder.join()
        with connection.cursor() as cursor:
            cursor.execute("RESET statement_timeout")  # the test's clean-up must not meet it

    assert response.status_code == 503, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "2"
    body = response.json()
    assert body["code"] == "database-unavailable"
    assert body["request_id"] == response["X-Request-ID"]
    assert "statement" not in body["detail"]  # no database message reaches the client
    assert client.get(DOCTORS_URL).status_code == 200


def _pooled_connection(alias: str):
    """A connection of the services' PostgreSQL backend with a pool of one, as in production."""
    from common.postgresql.base import DatabaseWrapper

    settings_dict = {
        **connection.settings_dict,
        "OPTIONS": {**connection.settings_dict["OPTIONS"], "pool": {"min_size": 1, "max_size": 1}},
        "CONN_HEALTH_CHECKS": True,
        "CONN_MAX_AGE": 0,
    }
    return DatabaseWrapper(settings_dict, alias=alias)


def _backend_pid(wrapper) -> int:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("idle", [True, False])
def test_the_pool_tries_only_a_connection_that_sat_idle(monkeypatch, idle):
    """Ended while idle: dropped before it is lent. Ended within the last second: lent as it is."""
    from common.postgresql import base

    wrapper = _pooled_connection(f"pooled-{idle}")
    try:
        assert wrapper.pool._check is base.check_idle_connection
        pid = _backend_pid(wrapper)
        wrapper.close()  # back to the pool
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        monkeypatch.setattr(base, "CHECK_IDLE_AFTER_SECONDS", 0.0 if idle else 3600.0)
        if idle:
            assert _backend_pid(wrapper) != pid  # a fresh connection, no error
        else:
            with pytest.raises(OperationalError):
                _backend_pid(wrapper)  # trusted, and dead: the first query fails
    finally:
        wrapper.close()
        wrapper.close_pool()
