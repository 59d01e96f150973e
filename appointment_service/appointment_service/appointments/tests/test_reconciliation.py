"""Reconciliation: appointments and schedule_service's holds brought back in line (fake schedule)."""

import datetime
import uuid

import pytest
from django.utils import timezone

from appointment_service.appointments import reconciliation
from appointment_service.appointments.models import (
    Appointment,
    AppointmentState,
    EventAction,
    IdempotencyKey,
)
from appointment_service.appointments.tests.factories import AppointmentFactory
from appointment_service.appointments.tests.fakes import age, assert_no_orphans, make_pending

pytestmark = pytest.mark.django_db


def reconcile() -> reconciliation.ReconcileReport:
    """One run with no grace: everything in the tables is old enough to repair."""
    return reconciliation.appointments_reconcile(grace=datetime.timedelta(0))


def test_a_consistent_booking_is_left_alone(schedule, book, patient_id):
    appointment = book(patient_id, schedule.add_slot())
    age(appointment)
    reconcile()
    appointment.refresh_from_db()
    assert appointment.state == AppointmentState.BOOKED
    assert schedule.count("reserve") == 1
    assert schedule.count("release") == 0


# (a) pending appointments


def test_abandoned_pending_appointments_are_released_and_deleted(schedule):
    holding = make_pending(schedule, schedule.add_slot(), hold=True)
    not_holding = make_pending(schedule, schedule.add_slot(), hold=False)
    report = reconcile()
    assert report.counts()["pending removed"] == 2
    assert not Appointment.objects.filter(pk__in=[holding.pk, not_holding.pk]).exists()
    assert schedule.held_by(holding.id) == set()
    assert_no_orphans(schedule)


def test_a_pending_appointment_whose_slot_another_holds_is_deleted_without_release(schedule):
    slot = schedule.add_slot()
    pending = make_pending(schedule, slot, hold=False)
    other = AppointmentFactory(slot_id=slot.id, state=AppointmentState.COMPLETED)
    schedule.hold(slot, other.id)
    reconcile()
    assert not Appointment.objects.filter(pk=pending.pk).exists()
    assert schedule.holder_of(slot.id) == other.id
    assert schedule.count("release") == 0


def test_young_pending_appointments_are_left_to_their_request(schedule):
    slot = schedule.add_slot()
    pending = make_pending(schedule, slot, hold=True, age_seconds=0)
    reconciliation.appointments_reconcile()  # default grace: 60 s
    assert Appointment.objects.filter(pk=pending.pk).exists()
    assert schedule.holder_of(slot.id) == pending.id


# (b) holds


def test_holds_of_missing_cancelled_or_moved_appointments_are_released(schedule, book, patient_id):
    missing = schedule.add_slot()
    schedule.hold(missing, uuid.uuid4(), age_seconds=120)
    cancelled_slot = schedule.add_slot()
    cancelled = AppointmentFactory(slot_id=cancelled_slot.id, state=AppointmentState.CANCELLED)
    schedule.hold(cancelled_slot, cancelled.id, age_seconds=120)
    moved = book(patient_id, schedule.add_slot())
    old_slot = schedule.add_slot()
    schedule.hold(old_slot, moved.id, age_seconds=120)
    age(moved)

    report = reconcile()
    assert report.counts()["holds released"] == 3
    for slot in (missing, cancelled_slot, old_slot):
        assert schedule.holder_of(slot.id) is None
    assert schedule.held_by(moved.id) == {moved.slot_id}
    assert_no_orphans(schedule)


def test_holds_of_completed_appointments_are_kept(schedule):
    slot = schedule.add_slot()
    done = AppointmentFactory(slot_id=slot.id, state=AppointmentState.NO_SHOW)
    schedule.hold(slot, done.id, age_seconds=120)
    reconcile()
    assert schedule.holder_of(slot.id) == done.id


def test_young_holds_are_left_to_a_move_in_flight(schedule, book, patient_id):
    appointment = book(patient_id, schedule.add_slot())
    new_slot = schedule.add_slot()
    schedule.hold(new_slot, appointment.id)  # reserved a moment ago, the move not yet written
    reconciliation.appointments_reconcile()
    assert schedule.holder_of(new_slot.id) == appointment.id


def test_a_hold_that_changed_hands_meanwhile_is_left(schedule, monkeypatch):
    slot = schedule.add_slot()
    schedule.hold(slot, uuid.uuid4(), age_seconds=120)
    stale_list = schedule.hold_list()
    schedule.hold(slot, AppointmentFactory(slot_id=slot.id).id)
    monkeypatch.setattr(
        "appointment_service.appointments.clients.schedule_hold_list", lambda: stale_list
    )
    assert reconcile().counts()["holds released"] == 0


# (c) booked appointments without their slot


def test_a_booked_appointment_that_lost_its_hold_reserves_it_again(schedule, book, patient_id):
    appointment = book(patient_id, schedule.add_slot())
    schedule.slots[appointment.slot_id].holder = None
    age(appointment)
    report = reconcile()
    assert report.counts()["slots reserved again"] == 1
    assert schedule.holder_of(appointment.slot_id) == appointment.id
    event = appointment.events.get(action=EventAction.REPAIRED)
    assert (event.actor_role, event.actor_id) == ("system", None)
    assert event.data["result"] == "slot-reserved-again"
    assert_no_orphans(schedule)


@pytest.mark.parametrize("how", ["taken", "unavailable", "gone"])
def test_a_booked_appointment_whose_slot_cannot_be_had_is_cancelled(
    schedule, book, patient_id, how
):
    appointment = book(patient_id, schedule.add_slot())
    slot = schedule.slots[appointment.slot_id]
    slot.holder = None
    if how == "taken":
        other = AppointmentFactory(slot_id=slot.id, state=AppointmentState.COMPLETED)
        schedule.hold(slot, other.id)
    elif how == "unavailable":
        slot.bookable = False
    else:
        del schedule.slots[slot.id]
    age(appointment)

    report = reconcile()
    appointment.refresh_from_db()
    assert appointment.state == AppointmentState.CANCELLED
    assert appointment.cancelled_by == "system"
    assert [cancelled[:2] for cancelled in report.cancelled] == [(appointment.id, slot.id)]
    event = appointment.events.get(action=EventAction.REPAIRED)
    assert event.data["result"] == "cancelled"
    assert event.data["code"] in ("slot-taken", "slot-unavailable", "slot-not-found")


def test_past_and_recently_changed_appointments_are_not_touched(schedule, patient_id, book):
    past_slot = schedule.add_slot(start=timezone.now() - datetime.timedelta(hours=2))
    past = AppointmentFactory(slot_id=past_slot.id, start=past_slot.start, end=past_slot.end)
    age(past)
    recent = book(patient_id, schedule.add_slot())
    schedule.slots[recent.slot_id].holder = None  # e.g. a cancel between release and write
    reconciliation.appointments_reconcile()
    assert schedule.count("reserve") == 1  # the booking's only
    assert Appointment.objects.get(pk=recent.pk).state == AppointmentState.BOOKED


def test_a_cancel_racing_the_repair_lets_go_of_the_slot_again(
    schedule, book, patient_id, monkeypatch
):
    appointment = book(patient_id, schedule.add_slot())
    schedule.slots[appointment.slot_id].holder = None
    age(appointment)
    real_reserve = schedule.slot_reserve

    def reserve_while_cancelled(**kwargs):
        reservation = real_reserve(**kwargs)
        Appointment.objects.filter(pk=appointment.pk).update(state=AppointmentState.CANCELLED)
        return reservation

    monkeypatch.setattr(
        "appointment_service.appointments.clients.schedule_slot_reserve", reserve_while_cancelled
    )
    assert reconcile().counts()["slots reserved again"] == 0
    assert schedule.holder_of(appointment.slot_id) is None


def test_a_repair_cancel_racing_a_change_is_skipped(schedule, book, patient_id, monkeypatch):
    appointment = book(patient_id, schedule.add_slot())
    slot = schedule.slots[appointment.slot_id]
    slot.holder, slot.bookable = None, False
    age(appointment)
    real_reserve = schedule.slot_reserve

    def refuse_while_cancelled(**kwargs):
        Appointment.objects.filter(pk=appointment.pk).update(state=AppointmentState.CANCELLED)
        return real_reserve(**kwargs)

    monkeypatch.setattr(
        "appointment_service.appointments.clients.schedule_slot_reserve", refuse_while_cancelled
    )
    assert reconcile().counts()["appointments cancelled"] == 0
    assert not appointment.events.filter(action=EventAction.REPAIRED).exists()


def test_old_and_abandoned_idempotency_keys_are_purged(schedule):
    old = IdempotencyKey.objects.create(
        patient_id=uuid.uuid4(), key="old", request_hash="h", response_status=201
    )
    IdempotencyKey.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=25)
    )
    assert reconcile().idempotency_keys_purged == 1
    assert not IdempotencyKey.objects.exists()
