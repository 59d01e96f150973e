"""Tests of common.health: liveness and readiness."""

import pytest
from django.db import OperationalError, connection


def test_healthz_answers_200_json_without_a_database(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "service": "common_tests"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_answers_200_when_the_database_answers(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready", "service": "common_tests"}


@pytest.mark.django_db
def test_readyz_answers_503_problem_when_the_database_fails(client, monkeypatch, caplog):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("could not connect to server: password=hunter2")

    monkeypatch.setattr(connection, "cursor", broken_cursor)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "dependency-unavailable"
    assert body["detail"] == "Database 'default' does not answer."
    assert body["request_id"] == response["X-Request-ID"]
    assert b"hunter2" not in response.content
    assert any(r.name == "common.health" and r.exc_info for r in caplog.records)


def test_behind_tls_a_request_forwarded_as_https_gets_hsts(client, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 3600

    secure = client.get("/healthz", HTTP_X_FORWARDED_PROTO="https")
    plain = client.get("/healthz")

    assert secure["Strict-Transport-Security"] == "max-age=3600"
    assert "Strict-Transport-Security" not in plain
