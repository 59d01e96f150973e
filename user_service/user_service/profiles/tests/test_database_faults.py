"""Database faults from the outside: a statement timeout on every connection, and a query past it is a 503."""

import socket
import threading
import time
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


def _pooled_connection(alias: str, size: int = 1, timeout: float = 30.0):
    """A connection of the services' PostgreSQL backend with a pool of ``size`` (one per thread)."""
    from common.postgresql.base import DatabaseWrapper

    pool = {"min_size": 1, "max_size": size, "timeout": timeout}
    settings_dict = {
        **connection.settings_dict,
        "OPTIONS": {**connection.settings_dict["OPTIONS"], "pool": pool},
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
        assert wrapper.pool._check is None  # the wrapper checks, not the pool
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


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_pool_whose_connections_all_died_together_lends_a_fresh_one_at_once(monkeypatch):
    """Every idle connection ended (a failover): the first dead one sends the rest to be replaced.

    psycopg_pool's own check sleeps a second, then two, after each dead
    connection: with four dead ones and a 2-second pool timeout, that is a
    PoolTimeout (a 503) although the database is up.
    """
    from common.postgresql import base

    size = 4
    wrapper = _pooled_connection("pooled-all-dead", size=size, timeout=2.0)
    try:
        pool = wrapper.pool
        pool.open(wait=True)
        held = [pool.getconn() for _ in range(size)]
        pids = {conn.info.backend_pid for conn in held}
        for conn in held:
            pool.putconn(conn)
        assert len(pids) == size and pool.get_stats()["pool_available"] == size
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", [list(pids)]
            )
        monkeypatch.setattr(base, "CHECK_IDLE_AFTER_SECONDS", 0.0)

        assert _backend_pid(wrapper) not in pids  # no PoolTimeout, no dead connection lent
        wrapper.close()
        assert pool.get_stats()["connections_lost"] >= size - 1  # the rest went with the first
    finally:
        wrapper.close()
        wrapper.close_pool()


def _closed_port() -> int:
    """A local port nothing listens on (bound, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.postgres
@pytest.mark.django_db
def test_once_a_wait_for_a_connection_ran_out_the_next_waits_are_short_until_one_succeeds(
    monkeypatch,
):
    """The database unreachable: after one full DB_POOL_TIMEOUT, requests wait a moment only.

    The pool's connections go to a port nothing listens on (as a database
    that is down), then back to the database.
    """
    from common.postgresql import base

    wrapper = _pooled_connection("pooled-unreachable", size=1, timeout=1.0)
    try:
        pool = wrapper.pool
        pid = _backend_pid(wrapper)
        wrapper.close()
        reachable = pool.kwargs
        pool.kwargs = {**reachable, "host": "127.0.0.1", "port": _closed_port()}
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        monkeypatch.setattr(base, "CHECK_IDLE_AFTER_SECONDS", 0.0)

        with pytest.raises(OperationalError):
            _backend_pid(wrapper)  # the dead connection is dropped; no new one can be made
        assert pool.timeout == base.UNREACHABLE_WAIT_SECONDS
        with pytest.raises(OperationalError):
            _backend_pid(wrapper)
        assert pool.timeout == base.UNREACHABLE_WAIT_SECONDS

        pool.kwargs = reachable
        pids = []

        def reads_again() -> bool:
            try:
                pids.append(_backend_pid(wrapper))
            except OperationalError:
                return False
            return True

        assert any(reads_again() or time.sleep(0.2) for _ in range(50)), "never read again"
        assert pids[-1] != pid
        assert pool.timeout == 1.0  # DB_POOL_TIMEOUT again
    finally:
        wrapper.close()
        wrapper.close_pool()


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_pool_that_ran_out_under_load_keeps_its_full_wait():
    """Every connection lent (DB_POOL_MAX under the threads) is no outage: the wait stays."""
    wrapper = _pooled_connection("pooled-busy", size=1, timeout=0.5)
    try:
        pool = wrapper.pool
        pool.open(wait=True)
        busy = pool.getconn()  # another thread's
        try:
            with pytest.raises(OperationalError):
                _backend_pid(wrapper)
            assert pool.timeout == 0.5
        finally:
            pool.putconn(busy)
        assert _backend_pid(wrapper) == busy.info.backend_pid
    finally:
        wrapper.close()
        wrapper.close_pool()
