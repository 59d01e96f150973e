"""The portal's calls to schedule_service: free times, weekly hours, time off, booking rules."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from portal.web.clients.base import call, date_of, page_of, time_of, uuid_of


@dataclass(frozen=True)
class Slot:
    id: uuid.UUID
    doctor_id: uuid.UUID
    start: datetime.datetime
    end: datetime.datetime
    held: bool = False
    appointment_id: uuid.UUID | None = None
    bookable: bool = True


@dataclass(frozen=True)
class Rule:
    id: int
    weekday: int
    start_time: datetime.time
    end_time: datetime.time
    slot_minutes: int
    valid_from: datetime.date | None
    valid_until: datetime.date | None


@dataclass(frozen=True)
class TimeOff:
    id: int
    start: datetime.datetime
    end: datetime.datetime
    reason: str
    held_slots: tuple[Slot, ...] = ()


@dataclass(frozen=True)
class Policy:
    timezone: str
    min_notice_minutes: int
    horizon_days: int
    buffer_minutes: int
    cancel_cutoff_hours: int
    reschedule_cutoff_hours: int


def _slot(body: dict[str, Any]) -> Slot:
    return Slot(
        id=uuid.UUID(body["id"]),
        doctor_id=uuid.UUID(body["doctor_id"]),
        start=time_of(body["start"]),
        end=time_of(body["end"]),
        held=bool(body.get("held", False)),
        appointment_id=uuid_of(body.get("appointment_id")),
        bookable=bool(body.get("bookable", True)),
    )


def _rule(body: dict[str, Any]) -> Rule:
    return Rule(
        id=int(body["id"]),
        weekday=int(body["weekday"]),
        start_time=datetime.time.fromisoformat(body["start_time"]),
        end_time=datetime.time.fromisoformat(body["end_time"]),
        slot_minutes=int(body["slot_minutes"]),
        valid_from=date_of(body.get("valid_from")),
        valid_until=date_of(body.get("valid_until")),
    )


def _held_slot(body: dict[str, Any]) -> Slot:
    """A held slot as a time off lists it (without its doctor: the doctor is the reader)."""
    return Slot(
        id=uuid.UUID(body["id"]),
        doctor_id=uuid.UUID(int=0),
        start=time_of(body["start"]),
        end=time_of(body["end"]),
        held=True,
        appointment_id=uuid.UUID(body["appointment_id"]),
    )


def _time_off(body: dict[str, Any]) -> TimeOff:
    return TimeOff(
        id=int(body["id"]),
        start=time_of(body["start"]),
        end=time_of(body["end"]),
        reason=body.get("reason") or "",
        held_slots=tuple(_held_slot(h) for h in body.get("overlapping_held_slots") or []),
    )


def _policy(body: dict[str, Any]) -> Policy:
    return Policy(
        timezone=body["timezone"],
        min_notice_minutes=int(body["min_notice_minutes"]),
        horizon_days=int(body["horizon_days"]),
        buffer_minutes=int(body["buffer_minutes"]),
        cancel_cutoff_hours=int(body["cancel_cutoff_hours"]),
        reschedule_cutoff_hours=int(body["reschedule_cutoff_hours"]),
    )


def schedule_slot_list(
    request: HttpRequest,
    *,
    doctor_id: uuid.UUID,
    first: datetime.date,
    last: datetime.date,
    include_held: bool = False,
    page_size: int = 2016,
) -> list[Slot]:
    """The doctor's slots of local dates ``first``..``last`` in one call, by start."""
    params: dict[str, Any] = {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "page_size": page_size,
    }
    if include_held:
        params["include_held"] = "true"
    path = f"/api/v1/doctors/{doctor_id}/slots/"
    return call(request, "schedule", "GET", path, build=page_of(_slot), params=params).items


def schedule_slot_get(request: HttpRequest, *, slot_id: uuid.UUID) -> Slot:
    """One slot by id, with whether it can be booked now. Raises ``ApiProblem`` 404."""
    return call(request, "schedule", "GET", f"/api/v1/slots/{slot_id}/", build=_slot)


def schedule_rule_list(request: HttpRequest) -> list[Rule]:
    """The signed-in doctor's weekly hours."""
    return call(
        request,
        "schedule",
        "GET",
        "/api/v1/availability/",
        build=page_of(_rule),
        params={"page_size": 100},
    ).items


def schedule_rule_create(request: HttpRequest, *, data: dict[str, Any]) -> Rule:
    return call(
        request, "schedule", "POST", "/api/v1/availability/", build=_rule, json=data, ok=(201,)
    )


def schedule_rule_update(request: HttpRequest, *, rule_id: int, data: dict[str, Any]) -> Rule:
    path = f"/api/v1/availability/{rule_id}/"
    return call(request, "schedule", "PATCH", path, build=_rule, json=data)


def schedule_rule_get(request: HttpRequest, *, rule_id: int) -> Rule:
    return call(request, "schedule", "GET", f"/api/v1/availability/{rule_id}/", build=_rule)


def schedule_rule_delete(request: HttpRequest, *, rule_id: int) -> None:
    call(request, "schedule", "DELETE", f"/api/v1/availability/{rule_id}/", ok=(204, 404))


def schedule_time_off_list(request: HttpRequest) -> list[TimeOff]:
    return call(
        request,
        "schedule",
        "GET",
        "/api/v1/time-off/",
        build=page_of(_time_off),
        params={"page_size": 100},
    ).items


def schedule_time_off_create(request: HttpRequest, *, data: dict[str, Any]) -> TimeOff:
    return call(
        request, "schedule", "POST", "/api/v1/time-off/", build=_time_off, json=data, ok=(201,)
    )


def schedule_time_off_delete(request: HttpRequest, *, time_off_id: int) -> None:
    call(request, "schedule", "DELETE", f"/api/v1/time-off/{time_off_id}/", ok=(204, 404))


def schedule_policy_get(request: HttpRequest) -> Policy:
    return call(request, "schedule", "GET", "/api/v1/policy/", build=_policy)


def schedule_policy_update(request: HttpRequest, *, data: dict[str, Any]) -> Policy:
    return call(request, "schedule", "PATCH", "/api/v1/policy/", build=_policy, json=data)
