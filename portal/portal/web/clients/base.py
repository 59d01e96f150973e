"""What every call of the portal shares: the API clients, the person's token, problems, pages."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.http import HttpRequest

from common.http import CLIENT_ERRORS, Answer, ApiClient, Response, ServiceClient
from portal.web import auth
from portal.web.auth import SignInRequired

T = TypeVar("T")


class ApiProblem(Exception):
    """A 4xx answer of a service: its problem code, detail and field errors."""

    def __init__(
        self,
        *,
        status: int,
        code: str,
        detail: str = "",
        errors: list[dict[str, str]] | None = None,
        body: dict[str, Any] | None = None,
    ):
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.errors = errors or []
        self.body = body or {}


@dataclass(frozen=True)
class Tokens:
    access: str
    refresh: str


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    count: int
    has_next: bool = False
    has_previous: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@cache
def _client(service: str) -> ApiClient:
    """The client of ``service`` ("auth", "user", "schedule", "appointment")."""
    return ApiClient(base_url=settings.SERVICE_URLS[service], name=service.replace("_", " "))


@cache
def _service_client() -> ServiceClient:
    """The portal's own service token, for the one internal read it makes (profile names)."""
    return ServiceClient(base_url=settings.SERVICE_URLS["user"], audience="user_service")


def problem(answer: Answer) -> ApiProblem:
    """The ``ApiProblem`` of a refusal (its status still says what happened without a body)."""
    body = answer.data
    errors = body.get("errors") if isinstance(body.get("errors"), list) else []
    return ApiProblem(
        status=answer.status,
        code=answer.code or "unknown",
        detail=str(body.get("detail") or ""),
        errors=[e for e in errors if isinstance(e, dict)],
        body=body,
    )


def read(client: ApiClient, response: Response, *, ok: Iterable[int] = (200,)) -> Any:
    """The decoded body of an ``ok`` answer; a refusal raises ``ApiProblem``.

    Any other status, and an ``ok`` answer that is not JSON, is the service's
    failure: ``ServiceUnavailable``.
    """
    ok = tuple(ok)
    answer = client.answer(response, expect=(*ok, *CLIENT_ERRORS))
    if answer.status not in ok:
        raise problem(answer)
    return answer.data


def send(
    request: HttpRequest | None, service: str, method: str, path: str, **kwargs: Any
) -> Response:
    """Send one call as the signed-in person (anonymous when ``request`` is None).

    A 401 refreshes the access token once and retries; a second 401 (or a
    refused refresh) signs the person out and raises ``SignInRequired``.
    """
    client = _client(service)
    token = auth.access_token(request, refresh=_refresh) if request is not None else None
    response = client.request(method, path, token=token, **kwargs)
    if response.status_code == 401 and request is not None:
        token = auth.access_token(request, refresh=_refresh, force=True)
        response = client.request(method, path, token=token, **kwargs)
        if response.status_code == 401:
            auth.end_sign_in(request)
            raise SignInRequired
    return response


def call(
    request: HttpRequest | None,
    service: str,
    method: str,
    path: str,
    *,
    build: Callable[[Any], T] | None = None,
    ok: Iterable[int] = (200,),
    **kwargs: Any,
) -> Any:
    """Send one call (see ``send``) and return ``build`` of its body (the body without one).

    A refusal raises ``ApiProblem``; a body ``build`` cannot use is the
    service's failure: ``ServiceUnavailable``.
    """
    client = _client(service)
    data = read(client, send(request, service, method, path, **kwargs), ok=ok)
    return data if build is None else client.parse(build, data)


def page_of(build: Callable[[Any], T]) -> Callable[[Any], Page[T]]:
    """A builder of one page of ``build``'s items from a paginated body."""

    def page(body: Any) -> Page[T]:
        return Page(
            items=[build(item) for item in body["results"]],
            count=int(body["count"]),
            has_next=bool(body.get("next")),
            has_previous=bool(body.get("previous")),
        )

    return page


def time_of(value: str) -> datetime.datetime:
    """An ISO 8601 date-time that names its offset (a naive one is unusable)."""
    parsed = datetime.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("naive date-time")
    return parsed


def date_of(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def uuid_of(value: str | None) -> uuid.UUID | None:
    return uuid.UUID(value) if value else None


def tokens(body: dict[str, Any]) -> Tokens:
    return Tokens(access=body["access"], refresh=body["refresh"])


def _refresh(refresh_token: str) -> Tokens | None:
    """Trade a refresh token for a new pair; None when auth_service refuses it."""
    client = _client("auth")
    answer = client.call(
        "POST",
        "/api/v1/auth/token/refresh",
        expect=(200, *CLIENT_ERRORS),
        json={"refresh": refresh_token},
    )
    if answer.status != 200:
        return None
    return client.parse(tokens, answer.data)
