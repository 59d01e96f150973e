"""The writes that change a booked appointment in place: its reason, cancelling it, its outcome.

Each returns the appointment or raises a typed problem; the API layer renders it.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from appointment_service.appointments import clients, selectors
from appointment_service.appointments.exceptions import (
    AppointmentCancelled,
    AppointmentChanged,
    AppointmentCompleted,
    AppointmentNotStarted,
    SlotHeldByOther,
)
from appointment_service.appointments.models import (
    ActorRole,
    Appointment,
    AppointmentState,
    AppointmentStatus,
    EventAction,
    Outcome,
    Override,
)
from appointment_service.appointments.steps import (
    check_actor,
    override_data,
    record_event,
    require_upcoming,
)

logger = logging.getLogger(__name__)

# Who must say why they cancel (a patient need not).
REASON_REQUIRED_OF: dict[str, str] = {
    ActorRole.DOCTOR: "A doctor must give a reason to cancel.",
    ActorRole.STAFF: "Clinic staff must give a reason to cancel.",
}


def appointment_reason_update(
    *, appointment: Appointment, reason: str | None, actor_id: uuid.UUID
) -> Appointment:
    """Change the reason of an upcoming appointment (``None`` changes nothing).

    Raises ``AppointmentNotUpcoming`` (409) once it is completed or cancelled.
    """
    with transaction.atomic():
        current = selectors.appointment_select_for_update(appointment_id=appointment.pk)
        require_upcoming(current, now=timezone.now())
        if reason is None or reason == current.reason:
            return current
        previous = current.reason
        current.reason = reason
        current.full_clean(validate_unique=False, validate_constraints=False)
        current.save(update_fields=["reason", "updated_at"])
        record_event(
            current,
            action=EventAction.REASON_CHANGED,
            actor_id=actor_id,
            actor_role=ActorRole.PATIENT,
            data={"from": previous, "to": reason},
        )
    return current


def _release_for_cancel(appointment: Appointment) -> None:
    """Free the appointment's slot at schedule_service (a 503 stops the cancellation)."""
    try:
        clients.schedule_slot_release(slot_id=appointment.slot_id, appointment_id=appointment.id)
    except SlotHeldByOther:
        logger.warning(
            "Slot %s of appointment %s is held by another appointment; cancelling anyway",
            appointment.slot_id,
            appointment.id,
        )


def _record_cancel(
    appointment: Appointment, *, actor_id: uuid.UUID, actor_role: str, reason: str, override: bool
) -> Appointment:
    """Mark the appointment cancelled, late or not, unless it changed since its slot was freed."""
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
        record_event(
            current,
            action=EventAction.CANCELLED,
            actor_id=actor_id,
            actor_role=actor_role,
            data={"by": actor_role, "late": late, "reason": reason, **override_data(overrides)},
        )
    logger.info("Cancelled appointment %s (by %s, late=%s)", current.id, actor_role, late)
    return current


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
    check_actor(
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
    _release_for_cancel(appointment)
    return _record_cancel(
        appointment, actor_id=actor_id, actor_role=actor_role, reason=reason, override=override
    )


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
    check_actor(actor_role=actor_role, override=False, allowed=(ActorRole.DOCTOR, ActorRole.STAFF))
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
        record_event(
            current,
            action=EventAction.NO_SHOW
            if target == AppointmentState.NO_SHOW
            else EventAction.COMPLETED,
            actor_id=actor_id,
            actor_role=actor_role,
            data={"previous_state": previous},
        )
    return current
