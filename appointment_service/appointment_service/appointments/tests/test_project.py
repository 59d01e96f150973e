"""Project-level wiring: health, schema and docs, error handlers."""

import pytest
from django.core.management import call_command

from common.testing import assert_problem

pytestmark = pytest.mark.django_db


def test_healthz_and_readyz(anon_client):
    health = anon_client.get("/healthz")
    assert (health.status_code, health.json()["service"]) == (200, "appointment_service")
    assert anon_client.get("/readyz").json()["status"] == "ready"


@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/", "/api/redoc/"])
def test_schema_and_docs_are_served_without_a_token(anon_client, url):
    assert anon_client.get(url).status_code == 200


def test_schema_names_every_endpoint(anon_client):
    schema = anon_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert set(schema["paths"]) == {
        "/api/v1/appointments/",
        "/api/v1/appointments/{id}/",
        "/api/v1/appointments/{id}/reschedule",
        "/api/v1/appointments/{id}/cancel",
        "/api/v1/appointments/{id}/complete",
        "/api/v1/appointments/{id}/history",
        "/api/v1/appointments/{id}/ics",
    }


def test_schema_is_valid_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))


def test_unknown_url_is_a_problem(anon_client):
    assert_problem(anon_client.get("/no/such/page"), 404)


def test_unexpected_errors_are_a_bare_500(make_client, monkeypatch):
    from appointment_service.appointments import selectors

    def crash(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(selectors, "appointment_list_for_user", crash)
    response = make_client("patient").get("/api/v1/appointments/")
    body = assert_problem(response, 500)
    assert "secret" not in response.content.decode()
    assert body["code"] == "server-error"
