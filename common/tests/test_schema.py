"""Tests of common.schema: the bearer scheme and the documented problem answers."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework import exceptions

from common.errors import Conflict, Problem, ServiceUnavailable, problem_body
from common.schema import EXAMPLE_REQUEST_ID, problem_example, problem_for


class Taken(Problem):
    status_code = 409
    code = "thing-taken"
    title = "Thing taken"
    default_detail = "Someone else has the thing."


class Gone(Problem):
    status_code = 404
    code = "thing-gone"
    title = "Thing gone"
    default_detail = "No thing has this id."


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


def test_problem_example_is_what_the_exception_handler_renders():
    example = problem_example(Taken)

    assert example == problem_body(
        409, code="thing-taken", title="Thing taken", detail="Someone else has the thing."
    ) | {"request_id": EXAMPLE_REQUEST_ID}


@pytest.mark.parametrize(
    ("exception", "status", "code"),
    [
        (exceptions.NotAuthenticated, 401, "not-authenticated"),
        (exceptions.PermissionDenied, 403, "permission-denied"),
        (exceptions.NotFound, 404, "not-found"),
        (exceptions.Throttled, 429, "throttled"),
        (ServiceUnavailable, 503, "dependency-unavailable"),
    ],
)
def test_problem_example_of_a_general_exception_has_its_status_code(exception, status, code):
    example = problem_example(exception)

    assert (example["status"], example["code"]) == (status, code)
    assert example["type"].endswith(code)
    assert "errors" not in example


def test_problem_example_of_a_validation_error_lists_field_errors():
    example = problem_example(exceptions.ValidationError)

    assert (example["status"], example["code"], example["title"]) == (
        400,
        "validation-error",
        "Invalid input",
    )
    assert example["errors"][0]["field"] == "email"


def test_problem_for_groups_the_codes_by_status():
    responses = problem_for(Taken, exceptions.NotFound, Conflict, Gone, exceptions.NotAuthenticated)

    assert list(responses) == [401, 404, 409]
    assert [e.name for e in responses[404].examples] == ["not-found", "thing-gone"]
    assert [e.name for e in responses[409].examples] == ["thing-taken", "conflict"]
    for status, response in responses.items():
        assert {e.value["status"] for e in response.examples} == {status}
        assert {tuple(e.status_codes) for e in response.examples} == {(str(status),)}
        assert all(e.response_only for e in response.examples)


def test_problem_for_describes_each_code_with_when_it_happens():
    responses = problem_for(
        Gone, (exceptions.NotFound, "No such page"), exceptions.NotAuthenticated, Taken
    )

    assert responses[404].description == (
        "- `thing-gone`: No thing has this id\n- `not-found`: No such page"
    )
    assert responses[401].description == "Missing, invalid or expired token (`not-authenticated`)"
    assert responses[409].description == "Someone else has the thing (`thing-taken`)"


def test_problem_for_documents_a_code_once():
    [response] = problem_for((Taken, "First"), (Taken, "Second")).values()

    assert response.description == "First (`thing-taken`)"
    assert len(response.examples) == 1


def test_grouped_problem_answers_show_every_code_in_the_schema(schema):
    responses = schema["paths"]["/documented"]["post"]["responses"]

    assert set(responses) == {"201", "400", "401", "409", "413"}
    conflict = responses["409"]["content"]["application/problem+json"]
    assert conflict["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert conflict["examples"]["Conflict"]["value"]["code"] == "conflict"
    assert responses["409"]["description"] == "The number is taken (`conflict`)"
    invalid = responses["400"]["content"]["application/problem+json"]["examples"]
    assert invalid["Validation-error"]["value"]["errors"]
    too_large = responses["413"]["content"]["application/problem+json"]["examples"]
    assert too_large["Payload-too-large"]["value"]["status"] == 413


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
