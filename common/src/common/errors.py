"""RFC 9457 problem details: the one error format of every service."""

from __future__ import annotations

import logging
import sys
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response

from common.request_id import get_request_id

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://clinic.example/problems/"


class Problem(exceptions.APIException):
    """Base of every domain error: status, code and title are class attributes.

    Subclass it once per failure (``class SlotTaken(Problem): status_code = 409``)
    and raise it from services; the exception handler renders it.
    """

    status_code: int = status.HTTP_400_BAD_REQUEST
    code = "bad-request"
    title = "Bad request"
    default_detail = "The request could not be processed."

    def __init__(self, detail: str | None = None, *, extra: dict[str, Any] | None = None):
        super().__init__(detail or self.default_detail, self.code)
        self.extra = extra or {}


class ServiceUnavailable(Problem):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    code = "dependency-unavailable"
    title = "A service this request depends on is unavailable"
    default_detail = "Please try again in a moment."
    # Seconds a client should wait before trying again (the Retry-After header).
    retry_after: int | None = 5


class Conflict(Problem):
    status_code = status.HTTP_409_CONFLICT
    code = "conflict"
    title = "Conflict"


class PayloadTooLarge(Problem):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    code = "payload-too-large"
    title = "Request body too large"
    default_detail = "The request body is larger than this service accepts."


_TITLES = {
    400: ("bad-request", "Bad request"),
    401: ("not-authenticated", "Authentication required"),
    403: ("permission-denied", "Permission denied"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    409: ("conflict", "Conflict"),
    413: ("payload-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("unprocessable", "Unprocessable request"),
    429: ("throttled", "Too many requests"),
    500: ("server-error", "Internal server error"),
    503: ("dependency-unavailable", "Service unavailable"),
}


def problem_body(
    status_code: int,
    *,
    code: str | None = None,
    title: str | None = None,
    detail: str = "",
    errors: list[dict[str, str]] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Build a problem-details document for ``status_code``."""
    default_code, default_title = _TITLES.get(status_code, ("error", "Error"))
    code = code or default_code
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title or default_title,
        "status": status_code,
        "detail": detail,
        "code": code,
        "request_id": get_request_id(),
    }
    if errors:
        body["errors"] = errors
    if extra:
        body.update(extra)
    return body


def flatten_errors(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """Turn DRF's nested ``ValidationError.detail`` into ``[{field, code, detail}]``."""
    if isinstance(detail, dict):
        out: list[dict[str, str]] = []
        for key, value in detail.items():
            if isinstance(key, int):  # ListField/ListSerializer errors: {index: detail}
                out.extend(flatten_errors(value, f"{prefix}[{key}]" if prefix else str(key)))
                continue
            name = key if key != "non_field_errors" else ""
            field = f"{prefix}.{name}" if prefix and name else (prefix or name)
            out.extend(flatten_errors(value, field))
        return out
    if isinstance(detail, list):
        out = []
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                out.extend(flatten_errors(value, f"{prefix}[{index}]" if prefix else str(index)))
            else:
                out.extend(flatten_errors(value, prefix))
        return out
    code = getattr(detail, "code", None) or "invalid"
    return [{"field": prefix or "non_field_errors", "code": str(code), "detail": str(detail)}]


def _django_validation_detail(exc: DjangoValidationError) -> dict[str, list[ErrorDetail]]:
    """Django's errors by field, each message keeping its code (``password_too_short``)."""

    def details(errors: list[DjangoValidationError]) -> list[ErrorDetail]:
        return [
            ErrorDetail(message, code=error.code or "invalid")
            for error in errors
            for message in error.messages
        ]

    if hasattr(exc, "error_dict"):
        return {field: details(errors) for field, errors in exc.error_dict.items()}
    return {"non_field_errors": details(exc.error_list)}


def _problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    response = Response(body, status=body["status"], headers=headers)
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def _database_fault_problem(exc: Exception) -> tuple[Problem, bool]:
    """The 503 problem for a database fault, and whether its request may be retried.

    Logged once with the exception: as a warning when the connection broke (a
    read is then retried by ``common.db.DatabaseRetryMiddleware``), else as an
    error.
    """
    from common.db import DatabaseUnavailable, connection_lost

    lost = connection_lost()
    level = logging.WARNING if lost else logging.ERROR
    logger.log(level, "Database fault: %s", exc.__class__.__name__, exc_info=exc)
    return DatabaseUnavailable(), lost


def _as_api_exception(exc: Exception) -> tuple[Exception, bool]:
    """The DRF exception that answers ``exc``, and whether its request may be tried again.

    Django's own exceptions become their DRF counterparts; a database fault
    becomes ``common.db.DatabaseUnavailable`` (retryable when its connection
    broke); anything else is returned as it is.
    """
    from common.db import is_database_fault

    if is_database_fault(exc):
        return _database_fault_problem(exc)
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(detail=_django_validation_detail(exc)), False
    if isinstance(exc, Http404):
        return exceptions.NotFound(), False
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(), False
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge(), False
    return exc, False


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF exception handler rendering every error as problem details.

    Django's ``ValidationError``, ``Http404`` and ``PermissionDenied`` are
    converted too; a database fault (``common.db``) is a 503 with
    ``Retry-After``. Other unexpected exceptions become a 500 whose trace goes
    to the log only.
    """
    from common.db import RETRYABLE_ATTRIBUTE

    exc, retryable = _as_api_exception(exc)
    # Imported here: rest_framework.views reads DRF settings at import time,
    # which import common.auth, which imports this module.
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled error", exc_info=exc)
        return _problem_response(
            problem_body(500, detail="Something went wrong on our side; it has been logged.")
        )

    headers = {
        k: v
        for k, v in response.headers.items()
        if k in ("WWW-Authenticate", "Retry-After", "Allow")
    }
    if isinstance(exc, Problem):
        body = problem_body(
            exc.status_code, code=exc.code, title=exc.title, detail=str(exc.detail), extra=exc.extra
        )
        retry_after = getattr(exc, "retry_after", None)
        if retry_after:
            headers.setdefault("Retry-After", str(retry_after))
    elif isinstance(exc, exceptions.ValidationError):
        body = problem_body(
            400,
            code="validation-error",
            title="Invalid input",
            detail="One or more fields are invalid.",
            errors=flatten_errors(exc.detail),
        )
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else ""
        wait = getattr(exc, "wait", None)  # set by Throttled, missing from its stub
        if isinstance(exc, exceptions.Throttled) and wait is not None:
            headers["Retry-After"] = str(int(wait))
        body = problem_body(response.status_code, detail=str(detail))
    answer = _problem_response(body, headers)
    setattr(answer, RETRYABLE_ATTRIBUTE, retryable)
    return answer


def _json_problem(status_code: int, detail: str) -> JsonResponse:
    return JsonResponse(
        problem_body(status_code, detail=detail),
        status=status_code,
        content_type=PROBLEM_CONTENT_TYPE,
    )


def bad_request(request, exception=None):  # noqa: ARG001 - Django handler signature
    """Django ``handler400``: problem details instead of an HTML page."""
    if isinstance(exception, RequestDataTooBig):
        return _json_problem(413, PayloadTooLarge.default_detail)
    return _json_problem(400, "The request could not be understood.")


def permission_denied(request, exception=None):  # noqa: ARG001
    """Django ``handler403``."""
    return _json_problem(403, "You do not have permission to perform this action.")


def page_not_found(request, exception=None):  # noqa: ARG001
    """Django ``handler404``."""
    return _json_problem(404, "No resource lives at this address.")


def server_error(request):  # noqa: ARG001
    """Django ``handler500``: never a trace, only a problem.

    Django calls it while handling the exception (its own log line carries the
    trace), so a database fault raised outside a DRF view (the admin, a
    middleware, the session) is told apart here: 503 with ``Retry-After``.
    """
    from common.db import DatabaseUnavailable, is_database_fault, mark_retryable

    if is_database_fault(sys.exc_info()[1]):
        problem = DatabaseUnavailable()
        response = JsonResponse(
            problem_body(
                problem.status_code,
                code=problem.code,
                title=problem.title,
                detail=str(problem.detail),
            ),
            status=problem.status_code,
            content_type=PROBLEM_CONTENT_TYPE,
            headers={"Retry-After": str(problem.retry_after)},
        )
        return mark_retryable(response)
    return _json_problem(500, "Something went wrong on our side; it has been logged.")


class BodySizeLimitMiddleware:
    """Refuse a body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` before anything reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _json_problem(400, "Content-Length is not a number.")
        if limit is not None and length > limit:
            return _json_problem(413, PayloadTooLarge.default_detail)
        return self.get_response(request)


class NotFoundHandlerMiddleware:
    """Answer a 404 with the URLconf's own ``handler404`` in every mode.

    With ``DEBUG`` on, Django answers an unknown route (and any ``Http404``)
    with its technical page, which lists every route of the service; this
    middleware gives the same answer as production instead. It sits after
    ``CommonMiddleware`` so that a missing trailing slash is still redirected.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.urls import Resolver404, resolve

        if settings.DEBUG:
            try:
                resolve(request.path_info, urlconf=getattr(request, "urlconf", None))
            except Resolver404 as exc:
                return self._not_found(request, exc)
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.conf import settings

        if settings.DEBUG and isinstance(exception, Http404):
            return self._not_found(request, exception)
        return None

    @staticmethod
    def _not_found(request, exception):
        from django.urls import get_resolver

        handler = get_resolver(getattr(request, "urlconf", None)).resolve_error_handler(404)
        return handler(request, exception)  # type: ignore[call-arg]  # a 404 handler takes the exception
