"""Stand-ins for schedule_service at the clients.py boundary.

Also the invariant both sides keep together (``assert_no_orphans``).
"""

from __future__ import annotations

import datetime
import threading
import uuid
from dataclasses import dataclass

from django.utils import timezone

from appointment_service.appointments import clients
from appointment_service.appointments.exceptions import (
    DoctorNotBookable,
    SlotHeldByOther,
    SlotNotFound,
    SlotTaken,
    SlotUnavailable,
)
from appointment_service.appointments.models import LIVE_STATES, Appointment, AppointmentState
from common.errors import ServiceUnavailable

OPERATIONS = ("get", "reserve", "release", "holds", "list")


@dataclass
class FakeSlot:
    id: uuid.UUID
    doctor_id: uuid.UUID
    start: datetime.datetime
    end: datetime.datetime
    bookable: bool = True
    holder: uuid.UUID | None = None
    held_at: datetime.datetime | None = None
    cancel_cutoff_hours: int = 24
    reschedule_cutoff_hours: int = 12
    refusal: str | None = None  # schedule_service's code for an unbookable slot


class FakeSchedule:
    """schedule_service as clients.py sees it: slots really held per appointment, thread-safe.

    - ``down``: operations (``get``, ``reserve``, ``release``, ``holds``) that
      fail with ``ServiceUnavailable`` before doing anything;
    - ``act_then_fail``: operations that do their work, then fail as a timeout would;
    - ``refuse``: a 409 code that ``reserve`` answers whatever the slot says
      (schedule_service's own rules: notice, horizon, buffer).
    """

    def __init__(self) -> None:
        self.slots: dict[uuid.UUID, FakeSlot] = {}
        self.down: set[str] = set()
        self.act_then_fail: set[str] = set()
        self.refuse: str | None = None
        self.calls: list[tuple[str, uuid.UUID | None, uuid.UUID | None]] = []
        self._lock = threading.Lock()
        self._base = (timezone.now() + datetime.timedelta(days=3)).replace(
            hour=8, minute=0, second=0, microsecond=0
        )

    # Test set-up

    def add_slot(
        self,
        *,
        doctor_id: uuid.UUID | None = None,
        start: datetime.datetime | None = None,
        minutes: int = 30,
        **kwargs,
    ) -> FakeSlot:
        """A slot (by default one hour after the previous one, so none overlap)."""
        start = start or self._base + datetime.timedelta(hours=len(self.slots))
        slot = FakeSlot(
            id=uuid.uuid4(),
            doctor_id=doctor_id or uuid.uuid4(),
            start=start,
            end=start + datetime.timedelta(minutes=minutes),
            **kwargs,
        )
        self.slots[slot.id] = slot
        return slot

    def hold(self, slot: FakeSlot, appointment_id: uuid.UUID, *, age_seconds: int = 0) -> None:
        slot.holder = appointment_id
        slot.held_at = timezone.now() - datetime.timedelta(seconds=age_seconds)

    def holder_of(self, slot_id: uuid.UUID) -> uuid.UUID | None:
        return self.slots[slot_id].holder

    def held_by(self, appointment_id: uuid.UUID) -> set[uuid.UUID]:
        return {slot.id for slot in self.slots.values() if slot.holder == appointment_id}

    def count(self, operation: str) -> int:
        return sum(1 for call in self.calls if call[0] == operation)

    # The clients.py functions

    def _enter(self, operation: str, slot_id=None, appointment_id=None) -> None:
        self.calls.append((operation, slot_id, appointment_id))
        if operation in self.down:
            raise ServiceUnavailable("The schedule_service service cannot be reached.")

    def _leave(self, operation: str) -> None:
        if operation in self.act_then_fail:
            raise ServiceUnavailable("The schedule_service service could not answer.")

    def slot_get(
        self, *, slot_id: uuid.UUID, appointment_id: uuid.UUID | None = None
    ) -> clients.Slot | None:
        with self._lock:
            self._enter("get", slot_id)
            slot = self.slots.get(slot_id)
            if slot is None:
                return None
            return clients.Slot(
                id=slot.id,
                doctor_id=slot.doctor_id,
                start=slot.start,
                end=slot.end,
                held=slot.holder is not None,
                appointment_id=slot.holder,
                bookable=slot.bookable and slot.holder is None,
                cancel_cutoff_hours=slot.cancel_cutoff_hours,
                reschedule_cutoff_hours=slot.reschedule_cutoff_hours,
                refusal=slot.refusal if not slot.bookable else None,
            )

    def slot_reserve(self, *, slot_id: uuid.UUID, appointment_id: uuid.UUID) -> clients.Reservation:
        with self._lock:
            self._enter("reserve", slot_id, appointment_id)
            slot = self.slots.get(slot_id)
            if slot is None:
                raise SlotNotFound()
            if slot.holder is not None and slot.holder != appointment_id:
                raise SlotTaken()
            if slot.holder is None:
                if self.refuse == "slot-taken":
                    raise SlotTaken()
                if "doctor-not-bookable" in (self.refuse, slot.refusal):
                    raise DoctorNotBookable()
                if self.refuse or not slot.bookable:
                    raise SlotUnavailable()
                self.hold(slot, appointment_id)
            self._leave("reserve")
            return clients.Reservation(
                slot_id=slot.id,
                doctor_id=slot.doctor_id,
                start=slot.start,
                end=slot.end,
                appointment_id=appointment_id,
                cancel_cutoff_hours=slot.cancel_cutoff_hours,
                reschedule_cutoff_hours=slot.reschedule_cutoff_hours,
            )

    def slot_release(self, *, slot_id: uuid.UUID, appointment_id: uuid.UUID) -> None:
        with self._lock:
            self._enter("release", slot_id, appointment_id)
            slot = self.slots.get(slot_id)
            if slot is None or slot.holder is None:
                return
            if slot.holder != appointment_id:
                raise SlotHeldByOther()
            slot.holder = slot.held_at = None
            self._leave("release")

    def slot_list(
        self, *, doctor_id: uuid.UUID, first: datetime.date, last: datetime.date
    ) -> list[clients.FreeSlot]:
        with self._lock:
            self._enter("list", None)
            if self.refuse == "doctor-not-bookable":
                raise DoctorNotBookable()
            return [
                clients.FreeSlot(
                    id=slot.id, doctor_id=slot.doctor_id, start=slot.start, end=slot.end
                )
                for slot in sorted(self.slots.values(), key=lambda s: s.start)
                if slot.doctor_id == doctor_id
                and slot.holder is None
                and slot.bookable
                and first <= slot.start.date() <= last
            ]

    def hold_list(self, *, doctor_id: uuid.UUID | None = None):
        with self._lock:
            self._enter("holds")
            return [
                clients.Hold(
                    slot_id=slot.id,
                    doctor_id=slot.doctor_id,
                    start=slot.start,
                    end=slot.end,
                    appointment_id=slot.holder,
                    created_at=slot.held_at,
                )
                for slot in self.slots.values()
                if slot.holder is not None and (doctor_id is None or slot.doctor_id == doctor_id)
            ]


def hold_for_someone_else(schedule: FakeSchedule, slot: FakeSlot) -> Appointment:
    """Another patient's booked appointment holding ``slot`` on both sides."""
    from appointment_service.appointments.tests.factories import AppointmentFactory

    other = AppointmentFactory(
        slot_id=slot.id, doctor_id=slot.doctor_id, start=slot.start, end=slot.end
    )
    schedule.hold(slot, other.id)
    return other


def assert_no_orphans(schedule: FakeSchedule) -> None:
    """Invariant 3 across both sides: no pending appointment, no hold without its live appointment,
    no live appointment without its hold (for the slots the fake knows)."""
    assert not Appointment.objects.filter(state=AppointmentState.PENDING).exists()
    appointments = {a.id: a for a in Appointment.objects.all()}
    for slot in schedule.slots.values():
        if slot.holder is None:
            continue
        appointment = appointments.get(slot.holder)
        assert appointment is not None, f"slot {slot.id} held for a missing appointment"
        assert appointment.state != AppointmentState.CANCELLED, (
            f"slot {slot.id} held by a cancelled one"
        )
        assert appointment.slot_id == slot.id, f"slot {slot.id} held by an appointment elsewhere"
    for appointment in appointments.values():
        if appointment.state in LIVE_STATES and appointment.slot_id in schedule.slots:
            assert schedule.holder_of(appointment.slot_id) == appointment.id, (
                f"appointment {appointment.id} without its slot"
            )


def age(appointment: Appointment, seconds: int = 120) -> None:
    """Make ``appointment`` look ``seconds`` old (reconciliation repairs only what is old enough)."""
    then = timezone.now() - datetime.timedelta(seconds=seconds)
    Appointment.objects.filter(pk=appointment.pk).update(created_at=then, updated_at=then)


def make_pending(schedule, slot, *, hold: bool, age_seconds: int = 120) -> Appointment:
    """A booking left pending ``age_seconds`` ago, its slot held at schedule_service or not."""
    from appointment_service.appointments.tests.factories import AppointmentFactory

    appointment = AppointmentFactory(
        slot_id=slot.id,
        doctor_id=slot.doctor_id,
        start=slot.start,
        end=slot.end,
        state=AppointmentState.PENDING,
    )
    if hold:
        schedule.hold(slot, appointment.id, age_seconds=age_seconds)
    age(appointment, age_seconds)
    return appointment
