"""Every write of the appointments app: booking, changes, cancellation, reconciliation.

No transaction is ever open while schedule_service is being called: each
write is a short ``transaction.atomic()`` between the calls.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from appointment_service.appointments import clients, selectors
from appointment_service.appointments.exceptions import (
    AppointmentCancelled,
    AppointmentChanged,
    AppointmentCompleted,
    AppointmentNotStarted,
    AppointmentNotUpcoming,
    DifferentDoctor,
    IdempotencyInProgress,
    IdempotencyKeyReused,
    OverlappingAppointment,
    RescheduleTooLate,
    SlotHeldByOther,
    SlotNotFound,
    SlotTaken,
    SlotUnavailable,
    TooManyAppointments,
    TooManyAppointmentsWithDoctor,
    TooManyReschedules,
)
from appointment_service.appointments.models import (
    ActorRole,
    Appointment,
    AppointmentEvent,
    AppointmentState,
    AppointmentStatus,
    EventAction,
    IdempotencyKey,
    Outcome,
    Override,
    PatientLock,
)
from common.errors import Problem, ServiceUnavailable, problem_body

logger = logging.getLogger(__name__)

# The PostgreSQL-only exclusion constraint of migration 0002 and the partial unique index.
OVERLAP_CONSTRAINT = "appointment_patient_no_overlap"
LIVE_SLOT_CONSTRAINT = "appointment_live_slot_unique"

# A pending appointment older than this belongs to a booking request that is over.
PENDING_GRACE = timedelta(seconds=60)
IDEMPOTENCY_KEY_TTL = timedelta(hours=24)
# A key without an answer this old belongs to a request that died.
IDEMPOTENCY_IN_FLIGHT_TTL = timedelta(minutes=2)
IDEMPOTENCY_POLL_SECONDS = 0.05

# Who must say why they cancel (a patient need not).
REASON_REQUIRED_OF: dict[str, str] = {
    ActorRole.DOCTOR: "A doctor must give a reason to cancel.",
    ActorRole.STAFF: "Clinic staff must give a reason to cancel.",
}

# schedule_service's refusals of a reservation: nothing is held after them.
RESERVE_REFUSALS = (SlotTaken, SlotUnavailable, SlotNotFound)


@dataclass(frozen=True)
class BookingAnswer:
    """The HTTP answer of a booking: 201 and the appointment, or a stored problem (replay)."""

    status: int
    body: dict[str, Any]
    replayed: bool = False


# Helpers ------------------------------------------------------------------------------


def _event(
    appointment: Appointment,
    *,
    action: str,
    actor_id: uuid.UUID | None,
    actor_role: str,
    data: dict[str, Any] | None = None,
) -> AppointmentEvent:
    return AppointmentEvent.objects.create(
        appointment=appointment,
        at=timezone.now(),
        actor_id=actor_id,
        actor_role=actor_role,
        action=action,
        data=data or {},
    )


def _slot_data(appointment: Appointment) -> dict[str, str]:
    return {
        "slot_id": str(appointment.slot_id),
        "start": appointment.start.isoformat(),
        "end": appointment.end.isoformat(),
    }


def _render(appointment: Appointment) -> dict[str, Any]:
    """The API body of ``appointment``: what an idempotent retry must get back verbatim."""
    # Imported here: the answer's shape belongs to the API layer; only booking stores it.
    from appointment_service.appointments.serializers import AppointmentOutputSerializer

    return dict(AppointmentOutputSerializer(selectors.appointment_with_status(appointment)).data)


def _lock_patient(patient_id: uuid.UUID) -> None:
    """Serialize the bookings and moves of one patient (PostgreSQL row lock; SQLite locks the file)."""
    PatientLock.objects.get_or_create(patient_id=patient_id)
    selectors.patient_lock_select_for_update(patient_id=patient_id)


def _check_actor(*, actor_role: str, override: bool, allowed: tuple[str, ...]) -> None:
    """A programming error, not a request's: an actor this change does not know, or an override
    asked for by someone who is not staff."""
    if actor_role not in allowed:
        raise ValueError(f"{actor_role!r} cannot make this change")
    if override and actor_role != ActorRole.STAFF:
        raise ValueError("only clinic staff may override the patients' rules")


def _overridden(problem: Problem, *, rule: str, override: bool, overrides: list[str]) -> None:
    """Raise ``problem``, or with ``override`` note ``rule`` as set aside instead."""
    if not override:
        raise problem
    overrides.append(rule)


def _override_data(overrides: list[str]) -> dict[str, list[str]]:
    """The event data that records the rules set aside (nothing when none was)."""
    return {"override": overrides} if overrides else {}


def _check_patient_policy(
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

    Pending appointments count: they are bookings in flight. The patient's
    lock makes count-then-insert safe, so racing bookings cannot overshoot.
    A move (``exclude_id`` set) stays with the same doctor and adds no
    appointment, so only the overlap is checked. With ``override`` (staff) the
    two caps are set aside; the overlap never is. Returns the rules
    (``Override`` values) that were set aside because they would have refused.
    """
    overrides: list[str] = []
    if exclude_id is None:
        if (
            selectors.patient_upcoming_count(patient_id=patient_id, now=now)
            >= settings.MAX_UPCOMING_APPOINTMENTS
        ):
            _overridden(
                TooManyAppointments(
                    f"You may hold at most {settings.MAX_UPCOMING_APPOINTMENTS} upcoming "
                    "appointments."
                ),
                rule=Override.UPCOMING_CAP,
                override=override,
                overrides=overrides,
            )
        limit = settings.MAX_UPCOMING_APPOINTMENTS_PER_DOCTOR
        if (
            selectors.patient_upcoming_count_with_doctor(
                patient_id=patient_id, doctor_id=doctor_id, now=now
            )
            >= limit
        ):
            _overridden(
                TooManyAppointmentsWithDoctor(
                    f"You may hold at most {limit} upcoming appointments with one doctor."
                ),
                rule=Override.DOCTOR_CAP,
                override=override,
                overrides=overrides,
            )
    if selectors.patient_has_overlap(
        patient_id=patient_id, start=start, end=end, exclude_id=exclude_id
    ):
        raise OverlappingAppointment()
    return overrides


def _integrity_problem(exc: IntegrityError) -> Problem | None:
    """Name the invariant a refused INSERT/UPDATE broke, or None for anything else."""
    message = str(exc)
    if OVERLAP_CONSTRAINT in message:
        return OverlappingAppointment()
    if LIVE_SLOT_CONSTRAINT in message or "appointments_appointment.slot_id" in message:
        return SlotTaken()
    return None


def _release_quietly(*, slot_id: uuid.UUID, appointment_id: uuid.UUID) -> bool:
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


def _pending_delete(appointment_id: uuid.UUID) -> bool:
    deleted, _ = Appointment.objects.filter(
        pk=appointment_id, state=AppointmentState.PENDING
    ).delete()
    return bool(deleted)


# Booking ------------------------------------------------------------------------------


def _book(
    *,
    patient_id: uuid.UUID,
    slot_id: uuid.UUID,
    reason: str,
    actor_id: uuid.UUID,
    actor_role: str,
    override: bool,
) -> Appointment:
    slot = clients.schedule_slot_get(slot_id=slot_id)
    if slot is None:
        raise SlotNotFound()
    if slot.held:
        raise SlotTaken()
    if not slot.bookable:
        raise clients.slot_unavailable(slot)

    # 1. The appointment, pending: it claims the slot on this side (unique constraint).
    appointment = Appointment(
        patient_id=patient_id,
        doctor_id=slot.doctor_id,
        slot_id=slot.id,
        start=slot.start,
        end=slot.end,
        state=AppointmentState.PENDING,
        reason=reason,
        cancel_cutoff_hours=slot.cancel_cutoff_hours,
        reschedule_cutoff_hours=slot.reschedule_cutoff_hours,
    )
    appointment.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            _lock_patient(patient_id)
            overrides = _check_patient_policy(
                patient_id=patient_id,
                doctor_id=slot.doctor_id,
                start=slot.start,
                end=slot.end,
                now=timezone.now(),
                override=override,
            )
            appointment.save(force_insert=True)
            _event(
                appointment,
                action=EventAction.CREATED,
                actor_id=actor_id,
                actor_role=actor_role,
                data={**_slot_data(appointment), **_override_data(overrides)},
            )
    except IntegrityError as exc:
        problem = _integrity_problem(exc)
        if problem is None:
            raise
        raise problem from exc

    # 2. The slot, in schedule_service (no transaction open).
    try:
        reservation = clients.schedule_slot_reserve(slot_id=slot.id, appointment_id=appointment.id)
    except RESERVE_REFUSALS:
        _pending_delete(appointment.id)
        raise
    except BaseException:
        # A timeout may hide a reservation that did happen: undo it to be sure.
        _release_quietly(slot_id=slot.id, appointment_id=appointment.id)
        _pending_delete(appointment.id)
        raise

    # 3. Confirmed, unless reconciliation took it for abandoned meanwhile.
    with transaction.atomic():
        confirmed = Appointment.objects.filter(
            pk=appointment.pk, state=AppointmentState.PENDING
        ).update(
            state=AppointmentState.BOOKED,
            cancel_cutoff_hours=reservation.cancel_cutoff_hours,
            reschedule_cutoff_hours=reservation.reschedule_cutoff_hours,
            updated_at=timezone.now(),
        )
        if confirmed:
            _event(
                appointment,
                action=EventAction.BOOKED,
                actor_id=actor_id,
                actor_role=actor_role,
                data={
                    **_slot_data(appointment),
                    "cancel_cutoff_hours": reservation.cancel_cutoff_hours,
                    "reschedule_cutoff_hours": reservation.reschedule_cutoff_hours,
                    **_override_data(overrides),
                },
            )
    if not confirmed:
        _release_quietly(slot_id=slot.id, appointment_id=appointment.id)
        raise ServiceUnavailable("The booking took too long to complete; please try again.")
    appointment.refresh_from_db()
    logger.info("Booked appointment %s in slot %s", appointment.id, slot.id)
    return appointment


def _request_hash(
    *, slot_id: uuid.UUID, reason: str, actor_role: str = ActorRole.PATIENT, override: bool = False
) -> str:
    body: dict[str, Any] = {"reason": reason, "slot_id": str(slot_id)}
    if actor_role != ActorRole.PATIENT:  # a patient's hashes stay as they were
        body |= {"actor_role": actor_role, "override": override}
    canonical = json.dumps(
        body,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _idempotency_claim(
    *, patient_id: uuid.UUID, key: str, request_hash: str
) -> IdempotencyKey | BookingAnswer:
    """Insert the key's row (this request runs the booking) or return the first request's answer.

    The unique constraint elects one request per key. Another one waits (polling
    the row) up to ``IDEMPOTENCY_WAIT_SECONDS`` for the first answer; if the first
    request failed with a 503 it deleted the row, and the claim is tried again.
    """
    deadline = time.monotonic() + settings.IDEMPOTENCY_WAIT_SECONDS
    while True:
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(
                    patient_id=patient_id, key=key, request_hash=request_hash
                )
        except IntegrityError:
            pass
        while (
            stored := selectors.idempotency_key_find(patient_id=patient_id, key=key)
        ) is not None:
            if stored.request_hash != request_hash:
                raise IdempotencyKeyReused()
            if stored.response_status is not None:
                return BookingAnswer(
                    status=stored.response_status,
                    body=stored.response_body,  # type: ignore[arg-type]  # stored with its status
                    replayed=True,
                )
            if time.monotonic() >= deadline:
                raise IdempotencyInProgress()
            time.sleep(IDEMPOTENCY_POLL_SECONDS)
        if time.monotonic() >= deadline:
            raise IdempotencyInProgress()


def _idempotency_store(
    claim: IdempotencyKey,
    *,
    status: int,
    body: dict[str, Any],
    appointment: Appointment | None = None,
) -> None:
    IdempotencyKey.objects.filter(pk=claim.pk).update(
        response_status=status, response_body=body, appointment=appointment
    )


def appointment_book(
    *,
    patient_id: uuid.UUID,
    slot_id: uuid.UUID,
    reason: str,
    idempotency_key: str | None = None,
    actor_id: uuid.UUID | None = None,
    actor_role: str = ActorRole.PATIENT,
    override: bool = False,
) -> BookingAnswer:
    """Book ``slot_id`` for the patient: pending appointment, reservation, confirmation.

    Start, end and doctor come from schedule_service's slot. Whatever fails,
    nothing is left behind: a refused reservation deletes the pending
    appointment; an unavailable schedule_service also gets a best-effort
    release (``reconcile_appointments`` repairs what that misses).

    With ``idempotency_key`` the first answer (201, or a 4xx problem) is stored
    and returned to every retry of the same body; a 503 stores nothing so that
    a retry runs again.

    A patient holds at most ``MAX_UPCOMING_APPOINTMENTS`` upcoming
    appointments, and ``MAX_UPCOMING_APPOINTMENTS_PER_DOCTOR`` with one
    doctor; both are counted with the patient's lock held, in the transaction
    that writes the pending appointment, so racing bookings cannot overshoot,
    and a refused booking holds no slot. A retry with the same key returns the
    first answer without counting again.

    The patient books for themself (``actor_role`` patient, the default), or
    clinic staff book for them (``actor_role`` staff, ``actor_id`` the staff
    member's id; their idempotency keys are kept per patient too). Staff may
    ``override`` the two caps; the rules set aside are recorded in the events'
    data (``{"override": ["upcoming-cap", ...]}``). Nothing else is ever set
    aside: the slot must be free and bookable, and one live appointment holds it.

    Raises ``SlotNotFound`` (404), ``SlotTaken``, ``SlotUnavailable``,
    ``OverlappingAppointment``, ``TooManyAppointments``,
    ``TooManyAppointmentsWithDoctor``, ``IdempotencyInProgress`` (409),
    ``IdempotencyKeyReused`` (422) and ``ServiceUnavailable`` (503).
    """
    _check_actor(
        actor_role=actor_role, override=override, allowed=(ActorRole.PATIENT, ActorRole.STAFF)
    )
    booking: dict[str, Any] = {
        "patient_id": patient_id,
        "slot_id": slot_id,
        "reason": reason,
        "actor_id": patient_id if actor_role == ActorRole.PATIENT else actor_id,
        "actor_role": actor_role,
        "override": override,
    }
    if not idempotency_key:
        appointment = _book(**booking)
        return BookingAnswer(status=201, body=_render(appointment))

    claim = _idempotency_claim(
        patient_id=patient_id,
        key=idempotency_key,
        request_hash=_request_hash(
            slot_id=slot_id, reason=reason, actor_role=actor_role, override=override
        ),
    )
    if isinstance(claim, BookingAnswer):
        return claim
    try:
        appointment = _book(**booking)
    except Problem as exc:
        if exc.status_code < 500:
            _idempotency_store(
                claim,
                status=exc.status_code,
                body=problem_body(
                    exc.status_code,
                    code=exc.code,
                    title=exc.title,
                    detail=str(exc.detail),
                    extra=exc.extra,
                ),
            )
        else:
            IdempotencyKey.objects.filter(pk=claim.pk).delete()
        raise
    except BaseException:
        IdempotencyKey.objects.filter(pk=claim.pk).delete()
        raise
    body = _render(appointment)
    _idempotency_store(claim, status=201, body=body, appointment=appointment)
    return BookingAnswer(status=201, body=body)


# Changes ------------------------------------------------------------------------------


def _require_upcoming(appointment: Appointment, *, now: datetime) -> None:
    if (
        appointment.state != AppointmentState.BOOKED
        or appointment.status_at(now) != AppointmentStatus.UPCOMING
    ):
        raise AppointmentNotUpcoming()


def appointment_reason_update(
    *, appointment: Appointment, reason: str | None, actor_id: uuid.UUID
) -> Appointment:
    """Change the reason of an upcoming appointment (``None`` changes nothing).

    Raises ``AppointmentNotUpcoming`` (409) once it is completed or cancelled.
    """
    with transaction.atomic():
        current = selectors.appointment_select_for_update(appointment_id=appointment.pk)
        _require_upcoming(current, now=timezone.now())
        if reason is None or reason == current.reason:
            return current
        previous = current.reason
        current.reason = reason
        current.full_clean(validate_unique=False, validate_constraints=False)
        current.save(update_fields=["reason", "updated_at"])
        _event(
            current,
            action=EventAction.REASON_CHANGED,
            actor_id=actor_id,
            actor_role=ActorRole.PATIENT,
            data={"from": previous, "to": reason},
        )
    return current


def _check_reschedulable(
    appointment: Appointment, *, now: datetime, override: bool = False
) -> list[str]:
    """Refuse a move past the count or the cut-off, unless staff ``override`` (what was set aside).

    Only an upcoming appointment moves, override or not.
    """
    _require_upcoming(appointment, now=now)
    overrides: list[str] = []
    if appointment.reschedule_count >= settings.MAX_RESCHEDULES:
        _overridden(
            TooManyReschedules(
                f"An appointment can be moved at most {settings.MAX_RESCHEDULES} times."
            ),
            rule=Override.RESCHEDULE_COUNT,
            override=override,
            overrides=overrides,
        )
    if now > appointment.start - timedelta(hours=appointment.reschedule_cutoff_hours):
        _overridden(
            RescheduleTooLate(
                f"Appointments with this doctor can be moved up to "
                f"{appointment.reschedule_cutoff_hours} hours before they start."
            ),
            rule=Override.RESCHEDULE_CUTOFF,
            override=override,
            overrides=overrides,
        )
    return overrides


def _move(
    appointment: Appointment,
    reservation: clients.Reservation,
    *,
    actor_id: uuid.UUID,
    actor_role: str,
    override: bool,
) -> Appointment:
    """Point the appointment at the reserved slot (the patient and the row locked)."""
    try:
        with transaction.atomic():
            _lock_patient(appointment.patient_id)
            current = selectors.appointment_select_for_update(appointment_id=appointment.pk)
            if current.slot_id == reservation.slot_id:
                return current  # a twin request moved it already
            if current.slot_id != appointment.slot_id:
                raise AppointmentChanged()
            now = timezone.now()
            overrides = _check_reschedulable(current, now=now, override=override)
            _check_patient_policy(
                patient_id=current.patient_id,
                doctor_id=current.doctor_id,
                start=reservation.start,
                end=reservation.end,
                now=now,
                exclude_id=current.pk,
            )
            before = _slot_data(current)
            current.slot_id = reservation.slot_id
            current.start, current.end = reservation.start, reservation.end
            current.cancel_cutoff_hours = reservation.cancel_cutoff_hours
            current.reschedule_cutoff_hours = reservation.reschedule_cutoff_hours
            current.reschedule_count += 1
            current.full_clean(validate_unique=False, validate_constraints=False)
            current.save(
                update_fields=[
                    "slot_id",
                    "start",
                    "end",
                    "cancel_cutoff_hours",
                    "reschedule_cutoff_hours",
                    "reschedule_count",
                    "updated_at",
                ]
            )
            _event(
                current,
                action=EventAction.RESCHEDULED,
                actor_id=actor_id,
                actor_role=actor_role,
                data={
                    "from": before,
                    "to": _slot_data(current),
                    "count": current.reschedule_count,
                    **_override_data(overrides),
                },
            )
    except IntegrityError as exc:
        problem = _integrity_problem(exc)
        if problem is None:
            raise
        raise problem from exc
    return current


def appointment_reschedule(
    *,
    appointment: Appointment,
    slot_id: uuid.UUID,
    actor_id: uuid.UUID,
    actor_role: str = ActorRole.PATIENT,
    override: bool = False,
) -> Appointment:
    """Move an upcoming appointment to another slot of the same doctor.

    The new slot is reserved first (for the same appointment id), then the
    appointment moved, then the old slot released (best effort: a failure
    there is repaired by ``reconcile_appointments``). If anything before the
    move fails, nothing changes and the new slot is let go. Moving to the slot
    it already has changes nothing (a retry).

    The patient moves it, or clinic staff (``actor_role`` staff) for them;
    staff may ``override`` the reschedule cut-off and count, recorded in the
    event's data. The new slot must be free and bookable, override or not.

    Raises ``SlotNotFound`` (404), ``AppointmentNotUpcoming``,
    ``TooManyReschedules``, ``RescheduleTooLate``, ``DifferentDoctor``,
    ``SlotTaken``, ``SlotUnavailable``, ``OverlappingAppointment``,
    ``AppointmentChanged`` (409) and ``ServiceUnavailable`` (503).
    """
    _check_actor(
        actor_role=actor_role, override=override, allowed=(ActorRole.PATIENT, ActorRole.STAFF)
    )
    if slot_id == appointment.slot_id and appointment.state == AppointmentState.BOOKED:
        return appointment
    _check_reschedulable(appointment, now=timezone.now(), override=override)
    slot = clients.schedule_slot_get(slot_id=slot_id, appointment_id=appointment.id)
    if slot is None:
        raise SlotNotFound()
    if slot.doctor_id != appointment.doctor_id:
        raise DifferentDoctor()
    if slot.held and slot.appointment_id != appointment.id:
        raise SlotTaken()
    if not slot.held and not slot.bookable:
        raise clients.slot_unavailable(slot)
    if selectors.patient_has_overlap(
        patient_id=appointment.patient_id, start=slot.start, end=slot.end, exclude_id=appointment.pk
    ):
        raise OverlappingAppointment()

    try:
        reservation = clients.schedule_slot_reserve(slot_id=slot.id, appointment_id=appointment.id)
    except RESERVE_REFUSALS:
        raise
    except BaseException:
        _release_quietly(slot_id=slot.id, appointment_id=appointment.id)
        raise

    old_slot_id = appointment.slot_id
    try:
        moved = _move(
            appointment, reservation, actor_id=actor_id, actor_role=actor_role, override=override
        )
    except BaseException:
        _release_quietly(slot_id=slot.id, appointment_id=appointment.id)
        raise
    if moved.slot_id != old_slot_id:
        _release_quietly(slot_id=old_slot_id, appointment_id=appointment.id)
    logger.info("Rescheduled appointment %s from slot %s to %s", moved.id, old_slot_id, slot.id)
    return moved


def appointment_cancel(
    *,
    appointment: Appointment,
    actor_id: uuid.UUID,
    actor_role: str,
    reason: str = "",
    override: bool = False,
) -> Appointment:
    """Cancel an upcoming appointment for its patient, its doctor or clinic staff; the slot is
    freed at once.

    The slot is released first: if schedule_service is unavailable nothing
    changes (503). A cancelled appointment is returned as it is. Inside the
    doctor's cancellation cut-off the cancellation is recorded as late, unless
    staff ``override`` the cut-off (then it is not late, and the event's data
    says ``{"override": ["cancel-cutoff"]}``).

    Raises ``ValidationError`` (400: a doctor or staff must give a reason),
    ``AppointmentCompleted``, ``AppointmentChanged`` (409) and
    ``ServiceUnavailable`` (503).
    """
    _check_actor(
        actor_role=actor_role,
        override=override,
        allowed=(ActorRole.PATIENT, ActorRole.DOCTOR, ActorRole.STAFF),
    )
    if appointment.state == AppointmentState.CANCELLED:
        return appointment
    if appointment.status_at(timezone.now()) == AppointmentStatus.COMPLETED:
        raise AppointmentCompleted()
    if actor_role in REASON_REQUIRED_OF and not reason.strip():
        raise ValidationError({"reason": [REASON_REQUIRED_OF[actor_role]]})

    try:
        clients.schedule_slot_release(slot_id=appointment.slot_id, appointment_id=appointment.id)
    except SlotHeldByOther:
        logger.warning(
            "Slot %s of appointment %s is held by another appointment; cancelling anyway",
            appointment.slot_id,
            appointment.id,
        )

    now = timezone.now()
    with transaction.atomic():
        current = selectors.appointment_select_for_update(appointment_id=appointment.pk)
        if current.state == AppointmentState.CANCELLED:
            return current
        if current.slot_id != appointment.slot_id:
            raise AppointmentChanged()
        if current.status_at(now) == AppointmentStatus.COMPLETED:
            raise AppointmentCompleted()
        late = now > current.start - timedelta(hours=current.cancel_cutoff_hours)
        overrides = [Override.CANCEL_CUTOFF.value] if late and override else []
        late = late and not override
        current.state = AppointmentState.CANCELLED
        current.cancel_reason = reason
        current.cancelled_by = actor_role
        current.late_cancellation = late
        current.full_clean(validate_unique=False, validate_constraints=False)
        current.save(
            update_fields=[
                "state",
                "cancel_reason",
                "cancelled_by",
                "late_cancellation",
                "updated_at",
            ]
        )
        _event(
            current,
            action=EventAction.CANCELLED,
            actor_id=actor_id,
            actor_role=actor_role,
            data={"by": actor_role, "late": late, "reason": reason, **_override_data(overrides)},
        )
    logger.info("Cancelled appointment %s (by %s, late=%s)", current.id, actor_role, late)
    return current


def appointment_complete(
    *,
    appointment: Appointment,
    outcome: str,
    actor_id: uuid.UUID,
    actor_role: str = ActorRole.DOCTOR,
) -> Appointment:
    """Mark an appointment that has started ``completed`` or ``no_show`` (its doctor, or staff).

    Marking it with the outcome it has changes nothing; the other outcome
    replaces it (a correction, recorded in the history).

    Raises ``AppointmentCancelled`` and ``AppointmentNotStarted`` (409).
    """
    _check_actor(actor_role=actor_role, override=False, allowed=(ActorRole.DOCTOR, ActorRole.STAFF))
    target = AppointmentState.NO_SHOW if outcome == Outcome.NO_SHOW else AppointmentState.COMPLETED
    with transaction.atomic():
        current = selectors.appointment_select_for_update(appointment_id=appointment.pk)
        if current.state == AppointmentState.CANCELLED:
            raise AppointmentCancelled()
        if current.start > timezone.now():
            raise AppointmentNotStarted()
        if current.state == target:
            return current
        previous = current.state
        current.state = target
        current.save(update_fields=["state", "updated_at"])
        _event(
            current,
            action=EventAction.NO_SHOW
            if target == AppointmentState.NO_SHOW
            else EventAction.COMPLETED,
            actor_id=actor_id,
            actor_role=actor_role,
            data={"previous_state": previous},
        )
    return current


# Reconciliation -----------------------------------------------------------------------


@dataclass
class ReconcileReport:
    pending_removed: int = 0
    holds_released: int = 0
    slots_reserved_again: int = 0
    # (appointment id, slot id, schedule_service's refusal code)
    cancelled: list[tuple[uuid.UUID, uuid.UUID, str]] = field(default_factory=list)
    idempotency_keys_purged: int = 0

    def counts(self) -> dict[str, int]:
        return {
            "pending removed": self.pending_removed,
            "holds released": self.holds_released,
            "slots reserved again": self.slots_reserved_again,
            "appointments cancelled": len(self.cancelled),
            "idempotency keys purged": self.idempotency_keys_purged,
        }


def _reconcile_pending(*, before: datetime, report: ReconcileReport) -> set[uuid.UUID]:
    """(a) Undo bookings whose request is over: release the slot if it holds it, delete it."""
    released: set[uuid.UUID] = set()
    for appointment in selectors.appointment_list_pending_stale(before=before):
        slot = clients.schedule_slot_get(slot_id=appointment.slot_id)
        if slot is not None and slot.appointment_id == appointment.id:
            try:
                clients.schedule_slot_release(slot_id=slot.id, appointment_id=appointment.id)
            except SlotHeldByOther:
                pass  # it changed hands meanwhile: nothing of this appointment's to release
            else:
                released.add(slot.id)
        if _pending_delete(appointment.id):
            report.pending_removed += 1
    return released


def _reconcile_holds(
    holds: list[clients.Hold], *, before: datetime, skip: set[uuid.UUID], report: ReconcileReport
) -> None:
    """(b) Release holds of appointments that are gone, cancelled or moved to another slot."""
    for hold in holds:
        # Young holds may belong to a booking or a move in flight.
        if hold.slot_id in skip or hold.created_at >= before:
            continue
        appointment = selectors.appointment_get(appointment_id=hold.appointment_id)
        if appointment is not None and (
            appointment.state == AppointmentState.PENDING
            or (
                appointment.state != AppointmentState.CANCELLED
                and appointment.slot_id == hold.slot_id
            )
        ):
            continue
        try:
            clients.schedule_slot_release(slot_id=hold.slot_id, appointment_id=hold.appointment_id)
        except SlotHeldByOther:
            continue  # it changed hands since the list was read
        report.holds_released += 1


def _repair_cancel(appointment: Appointment, *, code: str) -> bool:
    """Cancel a booked appointment whose slot cannot be held again; False if it changed meanwhile."""
    with transaction.atomic():
        current = selectors.appointment_select_for_update(appointment_id=appointment.pk)
        if current.state != AppointmentState.BOOKED or current.slot_id != appointment.slot_id:
            return False
        current.state = AppointmentState.CANCELLED
        current.cancelled_by = ActorRole.SYSTEM
        current.cancel_reason = "Its slot could no longer be held in the schedule."
        current.save(update_fields=["state", "cancelled_by", "cancel_reason", "updated_at"])
        _event(
            current,
            action=EventAction.REPAIRED,
            actor_id=None,
            actor_role=ActorRole.SYSTEM,
            data={"result": "cancelled", "slot_id": str(current.slot_id), "code": code},
        )
    return True


def _repair_confirm(appointment: Appointment) -> bool:
    """Record a slot held again; False (and the slot let go) if the appointment changed meanwhile."""
    with transaction.atomic():
        current = selectors.appointment_select_for_update(appointment_id=appointment.pk)
        still_booked = (
            current.state == AppointmentState.BOOKED and current.slot_id == appointment.slot_id
        )
        if still_booked:
            _event(
                current,
                action=EventAction.REPAIRED,
                actor_id=None,
                actor_role=ActorRole.SYSTEM,
                data={"result": "slot-reserved-again", "slot_id": str(current.slot_id)},
            )
    if not still_booked:
        _release_quietly(slot_id=appointment.slot_id, appointment_id=appointment.id)
    return still_booked


def _reconcile_booked(
    holds: list[clients.Hold], *, now: datetime, before: datetime, report: ReconcileReport
) -> None:
    """(c) Hold again the slot of each upcoming appointment that lost it, or cancel the appointment."""
    held = {(hold.slot_id, hold.appointment_id) for hold in holds}
    for appointment in selectors.appointment_list_booked_upcoming(now=now, unchanged_since=before):
        if (appointment.slot_id, appointment.id) in held:
            continue
        slot = clients.schedule_slot_get(slot_id=appointment.slot_id)
        if slot is not None and slot.appointment_id == appointment.id:
            continue  # held since the list was read
        try:
            clients.schedule_slot_reserve(
                slot_id=appointment.slot_id, appointment_id=appointment.id
            )
        except RESERVE_REFUSALS as exc:
            if _repair_cancel(appointment, code=exc.code):
                report.cancelled.append((appointment.id, appointment.slot_id, exc.code))
            continue
        if _repair_confirm(appointment):
            report.slots_reserved_again += 1


def appointments_reconcile(
    *,
    grace: timedelta = PENDING_GRACE,
    now: datetime | None = None,
    report: ReconcileReport | None = None,
) -> ReconcileReport:
    """Bring appointments and schedule_service's holds back in line (invariant 3).

    (a) pending appointments older than ``grace``: their slot is released if
    they hold it and they are deleted; (b) holds older than ``grace`` whose
    appointment is missing, cancelled or in another slot are released; (c)
    booked upcoming appointments (unchanged for ``grace``) whose slot they do
    not hold reserve it again, or are cancelled (event ``repaired``) when it
    cannot be had. Then idempotency keys older than 24 h (or in flight for
    minutes) are purged.

    Each repair is finished before the next begins. The holds are read first,
    so an unavailable schedule_service changes nothing; if it fails later,
    ``ServiceUnavailable`` is raised with ``report`` holding what was done.
    Safe to run at any time and concurrently with traffic.
    """
    now = now or timezone.now()
    before = now - grace
    report = report if report is not None else ReconcileReport()
    holds = list(clients.schedule_hold_list())
    released = _reconcile_pending(before=before, report=report)
    _reconcile_holds(holds, before=before, skip=released, report=report)
    _reconcile_booked(holds, now=now, before=before, report=report)
    purged, _ = IdempotencyKey.objects.filter(
        Q(created_at__lt=now - IDEMPOTENCY_KEY_TTL)
        | Q(response_status__isnull=True, created_at__lt=now - IDEMPOTENCY_IN_FLIGHT_TTL)
    ).delete()
    report.idempotency_keys_purged = purged
    return report
