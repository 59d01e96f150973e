"""Helpers of the portal's page tests.

Answers shaped like the services' serializers, what the portal sent to the
stub server, reading pages, and the portal's fake service-token provider.
"""

from __future__ import annotations

import datetime
import json
import uuid
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import parse_qs

from common.http import default_token_provider
from common.testing import StubServer
from portal.web import clients

SERVICES = ("auth", "user", "schedule", "appointment")
SERVICE_TOKEN = "portal-service-token"
PASSWORD = "correct horse battery staple"
UTC = datetime.UTC


class FakeServiceTokenProvider:
    """``SERVICE_TOKEN_PROVIDER`` for tests: always the same token, calls recorded."""

    audiences: ClassVar[list[str]] = []
    invalidated: ClassVar[list[str]] = []

    def get_token(self, audience: str) -> str:
        self.audiences.append(audience)
        return SERVICE_TOKEN

    def invalidate(self, audience: str) -> None:
        self.invalidated.append(audience)


def forget_clients() -> None:
    clients._client.cache_clear()
    clients._service_client.cache_clear()
    default_token_provider.cache_clear()


@dataclass(frozen=True)
class Sent:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    query: str

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def params(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.query, keep_blank_values=True).items()}

    @property
    def bearer(self) -> str | None:
        value = self.headers.get("Authorization")
        return value.removeprefix("Bearer ") if value else None


def sent(api: StubServer, method: str | None = None, path: str | None = None) -> list[Sent]:
    """The requests the stub received (optionally only ``method`` and/or ``path``), in order."""
    out = []
    for (m, p, headers, body), query in zip(api.requests, api.queries, strict=True):
        if (method is None or m == method) and (path is None or p == path):
            out.append(Sent(m, p, headers, body, query))
    return out


def forget_requests(api: StubServer) -> None:
    api.requests.clear()
    api.queries.clear()


def iso(value: datetime.datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def at(day: datetime.date, hour: int, minute: int = 0, *, zone: str = "UTC") -> datetime.datetime:
    """An aware instant: ``day`` at ``hour:minute`` wall time in ``zone``."""
    from zoneinfo import ZoneInfo

    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=ZoneInfo(zone))


def paginated(
    results: list[Any],
    *,
    count: int | None = None,
    next_url: str | None = None,
    previous_url: str | None = None,
) -> dict[str, Any]:
    return {
        "count": len(results) if count is None else count,
        "next": next_url,
        "previous": previous_url,
        "results": results,
    }


def specialty_body(slug: str = "cardiology", name: str = "Cardiology") -> dict[str, str]:
    return {"slug": slug, "name": name}


def doctor_body(
    doctor_id: uuid.UUID | None = None,
    *,
    full_name: str = "Dr Grace Hopper",
    specialty: dict[str, str] | None = None,
    bio: str = "Heart and lungs.",
    timezone: str = "Europe/London",
) -> dict[str, Any]:
    return {
        "id": str(doctor_id or uuid.uuid4()),
        "full_name": full_name,
        "specialty": specialty or specialty_body(),
        "bio": bio,
        "timezone": timezone,
    }


def profile_body(
    user_id: uuid.UUID,
    *,
    role: str = "doctor",
    full_name: str = "Dr Grace Hopper",
    timezone: str | None = "Europe/London",
    specialty: dict[str, str] | None = None,
) -> dict[str, Any]:
    if role == "doctor":
        specialty = specialty or specialty_body()
    else:
        timezone = None
    return {
        "user_id": str(user_id),
        "role": role,
        "full_name": full_name,
        "timezone": timezone,
        "specialty": specialty,
    }


def slot_body(
    start: datetime.datetime,
    *,
    doctor_id: uuid.UUID,
    slot_id: uuid.UUID | None = None,
    minutes: int = 30,
    bookable: bool | None = None,
    held: bool | None = None,
    appointment_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(slot_id or uuid.uuid4()),
        "doctor_id": str(doctor_id),
        "start": iso(start),
        "end": iso(start + datetime.timedelta(minutes=minutes)),
    }
    if bookable is not None:
        body["bookable"] = bookable
    if held is not None:
        body["held"] = held
        body["appointment_id"] = str(appointment_id) if appointment_id else None
    return body


def appointment_body(
    *,
    patient_id: uuid.UUID,
    doctor_id: uuid.UUID,
    start: datetime.datetime,
    appointment_id: uuid.UUID | None = None,
    slot_id: uuid.UUID | None = None,
    minutes: int = 30,
    status: str = "upcoming",
    outcome: str | None = None,
    reason: str = "Chest pain when climbing stairs",
    cancel_reason: str = "",
    late_cancellation: bool = False,
    reschedule_count: int = 0,
    cancel_cutoff_hours: int = 24,
    reschedule_cutoff_hours: int = 12,
) -> dict[str, Any]:
    return {
        "id": str(appointment_id or uuid.uuid4()),
        "patient_id": str(patient_id),
        "doctor_id": str(doctor_id),
        "slot_id": str(slot_id or uuid.uuid4()),
        "start": iso(start),
        "end": iso(start + datetime.timedelta(minutes=minutes)),
        "status": status,
        "outcome": outcome,
        "reason": reason,
        "cancel_reason": cancel_reason,
        "late_cancellation": late_cancellation,
        "reschedule_count": reschedule_count,
        "cancel_cutoff_hours": cancel_cutoff_hours,
        "reschedule_cutoff_hours": reschedule_cutoff_hours,
        "created_at": "2026-01-05T09:00:00Z",
        "updated_at": "2026-01-05T09:00:00Z",
    }


def problem_body(
    status: int, code: str, *, detail: str = "", errors: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"https://clinic.example/problems/{code}",
        "title": code,
        "status": status,
        "detail": detail,
        "code": code,
        "request_id": "stub",
    }
    if errors:
        body["errors"] = errors
    return body


def page_text(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    """The flash messages a response left for the next page."""
    from django.contrib.messages import get_messages

    return [str(message) for message in get_messages(response.wsgi_request)]


def this_monday(zone: str = "Europe/London") -> datetime.date:
    """The Monday of today's week in ``zone``."""
    from zoneinfo import ZoneInfo

    today = datetime.datetime.now(ZoneInfo(zone)).date()
    return today - datetime.timedelta(days=today.weekday())
