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
