"""Calls from auth_service to user_service (the only door to another service)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings

from auth_service.accounts.exceptions import ProfileRejected
from common.http import ServiceClient

AUDIENCE = "user_service"


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

    Raises ``ProfileRejected`` (400, with user_service's field errors) when the
    profile data is refused, ``ServiceUnavailable`` (503) when user_service
    cannot answer.
    """
    response = _client().post(
        "/internal/v1/profiles/",
        json={**fields, "user_id": str(user_id), "role": role},
        idempotent=True,
    )
    if response.status_code in (200, 201):
        return _profile(response.json())
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
