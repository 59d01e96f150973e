"""Calls from schedule_service to user_service (the only door to another service)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings

from common.http import ServiceClient

AUDIENCE = "user_service"


@dataclass(frozen=True)
class DoctorProfile:
    """What schedule_service needs from a profile: its role, (doctors) time zone and approval."""

    role: str
    timezone: str | None
    approved: bool = False


@cache
def _client() -> ServiceClient:
    return ServiceClient(base_url=settings.USER_SERVICE_URL, audience=AUDIENCE)


def _doctor_profile(body: dict[str, Any]) -> DoctorProfile:
    return DoctorProfile(
        role=str(body["role"]),
        timezone=body.get("timezone"),
        # Anything but a plain true (missing, null) is not an approval.
        approved=body.get("approved") is True,
    )


def user_doctor_get(*, doctor_id: uuid.UUID) -> DoctorProfile | None:
    """Return the profile of ``doctor_id`` from user_service, or ``None`` when it has none.

    Raises ``ServiceUnavailable`` (503) when user_service cannot be reached,
    answers 5xx, or gives an answer this client cannot use.
    """
    client = _client()
    answer = client.call("GET", f"/internal/v1/profiles/{doctor_id}/", expect=(200, 404))
    if answer.status == 404:
        return None
    return client.parse(_doctor_profile, answer.data)
