"""Writes: booking, reason changes, reschedules, cancellations, outcomes."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from appointment_service.appointments import booking, changes, clients, reconciliation, selectors
from appointment_service.appointments.exceptions import (
    AppointmentCancelled,
    AppointmentChanged,
    AppointmentCompleted,
    AppointmentNotStarted,
    AppointmentNotUpcoming,
    DifferentDoctor,
    OverlappingAppointment,
    RescheduleTooLate,
    SlotNotFound,
    SlotTaken,
    SlotUnavailable,
    TooManyAppointments,
    TooManyAppointmentsWithDoctor,
    TooManyReschedules,
)
from appointment_service.appointments.models import (
    Appointment,
    AppointmentState,
    EventAction,
)
from appointment_service.appointments.steps import constraint_problem
from appointment_service.appointments.tests.factories import AppointmentFactory
from appointment_service.appointments.tests.fakes import (
    assert_no_orphans,
    hold_for_someone_else,
)
from common.errors import ServiceUnavailable

pytestmark = pytest.mark.django_db


def _actions(appointment) -> list[str]:
    return list(appointment.events.order_by("at", "id").values_list("action", flat=True))


def _snapshot(appointment) -> dict:
    appointment.refresh_from_db()
    return {
        f.name: getattr(appointment, f.attname)
        for f in Appointment._meta.concrete_fields
        if f.name != "updated_at"
    } | {"updated_at": appointment.updated_at, "events": _actions(appointment)}


# Booking -------------------------------------------------------------------------------


def test_book_takes_doctor_and_times_from_the_slot_and_holds_it(schedule, patient_id):
    slot = schedule.add_slot(cancel_cutoff_hours=48, reschedule_cutoff_hours=6)
    booked = booking.appointment_book(patient_id=patient_id, slot_id=slot.id, reason="Cough")
    appointment = Appointment.objects.get()
    assert booked == appointment
    assert (appointment.doctor_id, appointment.start, appointment.end) == (
        slot.doctor_id,
        slot.start,
        slot.end,
    )
    assert appointment.state == AppointmentState.BOOKED
    assert (appointment.cancel_cutoff_hours, appointment.reschedule_cutoff_hours) == (48, 6)
    assert schedule.holder_of(slot.id) == appointment.id
    assert _actions(appointment) == [EventAction.BOOKED]
    assert appointment.events.get().data == {
        "slot_id": str(slot.id),
        "start": slot.start.isoformat(),
        "end": slot.end.isoformat(),
        "cancel_cutoff_hours": 48,
        "reschedule_cutoff_hours": 6,
    }
    # One call to schedule_service: the reservation's answer gives doctor, times and cut-offs.
    assert schedule.calls == [("reserve", slot.id, appointment.id)]
    assert_no_orphans(schedule)


def test_book_unknown_slot_is_404_and_leaves_nothing(schedule, patient_id):
    with pytest.raises(SlotNotFound):
        booking.appointment_book(patient_id=patient_id, slot_id=uuid.uuid4(), reason="")
    assert not Appointment.objects.exists()


def test_book_held_slot_is_slot_taken(schedule, patient_id):
    slot = schedule.add_slot()
    holder = uuid.uuid4()
    schedule.hold(slot, holder)
    with pytest.raises(SlotTaken):
        booking.appointment_book(patient_id=patient_id, slot_id=slot.id, reason="")
    assert not Appointment.objects.exists()
    assert schedule.count("release") == 0  # a refusal holds nothing; the holder keeps it
    assert schedule.holder_of(slot.id) == holder


def test_book_unbookable_slot_is_slot_unavailable(schedule, patient_id):
    slot = schedule.add_slot(bookable=False)
    with pytest.raises(SlotUnavailable):
        booking.appointment_book(patient_id=patient_id, slot_id=slot.id, reason="")
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("refusal", "problem"), [("slot-taken", SlotTaken), ("slot-unavailable", SlotUnavailable)]
)
def test_book_refused_reservation_leaves_no_appointment(schedule, patient_id, refusal, problem):
    slot = schedule.add_slot()
    schedule.refuse = refusal
    with pytest.raises(problem):
        booking.appointment_book(patient_id=patient_id, slot_id=slot.id, reason="")
    assert not Appointment.objects.exists()
    assert schedule.holder_of(slot.id) is None
    assert_no_orphans(schedule)


def test_book_does_not_look_the_slot_up(schedule, patient_id):
    slot = schedule.add_slot()
    schedule.down.add("get")
    booking.appointment_book(patient_id=patient_id, slot_id=slot.id, reason="")
    assert schedule.count("get") == 0
    assert_no_orphans(schedule)


def test_book_with_reserve_unreachable_is_503_releases_and_leaves_nothing(schedule, patient_id):
    slot = schedule.add_slot()
    schedule.down.add("reserve")
    with pytest.raises(ServiceUnavailable):
        booking.appointment_book(patient_id=patient_id, slot_id=slot.id, reason="")
    assert not Appointment.objects.exists()
    assert schedule.count("release") == 1  # best effort, in case it did reserve
    assert_no_orphans(schedule)


def test_book_with_a_reservation_that_timed_out_after_acting_is_released(schedule, patient_id):
    slot = schedule.add_slot()
    schedule.act_then_fail.add("reserve")
    with pytest.raises(ServiceUnavailable):
        booking.appointment_book(patient_id=patient_id, slot_id=slot.id, reason="")
    assert not Appointment.objects.exists()
    assert schedule.holder_of(slot.id) is None
    assert_no_orphans(schedule)


def test_book_when_release_also_fails_leaves_a_hold_for_reconciliation(schedule, patient_id):
    slot = schedule.add_slot()
    schedule.act_then_fail.add("reserve")
    schedule.down.add("release")
    with pytest.raises(ServiceUnavailable):
        booking.appointment_book(patient_id=patient_id, slot_id=slot.id, reason="")
    assert not Appointment.objects.exists()
    orphan = schedule.holder_of(slot.id)
    assert orphan is not None
    schedule.down.clear()
    schedule.act_then_fail.clear()
    report = reconciliation.appointments_reconcile(grace=datetime.timedelta(0))
    assert report.holds_released == 1
    assert_no_orphans(schedule)


def test_a_crash_between_reserve_and_insert_leaves_a_hold_that_reconciliation_releases(
    schedule, patient_id, monkeypatch
):
    """The process dies after the reservation: no appointment, no release, only the hold."""
    slot = schedule.add_slot()

    def crash(*args, **kwargs):
        schedule.down.add("release")  # a dead process releases nothing either
        raise RuntimeError("the worker died")

    monkeypatch.setattr(booking, "_insert_booked", crash)
    with pytest.raises(RuntimeError):
        booking.appointment_book(patient_id=patient_id, slot_id=slot.id, reason="")
    assert not Appointment.objects.exists()
    orphan = schedule.holder_of(slot.id)
    assert orphan is not None
    schedule.down.clear()

    # Young, it may be a booking in flight: reconciliation leaves it alone.
    assert reconciliation.appointments_reconcile().holds_released == 0
    assert schedule.holder_of(slot.id) == orphan
    schedule.hold(slot, orphan, age_seconds=120)  # past the grace
    assert reconciliation.appointments_reconcile().holds_released == 1
    assert schedule.holder_of(slot.id) is None
    assert_no_orphans(schedule)


def test_book_overlapping_an_own_appointment_with_another_doctor_is_refused(
    schedule, patient_id, book
):
    first = schedule.add_slot()
    book(patient_id, first)
    overlapping = schedule.add_slot(start=first.start + datetime.timedelta(minutes=15))
    with pytest.raises(OverlappingAppointment):
        booking.appointment_book(patient_id=patient_id, slot_id=overlapping.id, reason="")
    assert Appointment.objects.count() == 1
    assert schedule.holder_of(overlapping.id) is None
    assert_no_orphans(schedule)


def test_back_to_back_appointments_do_not_overlap(schedule, patient_id, book):
    first = schedule.add_slot()
    book(patient_id, first)
    book(patient_id, schedule.add_slot(start=first.end))
    assert Appointment.objects.count() == 2


def test_a_cancelled_or_past_appointment_does_not_block(schedule, patient_id, book):
    slot = schedule.add_slot()
    AppointmentFactory(
        patient_id=patient_id, start=slot.start, end=slot.end, state=AppointmentState.CANCELLED
    )
    book(patient_id, slot)


def test_book_beyond_the_maximum_upcoming_is_refused(schedule, patient_id, book, settings):
    settings.MAX_UPCOMING_APPOINTMENTS = 2
    book(patient_id, schedule.add_slot())
    book(patient_id, schedule.add_slot())
    # Past and cancelled appointments do not count.
    AppointmentFactory(
        patient_id=patient_id,
        start=timezone.now() - datetime.timedelta(days=1),
        end=timezone.now() - datetime.timedelta(days=1) + datetime.timedelta(minutes=30),
    )
    AppointmentFactory(patient_id=patient_id, state=AppointmentState.CANCELLED)
    third = schedule.add_slot()
    with pytest.raises(TooManyAppointments):
        booking.appointment_book(patient_id=patient_id, slot_id=third.id, reason="")
    assert Appointment.objects.filter(state=AppointmentState.BOOKED).count() == 3
    assert schedule.holder_of(third.id) is None


def test_book_beyond_the_maximum_with_one_doctor_is_refused(
    schedule, patient_id, doctor_id, book, settings
):
    settings.MAX_UPCOMING_APPOINTMENTS_PER_DOCTOR = 2
    book(patient_id, schedule.add_slot(doctor_id=doctor_id))
    # A booking in flight (pending) counts; past and cancelled ones with the doctor do not,
    # nor do other patients' appointments with the doctor.
    AppointmentFactory(patient_id=patient_id, doctor_id=doctor_id, state=AppointmentState.PENDING)
    AppointmentFactory(
        patient_id=patient_id,
        doctor_id=doctor_id,
        start=timezone.now() - datetime.timedelta(days=1),
        end=timezone.now() - datetime.timedelta(days=1) + datetime.timedelta(minutes=30),
    )
    AppointmentFactory(patient_id=patient_id, doctor_id=doctor_id, state=AppointmentState.CANCELLED)
    AppointmentFactory(doctor_id=doctor_id)
    before = Appointment.objects.count()
    third = schedule.add_slot(doctor_id=doctor_id)

    with pytest.raises(TooManyAppointmentsWithDoctor, match="at most 2 upcoming"):
        booking.appointment_book(patient_id=patient_id, slot_id=third.id, reason="")

    assert Appointment.objects.count() == before
    assert schedule.holder_of(third.id) is None  # reserved first, released on the refusal
    assert [call[0] for call in schedule.calls if call[1] == third.id] == ["reserve", "release"]
    # Another doctor is another count.
    book(patient_id, schedule.add_slot())


def test_a_patient_at_the_cap_with_a_doctor_may_still_move_within_it(
    schedule, patient_id, doctor_id, book, settings
):
    settings.MAX_UPCOMING_APPOINTMENTS_PER_DOCTOR = 2
    first = book(patient_id, schedule.add_slot(doctor_id=doctor_id))
    book(patient_id, schedule.add_slot(doctor_id=doctor_id))
    target = schedule.add_slot(doctor_id=doctor_id)
    moved = booking.appointment_reschedule(
        appointment=first, slot_id=target.id, actor_id=patient_id
    )
    assert moved.slot_id == target.id


def test_slot_with_a_live_appointment_here_is_taken_even_if_schedule_lost_the_hold(
    schedule, patient_id
):
    """The unique constraint on live slots is this side of invariant 1."""
    slot = schedule.add_slot()
    AppointmentFactory(slot_id=slot.id, start=slot.start, end=slot.end)
    with pytest.raises(SlotTaken):
        booking.appointment_book(patient_id=patient_id, slot_id=slot.id, reason="")
    assert Appointment.objects.count() == 1
    assert schedule.holder_of(slot.id) is None  # the reservation it got is let go again


def test_unexpected_integrity_errors_are_not_disguised(schedule, patient_id, monkeypatch):
    slot = schedule.add_slot()

    def broken(**kwargs):
        raise IntegrityError("something else entirely")

    monkeypatch.setattr(selectors, "patient_load", broken)
    with pytest.raises(IntegrityError):
        booking.appointment_book(patient_id=patient_id, slot_id=slot.id, reason="")


def test_integrity_problem_names_the_invariant():
    overlap = IntegrityError(
        'conflicting key value violates exclusion constraint "appointment_patient_no_overlap"'
    )
    assert isinstance(constraint_problem(overlap), OverlappingAppointment)
    unique = IntegrityError("UNIQUE constraint failed: appointments_appointment.slot_id")
    assert isinstance(constraint_problem(unique), SlotTaken)
    assert constraint_problem(IntegrityError("other")) is None


# Reason --------------------------------------------------------------------------------


def test_reason_update_records_the_change(patient_id):
    appointment = AppointmentFactory(patient_id=patient_id, reason="Old")
    updated = changes.appointment_reason_update(
        appointment=appointment, reason="New", actor_id=patient_id
    )
    assert updated.reason == "New"
    event = updated.events.get()
    assert (event.action, event.data) == (EventAction.REASON_CHANGED, {"from": "Old", "to": "New"})


def test_reason_update_with_the_same_or_no_reason_changes_nothing(patient_id):
    appointment = AppointmentFactory(patient_id=patient_id, reason="Same")
    changes.appointment_reason_update(appointment=appointment, reason="Same", actor_id=patient_id)
    changes.appointment_reason_update(appointment=appointment, reason=None, actor_id=patient_id)
    assert not appointment.events.exists()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"state": AppointmentState.CANCELLED},
        {"state": AppointmentState.COMPLETED},
        {
            "start": timezone.now() - datetime.timedelta(hours=1),
            "end": timezone.now() - datetime.timedelta(seconds=1),
        },
    ],
)
def test_reason_update_when_not_upcoming_is_409(patient_id, kwargs):
    appointment = AppointmentFactory(patient_id=patient_id, reason="Old", **kwargs)
    with pytest.raises(AppointmentNotUpcoming):
        changes.appointment_reason_update(
            appointment=appointment, reason="New", actor_id=patient_id
        )
    appointment.refresh_from_db()
    assert appointment.reason == "Old"


# Reschedule ----------------------------------------------------------------------------


@pytest.fixture
def booked(schedule, patient_id, doctor_id, book):
    return book(patient_id, schedule.add_slot(doctor_id=doctor_id))


def test_reschedule_takes_the_new_slot_then_lets_go_of_the_old(schedule, booked, doctor_id):
    old_slot = booked.slot_id
    new = schedule.add_slot(doctor_id=doctor_id, reschedule_cutoff_hours=2)
    moved = booking.appointment_reschedule(
        appointment=booked, slot_id=new.id, actor_id=booked.patient_id
    )
    assert (moved.slot_id, moved.start, moved.end) == (new.id, new.start, new.end)
    assert moved.reschedule_count == 1
    assert moved.reschedule_cutoff_hours == 2
    assert schedule.holder_of(new.id) == booked.id
    assert schedule.holder_of(old_slot) is None
    reserve_at = schedule.calls.index(("reserve", new.id, booked.id))
    release_at = schedule.calls.index(("release", old_slot, booked.id))
    assert reserve_at < release_at
    event = moved.events.get(action=EventAction.RESCHEDULED)
    assert event.data["from"]["slot_id"] == str(old_slot)
    assert event.data["to"]["slot_id"] == str(new.id)
    assert_no_orphans(schedule)


def test_reschedule_to_its_own_slot_changes_nothing(schedule, booked):
    same = booking.appointment_reschedule(
        appointment=booked, slot_id=booked.slot_id, actor_id=booked.patient_id
    )
    assert same.reschedule_count == 0
    assert schedule.count("reserve") == 1  # the booking's


def _assert_reschedule_refused(schedule, booked, new_slot_id, problem):
    before = _snapshot(booked)
    with pytest.raises(problem):
        booking.appointment_reschedule(
            appointment=booked, slot_id=new_slot_id, actor_id=booked.patient_id
        )
    assert _snapshot(booked) == before
    assert schedule.holder_of(booked.slot_id) == booked.id
    assert schedule.held_by(booked.id) == {booked.slot_id}
    assert_no_orphans(schedule)


def test_reschedule_to_another_doctors_slot_is_refused(schedule, booked):
    _assert_reschedule_refused(schedule, booked, schedule.add_slot().id, DifferentDoctor)


def test_reschedule_to_a_taken_slot_is_refused(schedule, booked, doctor_id):
    taken = schedule.add_slot(doctor_id=doctor_id)
    hold_for_someone_else(schedule, taken)
    _assert_reschedule_refused(schedule, booked, taken.id, SlotTaken)


def test_reschedule_to_a_slot_taken_at_reserve_time_is_refused(schedule, booked, doctor_id):
    new = schedule.add_slot(doctor_id=doctor_id)
    schedule.refuse = "slot-taken"
    _assert_reschedule_refused(schedule, booked, new.id, SlotTaken)


def test_reschedule_to_an_unbookable_slot_is_refused(schedule, booked, doctor_id):
    new = schedule.add_slot(doctor_id=doctor_id, bookable=False)
    _assert_reschedule_refused(schedule, booked, new.id, SlotUnavailable)


def test_reschedule_to_an_unknown_slot_is_404(schedule, booked):
    _assert_reschedule_refused(schedule, booked, uuid.uuid4(), SlotNotFound)


def test_reschedule_over_another_own_appointment_is_refused(schedule, booked, doctor_id, book):
    other = book(booked.patient_id, schedule.add_slot())
    clash = schedule.add_slot(doctor_id=doctor_id, start=other.start)
    _assert_reschedule_refused(schedule, booked, clash.id, OverlappingAppointment)


def test_reschedule_inside_the_cutoff_is_too_late(schedule, booked, doctor_id):
    Appointment.objects.filter(pk=booked.pk).update(reschedule_cutoff_hours=24 * 5)
    booked.refresh_from_db()
    _assert_reschedule_refused(
        schedule, booked, schedule.add_slot(doctor_id=doctor_id).id, RescheduleTooLate
    )


def test_reschedule_count_is_capped(schedule, booked, doctor_id, settings):
    settings.MAX_RESCHEDULES = 2
    for _ in range(2):
        booked = booking.appointment_reschedule(
            appointment=booked,
            slot_id=schedule.add_slot(doctor_id=doctor_id).id,
            actor_id=booked.patient_id,
        )
    _assert_reschedule_refused(
        schedule, booked, schedule.add_slot(doctor_id=doctor_id).id, TooManyReschedules
    )
    assert booked.reschedule_count == 2


def test_reschedule_of_a_cancelled_appointment_is_refused(schedule, booked, doctor_id):
    booked = changes.appointment_cancel(
        appointment=booked, actor_id=booked.patient_id, actor_role="patient"
    )
    with pytest.raises(AppointmentNotUpcoming):
        booking.appointment_reschedule(
            appointment=booked,
            slot_id=schedule.add_slot(doctor_id=doctor_id).id,
            actor_id=booked.patient_id,
        )
    assert_no_orphans(schedule)


def test_reschedule_with_schedule_down_at_reserve_changes_nothing(schedule, booked, doctor_id):
    new = schedule.add_slot(doctor_id=doctor_id)
    schedule.act_then_fail.add("reserve")
    _assert_reschedule_refused(schedule, booked, new.id, ServiceUnavailable)
    assert schedule.holder_of(new.id) is None


def test_reschedule_that_cannot_release_the_old_slot_still_moves(schedule, booked, doctor_id):
    old_slot = booked.slot_id
    new = schedule.add_slot(doctor_id=doctor_id)
    schedule.down.add("release")
    moved = booking.appointment_reschedule(
        appointment=booked, slot_id=new.id, actor_id=booked.patient_id
    )
    assert moved.slot_id == new.id
    assert schedule.held_by(booked.id) == {old_slot, new.id}  # for a moment, two
    schedule.down.clear()
    report = reconciliation.appointments_reconcile(grace=datetime.timedelta(0))
    assert report.holds_released == 1
    assert schedule.held_by(booked.id) == {new.id}
    assert_no_orphans(schedule)


def test_reschedule_racing_a_move_of_the_same_appointment(schedule, booked, doctor_id):
    """The row changed between the check and the move: the new slot is let go, 409."""
    stale = Appointment.objects.get(pk=booked.pk)
    moved = booking.appointment_reschedule(
        appointment=booked,
        slot_id=schedule.add_slot(doctor_id=doctor_id).id,
        actor_id=booked.patient_id,
    )
    other = schedule.add_slot(doctor_id=doctor_id)
    with pytest.raises(AppointmentChanged):
        booking.appointment_reschedule(
            appointment=stale, slot_id=other.id, actor_id=booked.patient_id
        )
    assert schedule.holder_of(other.id) is None
    assert schedule.held_by(booked.id) == {moved.slot_id}
    assert_no_orphans(schedule)


def test_twin_reschedules_to_the_same_slot_keep_it(schedule, booked, doctor_id):
    stale = Appointment.objects.get(pk=booked.pk)
    new = schedule.add_slot(doctor_id=doctor_id)
    booking.appointment_reschedule(appointment=booked, slot_id=new.id, actor_id=booked.patient_id)
    twin = booking.appointment_reschedule(
        appointment=stale, slot_id=new.id, actor_id=booked.patient_id
    )
    assert twin.slot_id == new.id and twin.reschedule_count == 1
    assert schedule.held_by(booked.id) == {new.id}
    assert_no_orphans(schedule)


def test_reschedule_whose_move_hits_the_slot_constraint_lets_go(
    schedule, booked, doctor_id, monkeypatch
):
    new = schedule.add_slot(doctor_id=doctor_id)
    # Another booking claimed the slot on this side between the reservation and the move.
    real_reserve = schedule.slot_reserve

    def reserve_then_claim(**kwargs):
        reservation = real_reserve(**kwargs)
        AppointmentFactory(slot_id=new.id, start=new.start, end=new.end, state="pending")
        return reservation

    monkeypatch.setattr(clients, "schedule_slot_reserve", reserve_then_claim)
    with pytest.raises(SlotTaken):
        booking.appointment_reschedule(
            appointment=booked, slot_id=new.id, actor_id=booked.patient_id
        )
    assert schedule.held_by(booked.id) == {booked.slot_id}


# Cancel --------------------------------------------------------------------------------


def test_patient_cancels_without_a_reason_and_the_slot_is_free(schedule, booked):
    cancelled = changes.appointment_cancel(
        appointment=booked, actor_id=booked.patient_id, actor_role="patient"
    )
    assert cancelled.state == AppointmentState.CANCELLED
    assert (cancelled.cancelled_by, cancelled.late_cancellation) == ("patient", False)
    assert schedule.holder_of(booked.slot_id) is None
    event = cancelled.events.get(action=EventAction.CANCELLED)
    assert event.data == {"by": "patient", "late": False, "reason": ""}
    assert_no_orphans(schedule)


def test_doctor_must_give_a_reason(schedule, booked):
    with pytest.raises(ValidationError):
        changes.appointment_cancel(
            appointment=booked, actor_id=booked.doctor_id, actor_role="doctor", reason="  "
        )
    booked.refresh_from_db()
    assert booked.state == AppointmentState.BOOKED
    assert schedule.holder_of(booked.slot_id) == booked.id
    cancelled = changes.appointment_cancel(
        appointment=booked, actor_id=booked.doctor_id, actor_role="doctor", reason="Ill"
    )
    assert (cancelled.cancelled_by, cancelled.cancel_reason) == ("doctor", "Ill")


def test_cancelling_inside_the_cutoff_is_late(schedule, booked):
    Appointment.objects.filter(pk=booked.pk).update(cancel_cutoff_hours=24 * 5)
    booked.refresh_from_db()
    cancelled = changes.appointment_cancel(
        appointment=booked, actor_id=booked.patient_id, actor_role="patient"
    )
    assert cancelled.late_cancellation is True
    assert cancelled.events.get(action=EventAction.CANCELLED).data["late"] is True


def test_cancelling_twice_answers_the_current_state(schedule, booked):
    first = changes.appointment_cancel(
        appointment=booked, actor_id=booked.patient_id, actor_role="patient", reason="a"
    )
    again = changes.appointment_cancel(
        appointment=first, actor_id=booked.doctor_id, actor_role="doctor", reason=""
    )
    assert (again.cancel_reason, again.cancelled_by) == ("a", "patient")
    assert booked.events.filter(action=EventAction.CANCELLED).count() == 1


def test_cancel_racing_another_cancel_records_one(schedule, booked):
    stale = Appointment.objects.get(pk=booked.pk)
    changes.appointment_cancel(appointment=booked, actor_id=booked.patient_id, actor_role="patient")
    changes.appointment_cancel(appointment=stale, actor_id=booked.patient_id, actor_role="patient")
    assert booked.events.filter(action=EventAction.CANCELLED).count() == 1


def test_cancel_racing_a_reschedule_is_409(schedule, booked, doctor_id):
    stale = Appointment.objects.get(pk=booked.pk)
    booking.appointment_reschedule(
        appointment=booked,
        slot_id=schedule.add_slot(doctor_id=doctor_id).id,
        actor_id=booked.patient_id,
    )
    with pytest.raises(AppointmentChanged):
        changes.appointment_cancel(
            appointment=stale, actor_id=booked.patient_id, actor_role="patient"
        )
    assert_no_orphans(schedule)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"state": AppointmentState.COMPLETED},
        {"state": AppointmentState.NO_SHOW},
        {
            "start": timezone.now() - datetime.timedelta(hours=1),
            "end": timezone.now() - datetime.timedelta(seconds=1),
        },
    ],
)
def test_cancelling_a_completed_appointment_is_409(schedule, kwargs):
    appointment = AppointmentFactory(**kwargs)
    with pytest.raises(AppointmentCompleted):
        changes.appointment_cancel(
            appointment=appointment, actor_id=appointment.patient_id, actor_role="patient"
        )
    assert schedule.count("release") == 0


def test_cancel_with_schedule_down_changes_nothing(schedule, booked):
    schedule.down.add("release")
    before = _snapshot(booked)
    with pytest.raises(ServiceUnavailable):
        changes.appointment_cancel(
            appointment=booked, actor_id=booked.patient_id, actor_role="patient"
        )
    assert _snapshot(booked) == before
    assert schedule.holder_of(booked.slot_id) == booked.id


def test_cancel_when_another_appointment_holds_the_slot_still_cancels(schedule, booked):
    schedule.hold(schedule.slots[booked.slot_id], uuid.uuid4())
    cancelled = changes.appointment_cancel(
        appointment=booked, actor_id=booked.patient_id, actor_role="patient"
    )
    assert cancelled.state == AppointmentState.CANCELLED


# Complete ------------------------------------------------------------------------------


def _started(**kwargs):
    now = timezone.now()
    return AppointmentFactory(
        start=now - datetime.timedelta(minutes=10),
        end=now + datetime.timedelta(minutes=20),
        **kwargs,
    )


@pytest.mark.parametrize(
    ("outcome", "state", "action"),
    [
        ("completed", AppointmentState.COMPLETED, EventAction.COMPLETED),
        ("no_show", AppointmentState.NO_SHOW, EventAction.NO_SHOW),
    ],
)
def test_doctor_marks_a_started_appointment(outcome, state, action):
    appointment = _started()
    marked = changes.appointment_complete(
        appointment=appointment, outcome=outcome, actor_id=appointment.doctor_id
    )
    assert marked.state == state
    assert marked.status_at(timezone.now()) == "completed"
    assert marked.outcome_at(timezone.now()) == outcome
    assert _actions(marked) == [action]


def test_marking_again_is_idempotent_and_the_other_outcome_corrects_it():
    appointment = _started()
    changes.appointment_complete(appointment=appointment, outcome="completed", actor_id=None)
    changes.appointment_complete(appointment=appointment, outcome="completed", actor_id=None)
    corrected = changes.appointment_complete(
        appointment=appointment, outcome="no_show", actor_id=None
    )
    assert corrected.state == AppointmentState.NO_SHOW
    assert _actions(corrected) == [EventAction.COMPLETED, EventAction.NO_SHOW]


def test_marking_before_the_start_is_409():
    appointment = AppointmentFactory()
    with pytest.raises(AppointmentNotStarted):
        changes.appointment_complete(appointment=appointment, outcome="completed", actor_id=None)
    appointment.refresh_from_db()
    assert appointment.state == AppointmentState.BOOKED


def test_marking_a_cancelled_appointment_is_409():
    appointment = _started(state=AppointmentState.CANCELLED)
    with pytest.raises(AppointmentCancelled):
        changes.appointment_complete(appointment=appointment, outcome="no_show", actor_id=None)
