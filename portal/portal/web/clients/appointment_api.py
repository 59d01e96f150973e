"""The portal's calls to appointment_service: book, list, change, cancel and complete."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from portal.web.clients.base import Page, _client, call, page_of, read, send, time_of


@dataclass(frozen=True)
class Appointment:
    id: uuid.UUID
    patient_id: uuid.UUID
    doctor_id: uuid.UUID
    slot_id: uuid.UUID
    start: datetime.datetime
    end: datetime.datetime
    status: str
    outcome: str | None
    reason: str
    cancel_reason: str
    late_cancellation: bool
    reschedule_count: int
    cancel_cutoff_hours: int
    reschedule_cutoff_hours: int
    created_at: datetime.datetime

    @property
    def late_cancel_from(self) -> datetime.datetime:
        """From this instant a cancellation counts as late."""
        return self.start - datetime.timedelta(hours=self.cancel_cutoff_hours)

    @property
    def changes_close_at(self) -> datetime.datetime:
        """From this instant the appointment cannot be moved online."""
        return self.start - datetime.timedelta(hours=self.reschedule_cutoff_hours)


@dataclass(frozen=True)
class Event:
    at: datetime.datetime
    actor_role: str
    action: str
    data: dict[str, Any]


def _appointment(body: dict[str, Any]) -> Appointment:
    return Appointment(
        id=uuid.UUID(body["id"]),
        patient_id=uuid.UUID(body["patient_id"]),
        doctor_id=uuid.UUID(body["doctor_id"]),
        slot_id=uuid.UUID(body["slot_id"]),
        start=time_of(body["start"]),
        end=time_of(body["end"]),
        status=body["status"],
        outcome=body.get("outcome"),
        reason=body.get("reason") or "",
        cancel_reason=body.get("cancel_reason") or "",
        late_cancellation=bool(body.get("late_cancellation")),
        reschedule_count=int(body.get("reschedule_count") or 0),
        cancel_cutoff_hours=int(body.get("cancel_cutoff_hours") or 0),
        reschedule_cutoff_hours=int(body.get("reschedule_cutoff_hours") or 0),
        created_at=time_of(body["created_at"]),
    )


def _event(body: dict[str, Any]) -> Event:
    return Event(
        at=time_of(body["at"]),
        actor_role=body["actor_role"],
        action=body["action"],
        data=body.get("data") or {},
    )


def _path(appointment_id: uuid.UUID, action: str = "") -> str:
    return f"/api/v1/appointments/{appointment_id}/{action}"


def appointment_list(
    request: HttpRequest,
    *,
    status: str | None = None,
    start_from: datetime.datetime | None = None,
    start_to: datetime.datetime | None = None,
    page: int = 1,
    page_size: int = 20,
) -> Page[Appointment]:
    """One page of the signed-in person's appointments, by start."""
    params: dict[str, Any] = {"page": page, "page_size": page_size}
    if status:
        params["status"] = status
    if start_from:
        params["from"] = start_from.isoformat()
    if start_to:
        params["to"] = start_to.isoformat()
    return call(
        request,
        "appointment",
        "GET",
        "/api/v1/appointments/",
        build=page_of(_appointment),
        params=params,
    )


def appointment_get(request: HttpRequest, *, appointment_id: uuid.UUID) -> Appointment:
    """One of the person's appointments. Raises ``ApiProblem`` 404 for anyone else's."""
    return call(request, "appointment", "GET", _path(appointment_id), build=_appointment)


def appointment_create(
    request: HttpRequest, *, slot_id: uuid.UUID, reason: str, idempotency_key: str
) -> Appointment:
    """Book ``slot_id``; the same ``idempotency_key`` books once however often it is sent."""
    return call(
        request,
        "appointment",
        "POST",
        "/api/v1/appointments/",
        build=_appointment,
        json={"slot_id": str(slot_id), "reason": reason},
        headers={"Idempotency-Key": idempotency_key},
        idempotent=True,
        ok=(200, 201),
    )


def appointment_update(request: HttpRequest, *, appointment_id: uuid.UUID, reason: str) -> None:
    call(request, "appointment", "PATCH", _path(appointment_id), json={"reason": reason})


def _act(request: HttpRequest, appointment_id: uuid.UUID, action: str, **data: str) -> Appointment:
    """POST one action (reschedule, cancel, complete) and return the appointment after it."""
    path = _path(appointment_id, action)
    return call(request, "appointment", "POST", path, build=_appointment, json=data)


def appointment_reschedule(
    request: HttpRequest, *, appointment_id: uuid.UUID, slot_id: uuid.UUID
) -> Appointment:
    return _act(request, appointment_id, "reschedule", slot_id=str(slot_id))


def appointment_cancel(
    request: HttpRequest, *, appointment_id: uuid.UUID, reason: str
) -> Appointment:
    return _act(request, appointment_id, "cancel", reason=reason)


def appointment_complete(
    request: HttpRequest, *, appointment_id: uuid.UUID, outcome: str
) -> Appointment:
    return _act(request, appointment_id, "complete", outcome=outcome)


def appointment_history(request: HttpRequest, *, appointment_id: uuid.UUID) -> list[Event]:
    return call(
        request,
        "appointment",
        "GET",
        _path(appointment_id, "history"),
        build=page_of(_event),
        params={"page_size": 100},
    ).items


def appointment_ics(request: HttpRequest, *, appointment_id: uuid.UUID) -> bytes:
    """The appointment as an iCalendar file (its bytes: the one answer that is not JSON)."""
    response = send(request, "appointment", "GET", _path(appointment_id, "ics"))
    if response.status_code != 200:
        # Nothing else is ok: a refusal raises ApiProblem, anything else ServiceUnavailable.
        read(_client("appointment"), response, ok=())
    return response.content
