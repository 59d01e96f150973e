"""Calls from auth_service to user_service (the only door to another service)."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings

from auth_service.accounts.exceptions import ProfileRejected
from common.http import CLIENT_ERRORS, ServiceClient

AUDIENCE = "user_service"
# A runaway ``next`` chain must not loop forever.
MAX_PROFILE_PAGES = 10_000
PROFILE_PAGE_SIZE = 100


@dataclass(frozen=True)
class Profile:
    user_id: uuid.UUID
    role: str
    full_name: str


@cache
def _client() -> ServiceClient:
    return ServiceClient(base_url=settings.USER_SERVICE_URL, audience=AUDIENCE)


def _profile(body: dict[str, Any]) -> Profile:
    return Profile(
        user_id=uuid.UUID(body["user_id"]), role=body["role"], full_name=body["full_name"]
    )


def user_profile_create(*, user_id: uuid.UUID, role: str, fields: dict[str, Any]) -> Profile:
    """Create the profile of a new account in user_service (idempotent on ``user_id``).

    Raises ``ProfileRejected`` (400, with user_service's field errors) when
    user_service refuses the profile (any 4xx: nothing was made), and
    ``ServiceUnavailable`` (503) when it cannot answer, answers 5xx or gives an
    unusable answer (the profile may or may not exist then).
    """
    client = _client()
    answer = client.call(
        "POST",
        "/internal/v1/profiles/",
        expect=(200, 201, *CLIENT_ERRORS),
        json={**fields, "user_id": str(user_id), "role": role},
        idempotent=True,
    )
    if answer.status == 400:
        raise ProfileRejected(
            answer.data.get("detail") or None, extra={"errors": answer.data.get("errors", [])}
        )
    if answer.status >= 400:
        raise ProfileRejected(f"The profile was refused ({answer.status}).")
    return client.parse(_profile, answer.data)


def user_profile_get(*, user_id: uuid.UUID) -> Profile | None:
    """Return the profile of ``user_id``, or None when user_service has none.

    Raises ``ServiceUnavailable`` (503) when user_service cannot answer, or
    answers anything but the profile or a 404.
    """
    client = _client()
    answer = client.call("GET", f"/internal/v1/profiles/{user_id}/", expect=(200, 404))
    if answer.status == 404:
        return None
    return client.parse(_profile, answer.data)


def user_profile_list_created(
    *, before: datetime.datetime, after: datetime.datetime | None = None
) -> Iterator[Profile]:
    """Yield every profile created before ``before`` (and after ``after``), oldest first.

    Page by page; raises ``ServiceUnavailable`` (503) on the first page that
    cannot be had.
    """
    params: dict[str, Any] = {"created_before": before.isoformat(), "page_size": PROFILE_PAGE_SIZE}
    if after is not None:
        params["created_after"] = after.isoformat()
    client = _client()
    for page in range(1, MAX_PROFILE_PAGES + 1):
        body = client.get_json("/internal/v1/profiles/", params={**params, "page": page})
        yield from client.parse(_profile_page, body)
        if not body.get("next"):
            return


def _profile_page(body: dict[str, Any]) -> list[Profile]:
    return [_profile(item) for item in body["results"]]


def user_profile_delete(*, user_id: uuid.UUID) -> bool:
    """Delete the profile of ``user_id`` in user_service; return whether there was one.

    Idempotent (a profile already gone is fine). Raises ``ServiceUnavailable``
    (503) when user_service cannot answer or refuses.
    """
    answer = _client().call("DELETE", f"/internal/v1/profiles/{user_id}/", expect=(204, 404))
    return answer.status == 204
