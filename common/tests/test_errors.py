"""Tests of common.errors: every error, from DRF, Django or our code, is a problem document."""

import json

import pytest
from django.core.exceptions import RequestDataTooBig
from django.test import RequestFactory, override_settings
from rest_framework import exceptions

from common.errors import (
    PROBLEM_CONTENT_TYPE,
    Conflict,
    Problem,
    bad_request,
    exception_handler,
    flatten_errors,
    page_not_found,
    permission_denied,
    problem_body,
    server_error,
)
from common.request_id import set_request_id


def problem_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    body = response.json()
    assert body["status"] == status
    assert body["type"] == "https://clinic.example/problems/" + body["code"]
    assert body["request_id"] == response["X-Request-ID"]
    return body


def test_problem_subclass_gives_its_status_code_title_detail_and_extra(client):
    body = problem_of(client.get("/problem"), 409)

    assert body == {
        "type": "https://clinic.example/problems/conflict",
        "title": "Conflict",
        "status": 409,
        "detail": "That is taken.",
        "code": "conflict",
        "request_id": body["request_id"],
        "holder": "someone",
    }


def test_problem_without_detail_uses_its_default_detail():
    class SlotGone(Problem):
        status_code = 410
        code = "slot-gone"
        title = "Slot gone"
        default_detail = "The slot no longer exists."

    response = exception_handler(SlotGone(), {})

    assert response.status_code == 410
    assert response.data["detail"] == "The slot no longer exists."
    assert response.data["code"] == "slot-gone"
    assert response.data["title"] == "Slot gone"
    assert "errors" not in response.data


def test_conflict_without_extra_has_no_extra_fields():
    response = exception_handler(Conflict(), {})

    assert set(response.data) == {"type", "title", "status", "detail", "code", "request_id"}


def test_drf_validation_error_lists_each_invalid_field(client):
    response = client.post(
        "/validate", {"name": "too long", "tags": [1, "x", 3, "y"]}, content_type="application/json"
    )

    body = problem_of(response, 400)
    assert body["code"] == "validation-error"
    assert body["title"] == "Invalid input"
    assert body["errors"] == [
        {
            "field": "name",
            "code": "max_length",
            "detail": "Ensure this field has no more than 5 characters.",
        },
        {"field": "tags[1]", "code": "invalid", "detail": "A valid integer is required."},
        {"field": "tags[3]", "code": "invalid", "detail": "A valid integer is required."},
    ]


def test_list_field_error_at_index_zero_names_the_index(client):
    response = client.post(
        "/validate", {"name": "ok", "tags": ["x"]}, content_type="application/json"
    )

    assert problem_of(response, 400)["errors"] == [
        {"field": "tags[0]", "code": "invalid", "detail": "A valid integer is required."}
    ]


def test_nested_and_list_serializer_errors_get_dotted_field_paths(client):
    response = client.post(
        "/validate-nested",
        {"owner": {"email": "nope"}, "items": [{"name": "much too long"}, {"name": "ok"}, {}]},
        content_type="application/json",
    )

    assert problem_of(response, 400)["errors"] == [
        {"field": "owner.email", "code": "invalid", "detail": "Enter a valid email address."},
        {
            "field": "items[0].name",
            "code": "max_length",
            "detail": "Ensure this field has no more than 5 characters.",
        },
        {"field": "items[2].name", "code": "required", "detail": "This field is required."},
    ]


def test_serializer_wide_error_is_a_non_field_error(client):
    response = client.post(
        "/validate-nested",
        {
            "owner": {"email": "a@example.com"},
            "items": [{"name": "a"}, {"name": "b"}, {"name": "c"}],
        },
        content_type="application/json",
    )

    assert problem_of(response, 400)["errors"] == [
        {"field": "non_field_errors", "code": "too-many", "detail": "Too many items."}
    ]


def test_missing_fields_are_reported_as_required(client):
    response = client.post("/validate", {}, content_type="application/json")

    assert problem_of(response, 400)["errors"] == [
        {"field": "name", "code": "required", "detail": "This field is required."},
        {"field": "tags", "code": "required", "detail": "This field is required."},
    ]


@pytest.mark.parametrize(
    ("detail", "expected"),
    [
        ("Bad.", [{"field": "non_field_errors", "code": "invalid", "detail": "Bad."}]),
        (
            ["One.", "Two."],
            [
                {"field": "non_field_errors", "code": "invalid", "detail": "One."},
                {"field": "non_field_errors", "code": "invalid", "detail": "Two."},
            ],
        ),
        (
            [{"a": ["x"]}, {"a": ["y"]}],
            [
                {"field": "0.a", "code": "invalid", "detail": "x"},
                {"field": "1.a", "code": "invalid", "detail": "y"},
            ],
        ),
        (
            {"outer": {"non_field_errors": ["z"]}},
            [{"field": "outer", "code": "invalid", "detail": "z"}],
        ),
        ({0: ["first"]}, [{"field": "0", "code": "invalid", "detail": "first"}]),
        ({"grid": [[], ["cell"]]}, [{"field": "grid[1]", "code": "invalid", "detail": "cell"}]),
    ],
)
def test_flatten_errors_turns_any_shape_into_a_flat_list(detail, expected):
    assert flatten_errors(exceptions.ValidationError(detail).detail) == expected


def test_django_validation_error_with_fields_is_400_with_field_errors(client):
    body = problem_of(client.get("/django-errors/validation"), 400)

    assert body["code"] == "validation-error"
    assert body["errors"] == [{"field": "when", "code": "invalid", "detail": "Pick a later date."}]


def test_django_validation_error_keeps_each_message_code(client):
    body = problem_of(client.get("/django-errors/validation-coded"), 400)

    assert body["errors"] == [
        {"field": "password", "code": "password_too_short", "detail": "Too short."}
    ]


def test_plain_django_validation_error_is_400_non_field_error(client):
    body = problem_of(client.get("/django-errors/validation-plain"), 400)

    assert body["errors"] == [{"field": "non_field_errors", "code": "invalid", "detail": "Nope."}]


def test_http404_is_404_problem(client):
    assert problem_of(client.get("/django-errors/missing"), 404)["code"] == "not-found"


def test_django_permission_denied_is_403_problem(client):
    assert problem_of(client.get("/django-errors/permission"), 403)["code"] == "permission-denied"


def test_request_data_too_big_raised_in_a_view_is_413_problem(client):
    assert problem_of(client.get("/django-errors/too-big"), 413)["code"] == "payload-too-large"


def test_unhandled_exception_is_a_bare_500_without_internals(client, caplog):
    response = client.get("/boom")

    body = problem_of(response, 500)
    assert body["code"] == "server-error"
    assert b"hunter2" not in response.content
    assert b"Traceback" not in response.content
    assert b"RuntimeError" not in response.content
    # The trace goes to the log instead.
    record = next(r for r in caplog.records if r.name == "common.errors")
    assert record.exc_info[0] is RuntimeError


def test_throttled_is_429_with_retry_after(client):
    response = client.get("/throttled")

    assert problem_of(response, 429)["code"] == "throttled"
    assert response["Retry-After"] == "7"


def test_malformed_json_body_is_400_problem(client):
    response = client.post("/validate", "{not json", content_type="application/json")

    body = problem_of(response, 400)
    assert body["code"] == "bad-request"
    assert "JSON" in body["detail"]


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100)
def test_body_larger_than_the_limit_is_413_before_the_view_runs(client):
    response = client.post(
        "/validate", json.dumps({"name": "x" * 200, "tags": []}), content_type="application/json"
    )

    body = problem_of(response, 413)
    assert body["code"] == "payload-too-large"
    assert "errors" not in body  # the view (and its serializer) never ran


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100)
def test_body_within_the_limit_is_served(client):
    response = client.post("/validate", {"name": "x", "tags": [1]}, content_type="application/json")

    assert response.status_code == 200, response.content


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=None)
def test_no_body_limit_lets_large_bodies_through(client):
    response = client.post(
        "/validate", {"name": "x", "tags": list(range(1000))}, content_type="application/json"
    )

    assert response.status_code == 200


def test_non_numeric_content_length_is_400_problem(client):
    response = client.post(
        "/validate", "{}", content_type="application/json", CONTENT_LENGTH="lots"
    )

    body = problem_of(response, 400)
    assert body["detail"] == "Content-Length is not a number."


def test_unknown_url_is_404_problem_from_handler404(client):
    body = problem_of(client.get("/no/such/page"), 404)

    assert body["detail"] == "No resource lives at this address."


@pytest.mark.parametrize("path", ["/no/such/page", "/plain-not-found/"])
def test_a_404_is_a_problem_without_internals_even_with_debug_on(client, settings, path):
    settings.DEBUG = True

    response = client.get(path)

    body = problem_of(response, 404)
    assert body["detail"] == "No resource lives at this address."
    assert b"urlpatterns" not in response.content
    assert b"internal detail" not in response.content


def test_a_missing_trailing_slash_is_still_redirected_with_debug_on(client, settings):
    settings.DEBUG = True

    response = client.get("/plain-not-found")

    assert response.status_code == 301
    assert response["Location"] == "/plain-not-found/"


def test_wrong_method_is_405_problem_with_allow(client):
    response = client.delete("/problem")

    assert problem_of(response, 405)["code"] == "method-not-allowed"
    assert "GET" in response["Allow"]


def test_unsupported_media_type_is_415_problem(client):
    response = client.post("/validate", "name=x", content_type="application/x-www-form-urlencoded")

    assert problem_of(response, 415)["code"] == "unsupported-media-type"


def test_incoming_request_id_is_carried_into_the_problem(client):
    response = client.get("/problem", HTTP_X_REQUEST_ID="trace-42")

    assert problem_of(response, 409)["request_id"] == "trace-42"


@pytest.mark.parametrize(
    ("handler", "args", "status", "code"),
    [
        (bad_request, (None,), 400, "bad-request"),
        (bad_request, (RequestDataTooBig(),), 413, "payload-too-large"),
        (permission_denied, (None,), 403, "permission-denied"),
        (page_not_found, (None,), 404, "not-found"),
        (server_error, (), 500, "server-error"),
    ],
)
def test_django_error_handlers_return_problem_json(request_id, handler, args, status, code):
    request_id("handler-id")

    response = handler(RequestFactory().get("/"), *args)

    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    body = json.loads(response.content)
    assert body["status"] == status
    assert body["code"] == code
    assert body["request_id"] == "handler-id"
    assert "Traceback" not in body["detail"]


def test_problem_body_of_an_unlisted_status_is_a_generic_error():
    set_request_id(None)

    body = problem_body(418, detail="short and stout")

    assert body["code"] == "error"
    assert body["title"] == "Error"
    assert body["request_id"] is None
