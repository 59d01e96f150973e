"""Calls from appointment_service to schedule_service (the only door to another service)."""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.utils.dateparse import parse_datetime

from appointment_service.appointments.exceptions import (
    DoctorNotBookable,
    ProblemCode,
    SlotHeldByOther,
    SlotNotFound,
    SlotTaken,
    SlotUnavailable,
)
from common.errors import Problem, ServiceUnavailable
from common.http import Answer, ServiceClient

logger = logging.getLogger(__name__)

AUDIENCE = "schedule_service"
# A runaway ``next`` chain must not loop forever.
MAX_HOLD_PAGES = 10_000
# schedule_service's largest slot page: a week of 5-minute slots.
SLOT_PAGE_SIZE = 2016
MAX_SLOT_PAGES = 20


@dataclass(frozen=True)
class Slot:
    id: uuid.UUID
    doctor_id: uuid.UUID
    start: datetime.datetime
    end: datetime.datetime
    held: bool
    appointment_id: uuid.UUID | None
    bookable: bool
    cancel_cutoff_hours: int
    reschedule_cutoff_hours: int
    # schedule_service's code for why it is not bookable (None: bookable, or not said).
    refusal: str | None = None


@dataclass(frozen=True)
class FreeSlot:
    """A bookable slot as the listing shows it."""

    id: uuid.UUID
    doctor_id: uuid.UUID
    start: datetime.datetime
    end: datetime.datetime


@dataclass(frozen=True)
class Reservation:
    slot_id: uuid.UUID
    doctor_id: uuid.UUID
    start: datetime.datetime
    end: datetime.datetime
    appointment_id: uuid.UUID
    cancel_cutoff_hours: int
    reschedule_cutoff_hours: int


@dataclass(frozen=True)
class Hold:
    slot_id: uuid.UUID
    doctor_id: uuid.UUID
    start: datetime.datetime
    end: datetime.datetime
    appointment_id: uuid.UUID
    created_at: datetime.datetime


# schedule_service's 409 codes for a slot that cannot be reserved (any other: SlotUnavailable).
_REFUSALS: dict[str, type[Problem]] = {
    ProblemCode.SLOT_TAKEN: SlotTaken,
    ProblemCode.DOCTOR_NOT_BOOKABLE: DoctorNotBookable,
}


@cache
def _client() -> ServiceClient:
    return ServiceClient(base_url=settings.SCHEDULE_SERVICE_URL, audience=AUDIENCE)


def _time(value: Any) -> datetime.datetime:
    parsed = parse_datetime(str(value))
    if parsed is None or parsed.tzinfo is None:
        raise ValueError(f"not an ISO 8601 time with an offset: {value!r}")
    return parsed.astimezone(datetime.UTC)


def _optional_uuid(value: Any) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(str(value))


def _slot(body: dict[str, Any]) -> Slot:
    return Slot(
        id=uuid.UUID(str(body["id"])),
        doctor_id=uuid.UUID(str(body["doctor_id"])),
        start=_time(body["start"]),
        end=_time(body["end"]),
        held=bool(body["held"]),
        appointment_id=_optional_uuid(body.get("appointment_id")),
        bookable=bool(body["bookable"]),
        cancel_cutoff_hours=int(body["cancel_cutoff_hours"]),
        reschedule_cutoff_hours=int(body["reschedule_cutoff_hours"]),
        refusal=body.get("refusal") or None,
    )


def slot_unavailable(slot: Slot) -> SlotUnavailable:
    """The 409 to answer for a slot that ``schedule_slot_get`` said is not bookable."""
    if slot.refusal == ProblemCode.DOCTOR_NOT_BOOKABLE:
        return DoctorNotBookable()
    return SlotUnavailable()


def _reservation(body: dict[str, Any]) -> Reservation:
    return Reservation(
        slot_id=uuid.UUID(str(body["id"])),
        doctor_id=uuid.UUID(str(body["doctor_id"])),
        start=_time(body["start"]),
        end=_time(body["end"]),
        appointment_id=uuid.UUID(str(body["appointment_id"])),
        cancel_cutoff_hours=int(body["cancel_cutoff_hours"]),
        reschedule_cutoff_hours=int(body["reschedule_cutoff_hours"]),
    )


def _hold(body: dict[str, Any]) -> Hold:
    return Hold(
        slot_id=uuid.UUID(str(body["slot_id"])),
        doctor_id=uuid.UUID(str(body["doctor_id"])),
        start=_time(body["start"]),
        end=_time(body["end"]),
        appointment_id=uuid.UUID(str(body["appointment_id"])),
        created_at=_time(body["created_at"]),
    )


def schedule_slot_get(
    *, slot_id: uuid.UUID, appointment_id: uuid.UUID | None = None
) -> Slot | None:
    """Return the slot ``slot_id`` (held or not), or None when schedule_service knows none.

    With ``appointment_id``, ``bookable`` is judged for that appointment (its
    own holds do not count against the doctor's buffer). Raises
    ``ServiceUnavailable`` (503) when schedule_service cannot answer usefully.
    """
    params = {"appointment_id": str(appointment_id)} if appointment_id else None
    client = _client()
    answer = client.call("GET", f"/internal/v1/slots/{slot_id}/", expect=(200, 404), params=params)
    if answer.status == 404:
        return None
    return client.parse(_slot, answer.data)


def _free_slot(body: dict[str, Any]) -> FreeSlot:
    return FreeSlot(
        id=uuid.UUID(str(body["id"])),
        doctor_id=uuid.UUID(str(body["doctor_id"])),
        start=_time(body["start"]),
        end=_time(body["end"]),
    )


def schedule_slot_list(
    *, doctor_id: uuid.UUID, first: datetime.date, last: datetime.date
) -> list[FreeSlot]:
    """Return the doctor's bookable slots of local dates ``first``..``last`` (at most 62 days).

    What a patient would see listed (notice, horizon, buffer, time off), by
    start. Raises ``DoctorNotBookable`` (a doctor waiting for the clinic's
    approval) and ``ServiceUnavailable`` (503; also for a range
    schedule_service refuses, which the caller must not send).
    """
    params: dict[str, Any] = {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "page_size": SLOT_PAGE_SIZE,
    }
    client = _client()
    slots: list[FreeSlot] = []
    for page in range(1, MAX_SLOT_PAGES + 1):
        answer = client.call(
            "GET",
            f"/internal/v1/doctors/{doctor_id}/slots/",
            expect=(200, 404),
            params={**params, "page": page},
        )
        if answer.status == 404:
            if answer.code == "doctor-not-found":
                raise DoctorNotBookable()
            raise _unexpected(answer)
        slots.extend(client.parse(_free_slot_page, answer.data))
        if not answer.data.get("next"):
            break
    return slots


def _free_slot_page(body: dict[str, Any]) -> list[FreeSlot]:
    return [_free_slot(item) for item in body["results"]]


def _unexpected(answer: Answer) -> ServiceUnavailable:
    # A refusal this client cannot place means this service and schedule_service
    # disagree (contract or service-account scopes): for the caller, an unavailable dependency.
    logger.error("Unexpected %s %r from schedule_service", answer.status, answer.code)
    return ServiceUnavailable("The schedule_service service gave an unexpected answer.")


def schedule_slot_reserve(*, slot_id: uuid.UUID, appointment_id: uuid.UUID) -> Reservation:
    """Hold ``slot_id`` for ``appointment_id`` (idempotent for the same appointment).

    Raises ``SlotTaken``, ``DoctorNotBookable`` or ``SlotUnavailable`` (409,
    schedule_service's code),
    ``SlotNotFound`` (404) and ``ServiceUnavailable`` (503; the slot may or
    may not be held then: release it to be sure).
    """
    client = _client()
    answer = client.call(
        "POST",
        f"/internal/v1/slots/{slot_id}/reserve",
        expect=(200, 404, 409),
        json={"appointment_id": str(appointment_id)},
        idempotent=True,
    )
    if answer.status == 404:
        raise SlotNotFound()
    if answer.status == 409:
        raise _REFUSALS.get(answer.code, SlotUnavailable)()
    return client.parse(_reservation, answer.data)


def schedule_slot_release(*, slot_id: uuid.UUID, appointment_id: uuid.UUID) -> None:
    """Let go of ``slot_id`` if ``appointment_id`` holds it (idempotent; an unknown slot is fine).

    Raises ``SlotHeldByOther`` (409) when another appointment holds it and
    ``ServiceUnavailable`` (503).
    """
    answer = _client().call(
        "POST",
        f"/internal/v1/slots/{slot_id}/release",
        expect=(200, 404, 409),
        json={"appointment_id": str(appointment_id)},
        idempotent=True,
    )
    if answer.status == 409:
        raise SlotHeldByOther()


def schedule_hold_list(*, doctor_id: uuid.UUID | None = None) -> Iterator[Hold]:
    """Yield every held slot (optionally of one doctor), page by page.

    Raises ``ServiceUnavailable`` (503) on the first page that cannot be had.
    """
    params: dict[str, Any] = {"doctor_id": str(doctor_id)} if doctor_id else {}
    client = _client()
    for page in range(1, MAX_HOLD_PAGES + 1):
        body = client.get_json("/internal/v1/holds/", params={**params, "page": page})
        yield from client.parse(_hold_page, body)
        if not body.get("next"):
            return


def _hold_page(body: dict[str, Any]) -> list[Hold]:
    return [_hold(item) for item in body["results"]]
