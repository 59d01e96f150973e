"""Management commands: reconcile_appointments (with the fake schedule)."""

import datetime
import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from appointment_service.appointments import services
from appointment_service.appointments.models import (
    Appointment,
    AppointmentState,
    EventAction,
    IdempotencyKey,
)
from appointment_service.appointments.tests.conftest import assert_no_orphans
from appointment_service.appointments.tests.factories import AppointmentFactory
from common.errors import ServiceUnavailable

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def reconcile(*args) -> str:
    return run("reconcile_appointments", "--grace", "0", *args)


def _age(appointment, seconds: int = 120) -> None:
    then = timezone.now() - datetime.timedelta(seconds=seconds)
    Appointment.objects.filter(pk=appointment.pk).update(created_at=then, updated_at=then)


def _pending(schedule, slot, *, hold: bool, age: int = 120) -> Appointment:
    appointment = AppointmentFactory(
        slot_id=slot.id,
        doctor_id=slot.doctor_id,
        start=slot.start,
        end=slot.end,
        state=AppointmentState.PENDING,
    )
    if hold:
        schedule.hold(slot, appointment.id, age_seconds=age)
    _age(appointment, age)
    return appointment


def test_nothing_to_do(schedule):
    out = reconcile()
    assert "pending removed: 0, holds released: 0, slots reserved again: 0" in out
    assert "in line" in out


def test_a_consistent_booking_is_left_alone(schedule, book, patient_id):
    appointment = book(patient_id, schedule.add_slot())
    _age(appointment)
    reconcile()
    appointment.refresh_from_db()
    assert appointment.state == AppointmentState.BOOKED
    assert schedule.count("reserve") == 1
    assert schedule.count("release") == 0


# (a) pending appointments


def test_abandoned_pending_appointments_are_released_and_deleted(schedule):
    holding = _pending(schedule, schedule.add_slot(), hold=True)
    not_holding = _pending(schedule, schedule.add_slot(), hold=False)
    out = reconcile()
    assert "pending removed: 2" in out
    assert not Appointment.objects.filter(pk__in=[holding.pk, not_holding.pk]).exists()
    assert schedule.held_by(holding.id) == set()
    assert_no_orphans(schedule)


def test_a_pending_appointment_whose_slot_another_holds_is_deleted_without_release(schedule):
    slot = schedule.add_slot()
    pending = _pending(schedule, slot, hold=False)
    other = AppointmentFactory(slot_id=slot.id, state=AppointmentState.COMPLETED)
    schedule.hold(slot, other.id)
    reconcile()
    assert not Appointment.objects.filter(pk=pending.pk).exists()
    assert schedule.holder_of(slot.id) == other.id
    assert schedule.count("release") == 0


def test_young_pending_appointments_are_left_to_their_request(schedule):
    slot = schedule.add_slot()
    pending = _pending(schedule, slot, hold=True, age=0)
    run("reconcile_appointments")  # default grace: 60 s
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
    _age(moved)

    out = reconcile()
    assert "holds released: 3" in out
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
    run("reconcile_appointments")
    assert schedule.holder_of(new_slot.id) == appointment.id


def test_a_hold_that_changed_hands_meanwhile_is_left(schedule, monkeypatch):
    slot = schedule.add_slot()
    schedule.hold(slot, uuid.uuid4(), age_seconds=120)
    stale_list = schedule.hold_list()
    schedule.hold(slot, AppointmentFactory(slot_id=slot.id).id)
    monkeypatch.setattr(
        "appointment_service.appointments.clients.schedule_hold_list", lambda: stale_list
    )
    assert "holds released: 0" in reconcile()


# (c) booked appointments without their slot


def test_a_booked_appointment_that_lost_its_hold_reserves_it_again(schedule, book, patient_id):
    appointment = book(patient_id, schedule.add_slot())
    schedule.slots[appointment.slot_id].holder = None
    _age(appointment)
    out = reconcile()
    assert "slots reserved again: 1" in out
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
    _age(appointment)

    out = reconcile()
    appointment.refresh_from_db()
    assert appointment.state == AppointmentState.CANCELLED
    assert appointment.cancelled_by == "system"
    assert "appointments cancelled: 1" in out
    assert f"cancelled appointment {appointment.id}" in out
    event = appointment.events.get(action=EventAction.REPAIRED)
    assert event.data["result"] == "cancelled"
    assert event.data["code"] in ("slot-taken", "slot-unavailable", "slot-not-found")


def test_past_and_recently_changed_appointments_are_not_touched(schedule, patient_id, book):
    past_slot = schedule.add_slot(start=timezone.now() - datetime.timedelta(hours=2))
    past = AppointmentFactory(slot_id=past_slot.id, start=past_slot.start, end=past_slot.end)
    _age(past)
    recent = book(patient_id, schedule.add_slot())
    schedule.slots[recent.slot_id].holder = None  # e.g. a cancel between release and write
    run("reconcile_appointments")
    assert schedule.count("reserve") == 1  # the booking's only
    assert Appointment.objects.get(pk=recent.pk).state == AppointmentState.BOOKED


def test_a_cancel_racing_the_repair_lets_go_of_the_slot_again(
    schedule, book, patient_id, monkeypatch
):
    appointment = book(patient_id, schedule.add_slot())
    schedule.slots[appointment.slot_id].holder = None
    _age(appointment)
    real_reserve = schedule.slot_reserve

    def reserve_while_cancelled(**kwargs):
        reservation = real_reserve(**kwargs)
        Appointment.objects.filter(pk=appointment.pk).update(state=AppointmentState.CANCELLED)
        return reservation

    monkeypatch.setattr(
        "appointment_service.appointments.clients.schedule_slot_reserve", reserve_while_cancelled
    )
    assert "slots reserved again: 0" in reconcile()
    assert schedule.holder_of(appointment.slot_id) is None


def test_a_repair_cancel_racing_a_change_is_skipped(schedule, book, patient_id, monkeypatch):
    appointment = book(patient_id, schedule.add_slot())
    slot = schedule.slots[appointment.slot_id]
    slot.holder, slot.bookable = None, False
    _age(appointment)
    real_reserve = schedule.slot_reserve

    def refuse_while_cancelled(**kwargs):
        Appointment.objects.filter(pk=appointment.pk).update(state=AppointmentState.CANCELLED)
        return real_reserve(**kwargs)

    monkeypatch.setattr(
        "appointment_service.appointments.clients.schedule_slot_reserve", refuse_while_cancelled
    )
    assert "appointments cancelled: 0" in reconcile()
    assert not appointment.events.filter(action=EventAction.REPAIRED).exists()


# Idempotency keys


def test_old_and_abandoned_idempotency_keys_are_purged(schedule):
    now = timezone.now()
    rows = {
        name: IdempotencyKey.objects.create(
            patient_id=uuid.uuid4(), key=name, request_hash="h", response_status=status
        )
        for name, status in [("old", 201), ("fresh", 201), ("abandoned", None), ("in-flight", None)]
    }
    ages = {"old": datetime.timedelta(hours=25), "abandoned": datetime.timedelta(minutes=5)}
    for name, age in ages.items():
        IdempotencyKey.objects.filter(pk=rows[name].pk).update(created_at=now - age)
    assert "idempotency keys purged: 2" in reconcile()
    assert set(IdempotencyKey.objects.values_list("key", flat=True)) == {"fresh", "in-flight"}


# schedule_service unavailable


def test_schedule_down_changes_nothing_and_exits_non_zero(schedule, book, patient_id):
    pending = _pending(schedule, schedule.add_slot(), hold=True)
    lost = book(patient_id, schedule.add_slot())
    schedule.slots[lost.slot_id].holder = None
    _age(lost)
    schedule.down.add("holds")
    calls_before = len(schedule.calls)
    with pytest.raises(CommandError, match="schedule_service could not be asked"):
        reconcile()
    assert Appointment.objects.filter(pk=pending.pk, state=AppointmentState.PENDING).exists()
    assert Appointment.objects.get(pk=lost.pk).state == AppointmentState.BOOKED
    assert [call[0] for call in schedule.calls[calls_before:]] == ["holds"]


def test_schedule_failing_half_way_leaves_each_repair_whole(schedule, monkeypatch):
    first = _pending(schedule, schedule.add_slot(), hold=True)
    second = _pending(schedule, schedule.add_slot(), hold=True)
    real_release = schedule.slot_release
    calls = []

    def release_once(**kwargs):
        calls.append(kwargs)
        if len(calls) > 1:
            raise ServiceUnavailable()
        return real_release(**kwargs)

    monkeypatch.setattr(
        "appointment_service.appointments.clients.schedule_slot_release", release_once
    )
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("reconcile_appointments", "--grace", "0", stdout=out)
    assert "pending removed: 1" in out.getvalue()
    remaining = Appointment.objects.get()  # one removed whole, the other untouched
    assert remaining.pk in (first.pk, second.pk)
    assert schedule.holder_of(remaining.slot_id) == remaining.id


def test_negative_grace_is_refused(schedule):
    with pytest.raises(CommandError):
        run("reconcile_appointments", "--grace", "-1")


def test_reconcile_report_counts():
    report = services.ReconcileReport(pending_removed=1)
    assert report.counts()["pending removed"] == 1
