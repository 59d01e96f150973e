"""Calls from auth_service to user_service (the only door to another service)."""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings

from auth_service.accounts.exceptions import ProfileRejected
from common.errors import ServiceUnavailable
from common.http import ServiceClient

logger = logging.getLogger(__name__)

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


def _parsed_profile(response: Any) -> Profile:
    """The profile of a 200/201 answer; an unusable body is user_service's failure (503)."""
    try:
        return _profile(response.json())
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        logger.error("Unusable profile answer from user_service: %s", exc.__class__.__name__)
        raise ServiceUnavailable("The user_service gave an unusable answer.") from exc


def user_profile_create(*, user_id: uuid.UUID, role: str, fields: dict[str, Any]) -> Profile:
    """Create the profile of a new account in user_service (idempotent on ``user_id``).

    Raises ``ProfileRejected`` (400, with user_service's field errors) when
    user_service refuses the profile (any 4xx: nothing was made), and
    ``ServiceUnavailable`` (503) when it cannot answer, answers 5xx or gives an
    unusable answer (the profile may or may not exist then).
    """
    response = _client().post(
        "/internal/v1/profiles/",
        json={**fields, "user_id": str(user_id), "role": role},
        idempotent=True,
    )
    if response.status_code in (200, 201):
        return _parsed_profile(response)
    if response.status_code == 400:
        body = response.json()
        raise ProfileRejected(body.get("detail") or None, extra={"errors": body.get("errors", [])})
    raise ProfileRejected(f"The profile was refused ({response.status_code}).")


def user_profile_get(*, user_id: uuid.UUID) -> Profile | None:
    """Return the profile of ``user_id``, or None when user_service has none."""
    response = _client().get(f"/internal/v1/profiles/{user_id}/")
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise ProfileRejected(f"Unexpected answer from user_service ({response.status_code}).")
    return _profile(response.json())


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
    for page in range(1, MAX_PROFILE_PAGES + 1):
        response = _client().get("/internal/v1/profiles/", params={**params, "page": page})
        if response.status_code != 200:
            logger.error("user_service answered %s to a profile listing", response.status_code)
            raise ServiceUnavailable("The user_service gave an unexpected answer.")
        try:
            body = response.json()
            profiles = [_profile(item) for item in body["results"]]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ServiceUnavailable("The user_service gave an unusable answer.") from exc
        yield from profiles
        if not body.get("next"):
            return


def user_profile_delete(*, user_id: uuid.UUID) -> bool:
    """Delete the profile of ``user_id`` in user_service; return whether there was one.

    Idempotent (a profile already gone is fine). Raises ``ServiceUnavailable``
    (503) when user_service cannot answer or refuses.
    """
    response = _client().request("DELETE", f"/internal/v1/profiles/{user_id}/")
    if response.status_code == 204:
        return True
    if response.status_code == 404:
        return False
    logger.error("user_service answered %s to deleting profile %s", response.status_code, user_id)
    raise ServiceUnavailable("The user_service gave an unexpected answer.")
