"""Database faults from the outside: a statement timeout on every connection, and a query past it is a 503."""

import threading
import uuid

import psycopg
import pytest
from django.db import connection

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
