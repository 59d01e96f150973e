"""Calls from schedule_service to user_service (the only door to another service)."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from functools import cache

from django.conf import settings

from common.errors import ServiceUnavailable
from common.http import ServiceClient

logger = logging.getLogger(__name__)

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


def user_doctor_get(*, doctor_id: uuid.UUID) -> DoctorProfile | None:
    """Return the profile of ``doctor_id`` from user_service, or ``None`` when it has none.

    Raises ``ServiceUnavailable`` (503) when user_service cannot be reached,
    answers 5xx, or gives an answer this client cannot use.
    """
    response = _client().get(f"/internal/v1/profiles/{doctor_id}/")
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        logger.error("user_service answered %s for profile %s", response.status_code, doctor_id)
        raise ServiceUnavailable("The user_service gave an unexpected answer.")
    try:
        body = response.json()
        return DoctorProfile(
            role=str(body["role"]),
            timezone=body.get("timezone"),
            # Anything but a plain true (missing, null) is not an approval.
            approved=body.get("approved") is True,
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ServiceUnavailable("The user_service gave an unusable answer.") from exc
