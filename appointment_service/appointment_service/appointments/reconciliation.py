"""Bring appointments and schedule_service's slot holds back in line (invariant 3).

Run by ``reconcile_appointments`` on a schedule: every repair is finished
before the next begins, so it is safe at any time and beside live traffic.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from appointment_service.appointments import clients, idempotency, selectors
from appointment_service.appointments.exceptions import SlotHeldByOther
from appointment_service.appointments.models import (
    ActorRole,
    Appointment,
    AppointmentState,
    EventAction,
)
from appointment_service.appointments.steps import (
    RESERVE_REFUSALS,
    delete_pending,
    record_event,
    release_quietly,
)

# A pending appointment older than this belongs to a booking request that is over.
PENDING_GRACE = timedelta(seconds=60)


@dataclass
class ReconcileReport:
    """What one run repaired, by kind (filled as it goes, so a failed run still tells)."""

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
        if delete_pending(appointment.id):
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
        record_event(
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
            record_event(
                current,
                action=EventAction.REPAIRED,
                actor_id=None,
                actor_role=ActorRole.SYSTEM,
                data={"result": "slot-reserved-again", "slot_id": str(current.slot_id)},
            )
    if not still_booked:
        release_quietly(slot_id=appointment.slot_id, appointment_id=appointment.id)
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
    report.idempotency_keys_purged = idempotency.keys_purge(now=now)
    return report
