"""Slot holds: reserving a slot for an appointment and letting it go (appointment_service's calls).

The database is the arbiter of a hold: its primary key is the slot id and, on
PostgreSQL, an exclusion constraint keeps one doctor's blocked spans apart; a
reservation is one insert that they accept or refuse.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import cast

from django.db import connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone as dj_timezone

from common.errors import Problem
from schedule_service.scheduling import selectors, services
from schedule_service.scheduling.exceptions import (
    DoctorNotBookable,
    SlotHeldByOther,
    SlotTaken,
    SlotUnavailable,
)
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
    answer comes back (even inside the notice window by now). The slot is
    checked against the rules, notice, horizon and time off in the doctor's
    stored time zone (``slot_offer``; the zone is refreshed on the read paths,
    never here, so a reservation never waits for user_service). Then the
    database is the arbiter: one ``INSERT ... ON CONFLICT DO NOTHING`` that
    the hold's primary key (the slot id) and, on PostgreSQL, the exclusion
    constraint on one doctor's blocked spans decide, so racing calls insert at
    most one hold; the stored hold is read only when nothing was inserted (or
    the slot is refused), to tell this appointment's retry from a taken slot.
    Raises ``SlotNotFound``
    (404), ``SlotTaken`` (409: held by another appointment, or too close to
    another hold with the buffer) and ``SlotUnavailable`` (409: past, inside
    the notice, beyond the horizon, in time off, or made by no current rule),
    ``DoctorNotBookable`` (409: the doctor is not approved yet) and
    ``ServiceUnavailable`` (503: whether a pending doctor is approved now
    cannot be checked).
    """
    now = now or dj_timezone.now()
    schedule, start = selectors.slot_locate(slot_id=slot_id)
    schedule = services.schedule_approval_refresh(schedule=schedule, now=now)
    slot, refusal = selectors.slot_offer(schedule=schedule, start=start, now=now)
    if slot is None or refusal is not None:
        return _replay_or_refuse(
            slot_id, appointment_id, schedule, refusal or SlotUnavailable(), held=SlotTaken()
        )
    hold = SlotHold(
        slot_id=slot_id,
        doctor=schedule,
        start=start,
        end=slot.end,
        blocked_until=slot.end + datetime.timedelta(minutes=schedule.buffer_minutes),
        appointment_id=appointment_id,
    )
    if not _insert_unless_taken(hold):
        too_close = SlotTaken("Another appointment holds a slot too close to this one.")
        return _replay_or_refuse(slot_id, appointment_id, schedule, too_close, held=SlotTaken())
    return _reservation(hold, schedule)


def _replay_or_refuse(
    slot_id: uuid.UUID,
    appointment_id: uuid.UUID,
    schedule: DoctorSchedule,
    refusal: Problem,
    *,
    held: Problem,
) -> Reservation:
    """The reservation this appointment already holds (a retry); else raise ``held`` when another
    appointment holds the slot (a doctor not approved says so first), ``refusal`` otherwise."""
    stored = SlotHold.objects.filter(pk=slot_id).first()
    if stored is not None and stored.appointment_id == appointment_id:
        return _reservation(stored, schedule)
    if stored is not None and not isinstance(refusal, DoctorNotBookable):
        raise held
    raise refusal


def _insert_unless_taken(hold: SlotHold) -> bool:
    """Insert ``hold`` unless a constraint refuses it; whether it was inserted.

    PostgreSQL: one ``INSERT ... ON CONFLICT DO NOTHING`` in autocommit; the
    primary key and the exclusion constraint (migration 0002) decide, no
    savepoint, no read before. SQLite has no exclusion constraint: inside its
    IMMEDIATE transaction (which serializes writers) the doctor's nearby holds
    are checked for the buffer first, then the same insert.
    """
    connection = connections[router.db_for_write(SlotHold)]
    if connection.vendor == "postgresql":
        return _insert_or_nothing(hold, connection)
    with transaction.atomic(using=connection.alias):
        if _blocked_by_another(hold):
            return False
        return _insert_or_nothing(hold, connection)


def _blocked_by_another(hold: SlotHold) -> bool:
    """Whether another appointment's hold of the doctor overlaps ``hold``'s blocked span."""
    return (
        SlotHold.objects.filter(
            doctor=hold.doctor, start__lt=hold.blocked_until, blocked_until__gt=hold.start
        )
        .exclude(appointment_id=hold.appointment_id)
        .exists()
    )


def _insert_or_nothing(hold: SlotHold, connection: BaseDatabaseWrapper) -> bool:
    """``INSERT ... ON CONFLICT DO NOTHING RETURNING`` the hold; whether a row was inserted.

    Any unique or exclusion constraint that refuses the row makes it insert
    nothing (PostgreSQL; SQLite 3.35+ has only the primary key here).
    """
    fields = SlotHold._meta.concrete_fields
    quote = connection.ops.quote_name
    columns = [quote(cast(str, field.column)) for field in fields]
    values = [field.get_db_prep_save(field.pre_save(hold, True), connection) for field in fields]
    # Only the model's own table and column names, quoted, go into the text; values are parameters.
    sql = (
        f"INSERT INTO {quote(SlotHold._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT DO NOTHING RETURNING {quote('slot_id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        inserted = cursor.fetchone() is not None
    hold._state.adding = not inserted
    return inserted


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
