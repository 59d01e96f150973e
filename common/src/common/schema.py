"""drf-spectacular glue: the bearer scheme, the public/internal split and shared schema bits."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers

from common.errors import Problem, ServiceUnavailable, problem_body


class JWTAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "common.auth.JWTAuthentication"
    # Subclasses (auth_service's AccountJWTAuthentication) read the same bearer token.
    match_subclasses = True
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "An access token from `POST /api/v1/auth/token` (or a service token "
            "from `POST /api/v1/auth/service-token` for `/internal/` endpoints).",
        }


ProblemSerializer = inline_serializer(
    name="Problem",
    fields={
        "type": serializers.URLField(),
        "title": serializers.CharField(),
        "status": serializers.IntegerField(),
        "detail": serializers.CharField(),
        "code": serializers.CharField(),
        "request_id": serializers.CharField(allow_null=True),
        "errors": serializers.ListField(
            child=inline_serializer(
                name="FieldError",
                fields={
                    "field": serializers.CharField(),
                    "code": serializers.CharField(),
                    "detail": serializers.CharField(),
                },
            ),
            required=False,
        ),
    },
)


EXAMPLE_REQUEST_ID = "3f2a9c4e5b6d4e0f8a1b2c3d4e5f6a7b"
EXAMPLE_FIELD_ERROR = {
    "field": "email",
    "code": "invalid",
    "detail": "Enter a valid email address.",
}
VALIDATION_CODE = "validation-error"


# When the general exceptions are raised, unless a view says better.
_DEFAULT_WHEN: dict[type[exceptions.APIException], str] = {
    exceptions.ValidationError: "Invalid input",
    exceptions.NotAuthenticated: "Missing, invalid or expired token",
    exceptions.AuthenticationFailed: "Missing, invalid or expired token",
    exceptions.PermissionDenied: "Not allowed for this token",
    exceptions.NotFound: "Not found",
    exceptions.Throttled: "Too many requests",
    ServiceUnavailable: "A dependency is unavailable",
}

# An exception class, or an exception class with the sentence that says when a view raises it.
ProblemSource = type[exceptions.APIException] | tuple[type[exceptions.APIException], str]


def problem_example(exception: type[exceptions.APIException]) -> dict[str, Any]:
    """The problem document ``common.errors.exception_handler`` renders for ``exception``.

    A ``Problem`` carries its own code and title; DRF's validation errors list
    their fields; DRF's other exceptions get the code and title of their status.
    """
    detail = str(exception.default_detail)
    if issubclass(exception, Problem):
        body = problem_body(
            exception.status_code, code=exception.code, title=exception.title, detail=detail
        )
    elif issubclass(exception, exceptions.ValidationError):
        body = problem_body(
            exception.status_code,
            code=VALIDATION_CODE,
            title="Invalid input",
            detail="One or more fields are invalid.",
            errors=[EXAMPLE_FIELD_ERROR],
        )
    else:
        body = problem_body(exception.status_code, detail=detail)
    body["request_id"] = EXAMPLE_REQUEST_ID
    return body


def _when(exception: type[exceptions.APIException]) -> str:
    """The default sentence for ``exception``: a general one's, else its default detail."""
    return _DEFAULT_WHEN.get(exception) or str(exception.default_detail).rstrip(".")


def problem_for(*sources: ProblemSource) -> dict[int, OpenApiResponse]:
    """Document the problem answers of an operation from the exceptions it raises.

    Each source is a ``Problem`` subclass (or one of DRF's exceptions), or a
    pair of the class and a sentence saying when the view raises it. The
    answers are grouped by status: each status gets the problem schema, a
    description listing its codes with their sentences, and one example per
    code, exactly as the exception handler renders it. Meant to be unpacked
    into ``extend_schema(responses={200: ..., **problem_for(...)})``.
    """
    by_status: dict[int, dict[str, tuple[str, dict[str, Any]]]] = {}
    for source in sources:
        exception, when = source if isinstance(source, tuple) else (source, _when(source))
        example = problem_example(exception)
        by_status.setdefault(example["status"], {}).setdefault(example["code"], (when, example))
    return {status: _grouped_response(status, cases) for status, cases in sorted(by_status.items())}


def _grouped_response(status: int, cases: dict[str, tuple[str, dict[str, Any]]]) -> OpenApiResponse:
    """One status's answer: the problem schema, its codes described and each one's example."""
    if len(cases) == 1:
        [(code, (when, _))] = cases.items()
        description = f"{when} (`{code}`)"
    else:
        description = "\n".join(f"- `{code}`: {when}" for code, (when, _) in cases.items())
    return OpenApiResponse(
        response=ProblemSerializer,
        description=description,
        examples=[
            OpenApiExample(code, value=example, response_only=True, status_codes=[str(status)])
            for code, (_, example) in cases.items()
        ],
    )


def problem_media_type_hook(result, generator, request, public):
    """Document problem answers as ``application/problem+json``, the type they are sent with."""
    for item in result.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for response in operation.get("responses", {}).values():
                content = response.get("content", {})
                body = content.get("application/json")
                if body and body.get("schema", {}).get("$ref", "").endswith("/Problem"):
                    content["application/problem+json"] = content.pop("application/json")
    return result


INTERNAL_PREFIX = "/internal/"


def public_endpoints_only(endpoints, **kwargs):  # noqa: ARG001 - drf-spectacular hook signature
    """Preprocessing hook of ``/api/schema/``: leave out the service-to-service endpoints."""
    return [endpoint for endpoint in endpoints if not endpoint[0].startswith(INTERNAL_PREFIX)]


def internal_endpoints_only(endpoints, **kwargs):  # noqa: ARG001
    """Preprocessing hook of ``/internal/schema/``: only the service-to-service endpoints."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(INTERNAL_PREFIX)]


def internal_title_hook(result, generator, request, public):  # noqa: ARG001
    """Postprocessing hook: name the internal schema as such."""
    result["info"]["title"] += " (internal, service tokens only)"
    result["info"]["description"] = (
        "Service-to-service endpoints under `/internal/v1/`: they accept only a service "
        "token from the client-credentials grant whose `aud` is this service and whose "
        "`scope` covers the call. Route them only inside the clinic's network."
    )
    return result


# The operators' schema (`/internal/schema/`, `manage.py spectacular --custom-settings ...`).
INTERNAL_SCHEMA_SETTINGS = {
    "PREPROCESSING_HOOKS": ["common.schema.internal_endpoints_only"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "common.schema.problem_media_type_hook",
        "common.schema.internal_title_hook",
    ],
}
