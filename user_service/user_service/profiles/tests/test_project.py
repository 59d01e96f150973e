"""Project-level wiring: health, schema and docs, error handlers."""

import pytest
from django.core.management import call_command

from common.testing import assert_problem

pytestmark = pytest.mark.django_db


def test_healthz_and_readyz(anon_client):
    health = anon_client.get("/healthz")
    assert (health.status_code, health.json()["service"]) == (200, "user_service")
    assert anon_client.get("/readyz").json()["status"] == "ready"


@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/", "/api/redoc/"])
def test_schema_and_docs_are_served_without_a_token(anon_client, url):
    assert anon_client.get(url).status_code == 200


def test_schema_names_every_endpoint(anon_client):
    schema = anon_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert set(schema["paths"]) == {
        "/api/v1/specialties/",
        "/api/v1/doctors/",
        "/api/v1/doctors/{id}/",
        "/api/v1/doctors/{id}/approve",
        "/api/v1/profiles/me/",
    }


def test_internal_endpoints_have_their_own_schema_for_staff(client, django_user_model):
    client.force_login(django_user_model.objects.create(username="ops", is_staff=True))

    schema = client.get("/internal/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    assert set(schema["paths"]) == {
        "/internal/v1/profiles/",
        "/internal/v1/profiles/{user_id}/",
    }


def test_schema_is_valid_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))


def test_unknown_url_is_a_problem(anon_client):
    assert_problem(anon_client.get("/no/such/page"), 404)
