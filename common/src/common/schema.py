"""drf-spectacular glue: the bearer scheme, the public/internal split and shared schema bits."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, inline_serializer
from rest_framework import serializers


class JWTAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "common.auth.JWTAuthentication"
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


def problem(
    description: str, *, status: int = 400, code: str = "validation-error", detail: str = ""
) -> OpenApiResponse:
    """Document a problem-details answer, with an example."""
    example = {
        "type": f"https://clinic.example/problems/{code}",
        "title": description,
        "status": status,
        "detail": detail or description,
        "code": code,
        "request_id": "3f2a9c4e5b6d4e0f8a1b2c3d4e5f6a7b",
    }
    if code == "validation-error":
        example["errors"] = [
            {"field": "email", "code": "invalid", "detail": "Enter a valid email address."}
        ]
    return OpenApiResponse(
        response=ProblemSerializer,
        description=description,
        examples=[
            OpenApiExample(code, value=example, response_only=True, status_codes=[str(status)])
        ],
    )


UNAUTHORIZED = problem("Missing, invalid or expired token", status=401, code="not-authenticated")
FORBIDDEN = problem("Not allowed for this token", status=403, code="permission-denied")
NOT_FOUND = problem("Not found", status=404, code="not-found")
UNAVAILABLE = problem("A dependency is unavailable", status=503, code="dependency-unavailable")


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
