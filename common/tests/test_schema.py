"""Tests of common.schema: the bearer scheme and the documented problem answers."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from common.schema import FORBIDDEN, UNAVAILABLE, problem


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_jwt_authentication_is_documented_as_a_bearer_scheme(schema):
    scheme = schema["components"]["securitySchemes"]["bearerAuth"]

    assert scheme["type"] == "http"
    assert scheme["scheme"] == "bearer"
    assert scheme["bearerFormat"] == "JWT"
    assert {"bearerAuth": []} in schema["paths"]["/documented"]["get"]["security"]


def test_documented_problem_answers_use_the_problem_schema(schema):
    responses = schema["paths"]["/documented"]["get"]["responses"]

    unauthorized = responses["401"]["content"]["application/problem+json"]
    assert "application/json" not in responses["401"]["content"]
    assert unauthorized["schema"] == {"$ref": "#/components/schemas/Problem"}
    example = unauthorized["examples"]["Not-authenticated"]["value"]
    assert example["status"] == 401
    assert example["code"] == "not-authenticated"
    assert "errors" not in example
    assert set(schema["components"]["schemas"]["Problem"]["properties"]) >= {
        "type",
        "title",
        "status",
        "detail",
        "code",
        "request_id",
        "errors",
    }


def test_validation_problem_example_lists_field_errors():
    response = problem("Invalid input")

    [example] = response.examples
    assert example.value["status"] == 400
    assert example.value["errors"][0]["field"] == "email"
    assert example.status_codes == ["400"]


@pytest.mark.parametrize(("response", "status"), [(FORBIDDEN, 403), (UNAVAILABLE, 503)])
def test_shared_problem_answers_have_their_status(response, status):
    assert response.examples[0].value["status"] == status


def test_public_schema_leaves_out_internal_endpoints(client):
    response = client.get("/api/schema/", {"format": "json"})

    paths = response.json()["paths"]
    assert "/documented" in paths
    assert not [path for path in paths if path.startswith("/internal/")]


@pytest.mark.django_db
def test_internal_schema_documents_only_internal_endpoints_for_staff(client, django_user_model):
    client.force_login(django_user_model.objects.create(username="ops", is_staff=True))

    response = client.get("/internal/schema/", {"format": "json"})

    assert response.status_code == 200
    body = response.json()
    assert list(body["paths"]) == ["/internal/v1/echo"]
    assert body["info"]["title"].endswith("(internal, service tokens only)")
    assert client.get("/internal/docs/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("is_staff", [None, False])
def test_internal_schema_is_refused_to_anyone_but_staff(client, django_user_model, is_staff):
    if is_staff is not None:
        client.force_login(django_user_model.objects.create(username="someone", is_staff=is_staff))

    response = client.get("/internal/schema/", {"format": "json"})

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert b"/internal/v1/echo" not in response.content
