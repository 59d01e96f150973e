"""Slot holds: reserving a slot for an appointment and letting it go (appointment_service's calls).

The database is the arbiter of a hold: its primary key is the slot id and, on
PostgreSQL, an exclusion constraint keeps one doctor's blocked spans apart.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone as dj_timezone

from schedule_service.scheduling import selectors, services
from schedule_service.scheduling.exceptions import SlotHeldByOther, SlotTaken, SlotUnavailable
from schedule_service.scheduling.models import DoctorSchedule, SlotHold


@dataclass(frozen=True)
class Reservation:
    """A held slot and the cut-offs appointment_service must honour for it."""

    hold: SlotHold
    doctor_id: uuid.UUID
    cancel_cutoff_hours: int
    reschedule_cutoff_hours: int


def _reservation(hold: SlotHold, schedule: DoctorSchedule) -> Reservation:
    return Reservation(
        hold=hold,
        doctor_id=schedule.doctor_id,
        cancel_cutoff_hours=schedule.cancel_cutoff_hours,
        reschedule_cutoff_hours=schedule.reschedule_cutoff_hours,
    )


def slot_reserve(
    *, slot_id: uuid.UUID, appointment_id: uuid.UUID, now: datetime.datetime | None = None
) -> Reservation:
    """Hold slot ``slot_id`` for ``appointment_id``; return the reservation.

    Idempotent: when this appointment already holds the slot, the same
    answer comes back (even inside the notice window by now). The database
    is the arbiter: the hold's primary key is the slot id and, on
    PostgreSQL, an exclusion constraint keeps one doctor's blocked spans
    apart, so racing calls insert at most one hold. Raises ``SlotNotFound``
    (404), ``SlotTaken`` (409: held by another appointment, or too close to
    another hold with the buffer) and ``SlotUnavailable`` (409: past, inside
    the notice, beyond the horizon, in time off, or made by no current rule),
    ``DoctorNotBookable`` (409: the doctor is not approved yet) and
    ``ServiceUnavailable`` (503: whether a pending doctor is approved now
    cannot be checked).
    """
    now = now or dj_timezone.now()
    schedule, start = selectors.slot_locate(slot_id=slot_id)
    if selectors.schedule_timezone_is_stale(schedule, now=now):
        schedule = services.schedule_timezone_refresh(schedule=schedule, now=now)
    schedule = services.schedule_approval_refresh(schedule=schedule, now=now)
    with transaction.atomic():
        state = selectors.slot_state(
            schedule=schedule, slot_id=slot_id, start=start, now=now, appointment_id=appointment_id
        )
        if state.hold is not None and state.hold.appointment_id == appointment_id:
            return _reservation(state.hold, schedule)
        if state.refusal is not None or state.end is None:
            raise state.refusal or SlotUnavailable()
        hold = SlotHold(
            slot_id=slot_id,
            doctor=schedule,
            start=start,
            end=state.end,
            blocked_until=state.end + datetime.timedelta(minutes=schedule.buffer_minutes),
            appointment_id=appointment_id,
        )
        try:
            with transaction.atomic():
                hold.save(force_insert=True)
        except IntegrityError:
            # The primary key (same slot) or the exclusion constraint (overlap) refused it.
            stored = SlotHold.objects.filter(pk=slot_id).first()
            if stored is not None and stored.appointment_id == appointment_id:
                return _reservation(stored, schedule)
            raise SlotTaken() from None
    return _reservation(hold, schedule)


def slot_release(*, slot_id: uuid.UUID, appointment_id: uuid.UUID) -> None:
    """Let go of slot ``slot_id`` held by ``appointment_id``; the slot is bookable again.

    Idempotent: a slot that is not held (any more) is fine. Raises
    ``SlotNotFound`` for an id that is no slot and ``SlotHeldByOther`` (409,
    nothing changes) when another appointment holds it.
    """
    selectors.slot_locate(slot_id=slot_id)
    deleted, _ = SlotHold.objects.filter(pk=slot_id, appointment_id=appointment_id).delete()
    if not deleted and SlotHold.objects.filter(pk=slot_id).exists():
        raise SlotHeldByOther()
