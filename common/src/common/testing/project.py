"""Project-level checks every API service's tests run: health, schema and docs, error handlers.

A service's ``test_project.py`` subclasses ``ProjectChecks`` (and
``InternalSchemaChecks`` when it has ``/internal/v1/`` endpoints) as a
``Test...`` class naming its service and its endpoints; the checks run as that
class's tests, with the database (``django_db``) at hand.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from django.core.management import call_command

from common.testing.problems import assert_problem

OPENAPI_JSON = "application/vnd.oai.openapi+json"


def paginated_without_404(schema: dict[str, Any]) -> list[str]:
    """The paged operations of ``schema`` that do not document 404 (a page past the end)."""
    return [
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict)
        and any(p["in"] == "query" and p["name"] == "page" for p in operation.get("parameters", []))
        and "404" not in operation["responses"]
    ]


@pytest.mark.django_db
class ProjectChecks:
    """The service answers health checks, serves its documented schema and answers problems."""

    service: ClassVar[str]
    public_paths: ClassVar[set[str]]

    def test_healthz_and_readyz(self, anon_client: Any) -> None:
        health = anon_client.get("/healthz")
        assert (health.status_code, health.json()["service"]) == (200, self.service)
        assert anon_client.get("/readyz").json()["status"] == "ready"

    @pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/", "/api/redoc/"])
    def test_schema_and_docs_are_served_without_a_token(self, anon_client: Any, url: str) -> None:
        assert anon_client.get(url).status_code == 200

    def public_schema(self, anon_client: Any) -> dict[str, Any]:
        """The public OpenAPI schema, as anyone gets it."""
        return anon_client.get("/api/schema/", HTTP_ACCEPT=OPENAPI_JSON).json()

    def test_schema_names_every_endpoint(self, anon_client: Any) -> None:
        assert set(self.public_schema(anon_client)["paths"]) == self.public_paths

    def test_every_paged_operation_documents_a_page_past_the_end(self, anon_client: Any) -> None:
        assert paginated_without_404(self.public_schema(anon_client)) == []

    def test_schema_is_valid_without_warnings(self, tmp_path: Any) -> None:
        schema_file = str(tmp_path / "schema.yaml")
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", schema_file)

    def test_unknown_url_is_a_problem(self, anon_client: Any) -> None:
        assert_problem(anon_client.get("/no/such/page"), 404)


@pytest.mark.django_db
class InternalSchemaChecks:
    """The ``/internal/v1/`` endpoints have their own schema, shown to staff."""

    internal_paths: ClassVar[set[str]]

    def internal_schema(self, client: Any, django_user_model: Any) -> dict[str, Any]:
        """The internal schema as a staff member signed in to the admin gets it."""
        client.force_login(django_user_model.objects.create(username="ops", is_staff=True))
        return client.get("/internal/schema/", HTTP_ACCEPT=OPENAPI_JSON).json()

    def test_internal_endpoints_have_their_own_schema_for_staff(
        self, client: Any, django_user_model: Any
    ) -> None:
        schema = self.internal_schema(client, django_user_model)
        assert set(schema["paths"]) == self.internal_paths

    def test_every_paged_internal_operation_documents_a_page_past_the_end(
        self, client: Any, django_user_model: Any
    ) -> None:
        assert paginated_without_404(self.internal_schema(client, django_user_model)) == []
