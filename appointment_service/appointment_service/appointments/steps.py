"""The steps that booking, moves, cancellations and reconciliation share.

Each step is one function: the event that records a change, the patient's
lock and limits, the slot that must be bookable, the reservation that is
released again when it fails, and the database constraints read as problems.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connections, router
from django.utils import timezone

from appointment_service.appointments import clients, selectors
from appointment_service.appointments.exceptions import (
    AppointmentNotUpcoming,
    OverlappingAppointment,
    SlotHeldByOther,
    SlotNotFound,
    SlotTaken,
    SlotUnavailable,
    TooManyAppointments,
    TooManyAppointmentsWithDoctor,
)
from appointment_service.appointments.models import (
    ActorRole,
    Appointment,
    AppointmentEvent,
    AppointmentState,
    AppointmentStatus,
    Override,
)
from common.errors import Problem, ServiceUnavailable

logger = logging.getLogger(__name__)

# The PostgreSQL-only exclusion constraint of migration 0002 and the partial unique index.
OVERLAP_CONSTRAINT = "appointment_patient_no_overlap"
LIVE_SLOT_CONSTRAINT = "appointment_live_slot_unique"

# schedule_service's refusals of a reservation: nothing is held after them.
RESERVE_REFUSALS = (SlotTaken, SlotUnavailable, SlotNotFound)

# Prefixed to a patient id in ``patient_lock_key``.
PATIENT_LOCK_NAMESPACE = b"appointment_service.patient:"


def record_event(
    appointment: Appointment,
    *,
    action: str,
    actor_id: uuid.UUID | None,
    actor_role: str,
    data: dict[str, Any] | None = None,
) -> AppointmentEvent:
    """Add one entry to the appointment's history (who did what, now)."""
    return AppointmentEvent.objects.create(
        appointment=appointment,
        at=timezone.now(),
        actor_id=actor_id,
        actor_role=actor_role,
        action=action,
        data=data or {},
    )


def slot_data(appointment: Appointment) -> dict[str, str]:
    """The slot and times of ``appointment`` as its events record them."""
    return {
        "slot_id": str(appointment.slot_id),
        "start": appointment.start.isoformat(),
        "end": appointment.end.isoformat(),
    }


def patient_lock_key(patient_id: uuid.UUID) -> int:
    """The advisory-lock key of a patient: a signed 64-bit integer, the first eight bytes of
    BLAKE2b over ``PATIENT_LOCK_NAMESPACE`` and the patient id's 16 bytes.

    The namespace keeps these keys apart from any other advisory lock on the
    database; two patients that share a key (one chance in 2**64) only wait
    for each other.
    """
    digest = hashlib.blake2b(PATIENT_LOCK_NAMESPACE + patient_id.bytes, digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock_patient(patient_id: uuid.UUID) -> None:
    """Serialize the bookings and moves of one patient until the transaction ends.

    PostgreSQL: a transaction-level advisory lock (``pg_advisory_xact_lock``)
    on ``patient_lock_key``, one round trip, nothing written. SQLite: its
    IMMEDIATE transactions already hold the database's write lock, so there
    is nothing to add. Call inside ``transaction.atomic()``.
    """
    connection = connections[router.db_for_write(Appointment)]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [patient_lock_key(patient_id)])


def check_actor(*, actor_role: str, override: bool, allowed: tuple[str, ...]) -> None:
    """A programming error, not a request's: an actor this change does not know, or an override
    asked for by someone who is not staff."""
    if actor_role not in allowed:
        raise ValueError(f"{actor_role!r} cannot make this change")
    if override and actor_role != ActorRole.STAFF:
        raise ValueError("only clinic staff may override the patients' rules")


def overridden(problem: Problem, *, rule: str, override: bool, overrides: list[str]) -> None:
    """Raise ``problem``, or with ``override`` note ``rule`` as set aside instead."""
    if not override:
        raise problem
    overrides.append(rule)


def override_data(overrides: list[str]) -> dict[str, list[str]]:
    """The event data that records the rules set aside (nothing when none was)."""
    return {"override": overrides} if overrides else {}


def check_patient_policy(
    *,
    patient_id: uuid.UUID,
    doctor_id: uuid.UUID,
    start: datetime,
    end: datetime,
    now: datetime,
    exclude_id: uuid.UUID | None = None,
    override: bool = False,
) -> list[str]:
    """Refuse a booking or move that breaks the patient's limits (call with the patient locked).

    One query (``selectors.patient_load``). Pending appointments count: they
    are bookings in flight. The patient's lock makes count-then-insert safe,
    so racing bookings cannot overshoot. A move (``exclude_id`` set) stays
    with the same doctor and adds no appointment, so only the overlap is
    checked. With ``override`` (staff) the two caps are set aside; the
    overlap never is. Returns the rules (``Override`` values) that were set
    aside because they would have refused.
    """
    load = selectors.patient_load(
        patient_id=patient_id,
        doctor_id=doctor_id,
        start=start,
        end=end,
        now=now,
        exclude_id=exclude_id,
    )
    overrides: list[str] = []
    if exclude_id is None:
        limit = settings.MAX_UPCOMING_APPOINTMENTS
        if load.upcoming >= limit:
            overridden(
                TooManyAppointments(f"You may hold at most {limit} upcoming appointments."),
                rule=Override.UPCOMING_CAP,
                override=override,
                overrides=overrides,
            )
        limit = settings.MAX_UPCOMING_APPOINTMENTS_PER_DOCTOR
        if load.with_doctor >= limit:
            overridden(
                TooManyAppointmentsWithDoctor(
                    f"You may hold at most {limit} upcoming appointments with one doctor."
                ),
                rule=Override.DOCTOR_CAP,
                override=override,
                overrides=overrides,
            )
    if load.overlapping:
        raise OverlappingAppointment()
    return overrides


def constraint_problem(exc: IntegrityError) -> Problem | None:
    """Name the invariant a refused INSERT/UPDATE broke, or None for anything else."""
    message = str(exc)
    if OVERLAP_CONSTRAINT in message:
        return OverlappingAppointment()
    if LIVE_SLOT_CONSTRAINT in message or "appointments_appointment.slot_id" in message:
        return SlotTaken()
    return None


@contextmanager
def constraint_problems() -> Iterator[None]:
    """Raise the problem a broken constraint stands for; other integrity errors pass unchanged.

    The database is the last word on invariants 1 and 2 (one live appointment
    per slot, no overlap for one patient) when two requests race past the checks.
    """
    try:
        yield
    except IntegrityError as exc:
        problem = constraint_problem(exc)
        if problem is None:
            raise
        raise problem from exc


def release_quietly(*, slot_id: uuid.UUID, appointment_id: uuid.UUID) -> bool:
    """Release a slot, best effort; a failure is left to ``reconcile_appointments``."""
    try:
        clients.schedule_slot_release(slot_id=slot_id, appointment_id=appointment_id)
    except (ServiceUnavailable, SlotHeldByOther) as exc:
        logger.warning(
            "Could not release slot %s of appointment %s (%s); reconciliation will",
            slot_id,
            appointment_id,
            exc.code,
        )
        return False
    return True


def reserve_or_release(*, slot_id: uuid.UUID, appointment_id: uuid.UUID) -> clients.Reservation:
    """Reserve the slot at schedule_service for the appointment, or leave it unheld.

    A refusal holds nothing. Any other failure (a timeout may hide a
    reservation that did happen) releases the slot, best effort, to be sure.
    """
    try:
        return clients.schedule_slot_reserve(slot_id=slot_id, appointment_id=appointment_id)
    except RESERVE_REFUSALS:
        raise
    except BaseException:
        release_quietly(slot_id=slot_id, appointment_id=appointment_id)
        raise


def delete_pending(appointment_id: uuid.UUID) -> bool:
    """Delete the appointment if it is still pending; whether it was."""
    deleted, _ = Appointment.objects.filter(
        pk=appointment_id, state=AppointmentState.PENDING
    ).delete()
    return bool(deleted)


def require_upcoming(appointment: Appointment, *, now: datetime) -> None:
    """Refuse a change of an appointment that is not booked and upcoming."""
    if (
        appointment.state != AppointmentState.BOOKED
        or appointment.status_at(now) != AppointmentStatus.UPCOMING
    ):
        raise AppointmentNotUpcoming()
