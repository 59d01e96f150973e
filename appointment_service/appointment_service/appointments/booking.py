"""The writes that take a slot: booking one, and moving an appointment to another.

No transaction is ever open while schedule_service is being called: the slot
is reserved first, then one short ``transaction.atomic()`` writes the change,
and a refusal there lets the slot go again. The functions
return the appointment or raise a typed problem; the API layer renders it.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from appointment_service.appointments import clients, selectors
from appointment_service.appointments.exceptions import (
    AppointmentChanged,
    DifferentDoctor,
    RescheduleTooLate,
    TooManyReschedules,
)
from appointment_service.appointments.models import (
    ActorRole,
    Appointment,
    AppointmentState,
    EventAction,
    Override,
)
from appointment_service.appointments.steps import (
    check_actor,
    check_patient_policy,
    constraint_problems,
    lock_patient,
    overridden,
    override_data,
    record_event,
    release_quietly,
    require_upcoming,
    reserve_or_release,
    slot_data,
)

logger = logging.getLogger(__name__)


def _insert_booked(
    reservation: clients.Reservation,
    *,
    patient_id: uuid.UUID,
    reason: str,
    actor_id: uuid.UUID | None,
    actor_role: str,
    override: bool,
) -> Appointment:
    """Write the booked appointment for the reserved slot, with its one history entry.

    One transaction: the patient locked (``lock_patient``), the limits
    counted in one query, the appointment and its ``booked`` event inserted.
    Raises the limits' problems, and those of a broken constraint (the last word).
    """
    appointment = Appointment(
        id=reservation.appointment_id,
        patient_id=patient_id,
        doctor_id=reservation.doctor_id,
        slot_id=reservation.slot_id,
        start=reservation.start,
        end=reservation.end,
        state=AppointmentState.BOOKED,
        reason=reason,
        cancel_cutoff_hours=reservation.cancel_cutoff_hours,
        reschedule_cutoff_hours=reservation.reschedule_cutoff_hours,
    )
    appointment.full_clean(validate_unique=False, validate_constraints=False)
    with constraint_problems(), transaction.atomic():
        lock_patient(patient_id)
        overrides = check_patient_policy(
            patient_id=patient_id,
            doctor_id=reservation.doctor_id,
            start=reservation.start,
            end=reservation.end,
            now=timezone.now(),
            override=override,
        )
        appointment.save(force_insert=True)
        record_event(
            appointment,
            action=EventAction.BOOKED,
            actor_id=actor_id,
            actor_role=actor_role,
            data={
                **slot_data(appointment),
                "cancel_cutoff_hours": reservation.cancel_cutoff_hours,
                "reschedule_cutoff_hours": reservation.reschedule_cutoff_hours,
                **override_data(overrides),
            },
        )
    return appointment


def appointment_book(
    *,
    patient_id: uuid.UUID,
    slot_id: uuid.UUID,
    reason: str,
    actor_id: uuid.UUID | None = None,
    actor_role: str = ActorRole.PATIENT,
    override: bool = False,
) -> Appointment:
    """Book ``slot_id`` for the patient: reserve the slot, then write the booked appointment.

    The slot is reserved at schedule_service for a new appointment id first
    (one call, whose answer gives doctor, start, end and cut-offs); then one
    transaction checks the patient's limits (``MAX_UPCOMING_APPOINTMENTS``,
    and ``MAX_UPCOMING_APPOINTMENTS_PER_DOCTOR`` with one doctor; counted with
    the patient locked, so racing bookings cannot overshoot) and writes the
    appointment as booked with one ``booked`` event. Whatever fails, nothing
    is left behind: a refusal after the reservation releases the slot (best
    effort), and ``reconcile_appointments`` lets go of a hold whose
    appointment was never written (a crash in between, or a failed release).

    The patient books for themself (``actor_role`` patient), or clinic staff
    for them (``actor_id`` the staff member's id), who may ``override`` the two
    caps (recorded in the event's data). The slot must be free and bookable.

    Raises ``SlotNotFound`` (404), ``SlotTaken``, ``SlotUnavailable``,
    ``DoctorNotBookable``, ``OverlappingAppointment``, ``TooManyAppointments``,
    ``TooManyAppointmentsWithDoctor`` (409) and ``ServiceUnavailable`` (503).
    """
    check_actor(
        actor_role=actor_role, override=override, allowed=(ActorRole.PATIENT, ActorRole.STAFF)
    )
    actor_id = patient_id if actor_role == ActorRole.PATIENT else actor_id
    appointment_id = uuid.uuid4()
    reservation = reserve_or_release(slot_id=slot_id, appointment_id=appointment_id)
    try:
        appointment = _insert_booked(
            reservation,
            patient_id=patient_id,
            reason=reason,
            actor_id=actor_id,
            actor_role=actor_role,
            override=override,
        )
    except BaseException:
        release_quietly(slot_id=reservation.slot_id, appointment_id=appointment_id)
        raise
    logger.info("Booked appointment %s in slot %s", appointment.id, reservation.slot_id)
    return appointment


# Moves -------------------------------------------------------------------------------------


def check_reschedulable(
    appointment: Appointment, *, now: datetime, override: bool = False
) -> list[str]:
    """Refuse a move past the count or the cut-off, unless staff ``override`` (what was set aside).

    Only an upcoming appointment moves, override or not.
    """
    require_upcoming(appointment, now=now)
    overrides: list[str] = []
    if appointment.reschedule_count >= settings.MAX_RESCHEDULES:
        overridden(
            TooManyReschedules(
                f"An appointment can be moved at most {settings.MAX_RESCHEDULES} times."
            ),
            rule=Override.RESCHEDULE_COUNT,
            override=override,
            overrides=overrides,
        )
    if now > appointment.start - timedelta(hours=appointment.reschedule_cutoff_hours):
        overridden(
            RescheduleTooLate(
                f"Appointments with this doctor can be moved up to "
                f"{appointment.reschedule_cutoff_hours} hours before they start."
            ),
            rule=Override.RESCHEDULE_CUTOFF,
            override=override,
            overrides=overrides,
        )
    return overrides


def _point_at(current: Appointment, reservation: clients.Reservation) -> dict[str, str]:
    """Set the appointment's slot, times and cut-offs to the reservation's; the slot it had."""
    before = slot_data(current)
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
    return before


def _move(
    appointment: Appointment,
    reservation: clients.Reservation,
    *,
    actor_id: uuid.UUID,
    actor_role: str,
    override: bool,
) -> Appointment:
    """Point the appointment at the reserved slot (the patient and the row locked)."""
    with constraint_problems(), transaction.atomic():
        lock_patient(appointment.patient_id)
        current = selectors.appointment_select_for_update(appointment_id=appointment.pk)
        if current.slot_id == reservation.slot_id:
            return current  # a twin request moved it already
        if current.slot_id != appointment.slot_id:
            raise AppointmentChanged()
        now = timezone.now()
        overrides = check_reschedulable(current, now=now, override=override)
        check_patient_policy(
            patient_id=current.patient_id,
            doctor_id=current.doctor_id,
            start=reservation.start,
            end=reservation.end,
            now=now,
            exclude_id=current.pk,
        )
        before = _point_at(current, reservation)
        record_event(
            current,
            action=EventAction.RESCHEDULED,
            actor_id=actor_id,
            actor_role=actor_role,
            data={
                "from": before,
                "to": slot_data(current),
                "count": current.reschedule_count,
                **override_data(overrides),
            },
        )
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
    it already has changes nothing (a retry). The patient moves it, or clinic
    staff for them, who may ``override`` the reschedule cut-off and count
    (recorded in the event's data); the new slot must be free and bookable.

    Raises ``SlotNotFound`` (404), ``AppointmentNotUpcoming``,
    ``TooManyReschedules``, ``RescheduleTooLate``, ``DifferentDoctor``,
    ``SlotTaken``, ``SlotUnavailable``, ``OverlappingAppointment``,
    ``AppointmentChanged`` (409) and ``ServiceUnavailable`` (503).
    """
    check_actor(
        actor_role=actor_role, override=override, allowed=(ActorRole.PATIENT, ActorRole.STAFF)
    )
    if slot_id == appointment.slot_id and appointment.state == AppointmentState.BOOKED:
        return appointment
    check_reschedulable(appointment, now=timezone.now(), override=override)
    reservation = reserve_or_release(slot_id=slot_id, appointment_id=appointment.id)
    if reservation.doctor_id != appointment.doctor_id:
        release_quietly(slot_id=reservation.slot_id, appointment_id=appointment.id)
        raise DifferentDoctor()
    old_slot_id = appointment.slot_id
    try:
        moved = _move(
            appointment, reservation, actor_id=actor_id, actor_role=actor_role, override=override
        )
    except BaseException:
        release_quietly(slot_id=reservation.slot_id, appointment_id=appointment.id)
        raise
    if moved.slot_id != old_slot_id:
        release_quietly(slot_id=old_slot_id, appointment_id=appointment.id)
    logger.info(
        "Rescheduled appointment %s from slot %s to %s", moved.id, old_slot_id, reservation.slot_id
    )
    return moved
