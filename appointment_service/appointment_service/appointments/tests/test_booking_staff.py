"""Clinic staff as actors: booking, moving, cancelling and marking for patients; overrides."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from appointment_service.appointments import booking, changes, idempotency
from appointment_service.appointments.exceptions import (
    AppointmentNotStarted,
    AppointmentNotUpcoming,
    IdempotencyKeyReused,
    OverlappingAppointment,
    RescheduleTooLate,
    SlotTaken,
    SlotUnavailable,
    TooManyAppointments,
    TooManyAppointmentsWithDoctor,
    TooManyReschedules,
)
from appointment_service.appointments.models import (
    Appointment,
    AppointmentEvent,
    AppointmentState,
    EventAction,
)
from appointment_service.appointments.tests.factories import AppointmentFactory
from appointment_service.appointments.tests.fakes import (
    assert_no_orphans,
    hold_for_someone_else,
)
from common.errors import ServiceUnavailable

pytestmark = pytest.mark.django_db

STAFF_ID = uuid.UUID("0f5e2d1c-3b4a-4968-8776-a5b4c3d2e1f0")


def _staff_book(patient_id, slot, *, override=False, key=None, reason="Booked at the desk"):
    return idempotency.book_once(
        patient_id=patient_id,
        slot_id=slot.id,
        reason=reason,
        idempotency_key=key,
        actor_id=STAFF_ID,
        actor_role="staff",
        override=override,
    )


def _event(appointment, action) -> AppointmentEvent:
    return AppointmentEvent.objects.get(appointment_id=appointment.pk, action=action)


def _state() -> list[tuple]:
    """Every appointment and event, to show a refusal changed nothing."""
    return [
        *Appointment.objects.order_by("id").values_list(
            "id", "state", "slot_id", "start", "reschedule_count", "late_cancellation"
        ),
        *AppointmentEvent.objects.order_by("id").values_list("id", "action", "data"),
    ]


# Booking for a patient -----------------------------------------------------------------


def test_staff_book_for_a_patient_and_the_history_names_them(schedule, patient_id, doctor_id):
    slot = schedule.add_slot(doctor_id=doctor_id)

    answer = _staff_book(patient_id, slot)

    assert answer.status == 201
    appointment = Appointment.objects.get()
    assert (appointment.patient_id, appointment.state) == (patient_id, AppointmentState.BOOKED)
    assert answer.body["patient_id"] == str(patient_id)
    event = appointment.events.get()  # the one history entry of a booking
    assert (event.action, event.actor_role, event.actor_id) == ("booked", "staff", STAFF_ID)
    assert "override" not in event.data
    assert schedule.holder_of(slot.id) == appointment.id


def test_a_patients_own_booking_is_recorded_as_before(schedule, patient_id, book):
    appointment = book(patient_id, schedule.add_slot())
    assert set(appointment.events.values_list("actor_role", "actor_id")) == {
        ("patient", patient_id)
    }


def test_staff_without_override_keep_to_the_patients_caps(
    schedule, patient_id, doctor_id, book, settings
):
    settings.MAX_UPCOMING_APPOINTMENTS_PER_DOCTOR = 1
    book(patient_id, schedule.add_slot(doctor_id=doctor_id))
    before = _state()

    with pytest.raises(TooManyAppointmentsWithDoctor):
        _staff_book(patient_id, schedule.add_slot(doctor_id=doctor_id))

    assert _state() == before
    assert_no_orphans(schedule)


def test_staff_override_the_caps_and_the_events_say_which(
    schedule, patient_id, doctor_id, book, settings
):
    settings.MAX_UPCOMING_APPOINTMENTS = 2
    settings.MAX_UPCOMING_APPOINTMENTS_PER_DOCTOR = 1
    book(patient_id, schedule.add_slot(doctor_id=doctor_id))
    book(patient_id, schedule.add_slot())
    with pytest.raises(TooManyAppointments):
        _staff_book(patient_id, schedule.add_slot(doctor_id=doctor_id))

    answer = _staff_book(patient_id, schedule.add_slot(doctor_id=doctor_id), override=True)

    assert answer.status == 201
    appointment = Appointment.objects.get(pk=answer.body["id"])
    assert _event(appointment, EventAction.BOOKED).data["override"] == [
        "upcoming-cap",
        "doctor-cap",
    ]
    assert_no_orphans(schedule)


def test_an_override_that_sets_nothing_aside_is_not_recorded(schedule, patient_id):
    answer = _staff_book(patient_id, schedule.add_slot(), override=True)
    appointment = Appointment.objects.get(pk=answer.body["id"])
    assert "override" not in _event(appointment, EventAction.BOOKED).data


def test_override_never_takes_a_held_slot(schedule, patient_id):
    slot = schedule.add_slot()
    other = hold_for_someone_else(schedule, slot)
    before = _state()

    with pytest.raises(SlotTaken):
        _staff_book(patient_id, slot, override=True)

    assert _state() == before
    assert schedule.holder_of(slot.id) == other.id
    assert_no_orphans(schedule)


def test_override_never_takes_an_unbookable_slot(schedule, patient_id):
    with pytest.raises(SlotUnavailable):
        _staff_book(patient_id, schedule.add_slot(bookable=False), override=True)
    schedule.refuse = "slot-unavailable"  # schedule_service's own rules at reserve time
    with pytest.raises(SlotUnavailable):
        _staff_book(patient_id, schedule.add_slot(), override=True)

    assert not Appointment.objects.exists()
    assert_no_orphans(schedule)


def test_override_never_double_books_the_patient(schedule, patient_id, book):
    first = book(patient_id, schedule.add_slot())
    clash = schedule.add_slot(start=first.start)

    with pytest.raises(OverlappingAppointment):
        _staff_book(patient_id, clash, override=True)

    assert Appointment.objects.count() == 1
    assert_no_orphans(schedule)


def test_a_staff_booking_with_schedule_down_is_503_and_leaves_nothing(schedule, patient_id):
    schedule.act_then_fail.add("reserve")  # it held the slot, then timed out
    with pytest.raises(ServiceUnavailable):
        _staff_book(patient_id, schedule.add_slot(), override=True, key="form-1")

    assert not Appointment.objects.exists()
    assert not AppointmentEvent.objects.exists()
    assert_no_orphans(schedule)
    schedule.act_then_fail.clear()
    assert _staff_book(patient_id, next(iter(schedule.slots.values())), key="form-1").status == 201


def test_a_staff_form_sent_twice_books_once(schedule, patient_id):
    slot = schedule.add_slot()
    first = _staff_book(patient_id, slot, key="form-key")
    again = _staff_book(patient_id, slot, key="form-key")

    assert (again.status, again.body, again.replayed) == (201, first.body, True)
    assert Appointment.objects.count() == 1
    assert schedule.count("reserve") == 1


def test_a_form_key_sent_with_another_override_is_another_request(schedule, patient_id):
    slot = schedule.add_slot()
    _staff_book(patient_id, slot, key="form-key")
    with pytest.raises(IdempotencyKeyReused):
        _staff_book(patient_id, slot, key="form-key", override=True)
    with pytest.raises(IdempotencyKeyReused):  # nor is the patient's own request the same
        idempotency.book_once(
            patient_id=patient_id,
            slot_id=slot.id,
            reason="Booked at the desk",
            idempotency_key="form-key",
        )


@pytest.mark.parametrize("role", ["patient", "doctor", "system"])
def test_only_staff_may_override_and_only_patients_and_staff_book(schedule, patient_id, role):
    with pytest.raises(ValueError, match="cannot|only clinic staff"):
        booking.appointment_book(
            patient_id=patient_id,
            slot_id=schedule.add_slot().id,
            reason="",
            actor_role=role,
            override=True,
        )
    assert not Appointment.objects.exists()


# Rescheduling for a patient ------------------------------------------------------------


@pytest.fixture
def booked(schedule, patient_id, doctor_id, book):
    return book(patient_id, schedule.add_slot(doctor_id=doctor_id))


def _staff_move(appointment, slot, *, override=False):
    return booking.appointment_reschedule(
        appointment=appointment,
        slot_id=slot.id,
        actor_id=STAFF_ID,
        actor_role="staff",
        override=override,
    )


def test_staff_move_an_appointment_new_slot_first(schedule, booked, doctor_id):
    old = booked.slot_id
    new = schedule.add_slot(doctor_id=doctor_id)

    moved = _staff_move(booked, new)

    assert (moved.slot_id, moved.reschedule_count) == (new.id, 1)
    event = _event(moved, EventAction.RESCHEDULED)
    assert (event.actor_role, event.actor_id) == ("staff", STAFF_ID)
    assert "override" not in event.data
    assert schedule.calls.index(("reserve", new.id, booked.id)) < schedule.calls.index(
        ("release", old, booked.id)
    )
    assert_no_orphans(schedule)


def test_staff_override_the_reschedule_cutoff_and_count(schedule, booked, doctor_id, settings):
    settings.MAX_RESCHEDULES = 0
    Appointment.objects.filter(pk=booked.pk).update(reschedule_cutoff_hours=24 * 5)
    booked.refresh_from_db()
    new = schedule.add_slot(doctor_id=doctor_id)
    before = _state()
    with pytest.raises(TooManyReschedules):
        _staff_move(booked, new)
    settings.MAX_RESCHEDULES = 3
    with pytest.raises(RescheduleTooLate):
        _staff_move(booked, new)
    assert _state() == before
    settings.MAX_RESCHEDULES = 0

    moved = _staff_move(booked, new, override=True)

    assert moved.slot_id == new.id
    data = _event(moved, EventAction.RESCHEDULED).data
    assert data["override"] == ["reschedule-count", "reschedule-cutoff"]
    assert_no_orphans(schedule)


def test_override_never_moves_into_a_held_slot_or_a_past_appointment(schedule, booked, doctor_id):
    taken = schedule.add_slot(doctor_id=doctor_id)
    hold_for_someone_else(schedule, taken)
    before = _state()
    with pytest.raises(SlotTaken):
        _staff_move(booked, taken, override=True)
    assert _state() == before
    assert_no_orphans(schedule)

    past = AppointmentFactory(
        doctor_id=doctor_id,
        start=timezone.now() - datetime.timedelta(hours=2),
        end=timezone.now() - datetime.timedelta(hours=1, minutes=30),
    )
    with pytest.raises(AppointmentNotUpcoming):
        _staff_move(past, schedule.add_slot(doctor_id=doctor_id), override=True)


def test_a_staff_move_with_schedule_down_changes_nothing(schedule, booked, doctor_id):
    schedule.down.add("reserve")
    before = _state()
    with pytest.raises(ServiceUnavailable):
        _staff_move(booked, schedule.add_slot(doctor_id=doctor_id), override=True)
    assert _state() == before
    assert_no_orphans(schedule)


# Cancelling and marking for a patient --------------------------------------------------


def test_staff_cancel_with_a_reason_and_the_slot_is_free(schedule, booked):
    with pytest.raises(ValidationError):
        changes.appointment_cancel(
            appointment=booked, actor_id=STAFF_ID, actor_role="staff", reason=" "
        )
    assert Appointment.objects.get(pk=booked.pk).state == AppointmentState.BOOKED

    cancelled = changes.appointment_cancel(
        appointment=booked, actor_id=STAFF_ID, actor_role="staff", reason="Doctor ill"
    )

    assert (cancelled.state, cancelled.cancelled_by) == (AppointmentState.CANCELLED, "staff")
    event = _event(cancelled, EventAction.CANCELLED)
    assert (event.actor_role, event.actor_id, event.data["by"]) == ("staff", STAFF_ID, "staff")
    assert schedule.holder_of(booked.slot_id) is None
    assert_no_orphans(schedule)


@pytest.mark.parametrize(("override", "late"), [(False, True), (True, False)])
def test_staff_inside_the_cancel_cutoff_is_late_unless_overridden(schedule, booked, override, late):
    Appointment.objects.filter(pk=booked.pk).update(cancel_cutoff_hours=24 * 5)
    booked.refresh_from_db()

    cancelled = changes.appointment_cancel(
        appointment=booked,
        actor_id=STAFF_ID,
        actor_role="staff",
        reason="Clinic closed",
        override=override,
    )

    assert cancelled.late_cancellation is late
    data = _event(cancelled, EventAction.CANCELLED).data
    assert data["late"] is late
    assert data.get("override") == (["cancel-cutoff"] if override else None)


def test_a_cancel_override_outside_the_cutoff_is_not_recorded(schedule, booked):
    cancelled = changes.appointment_cancel(
        appointment=booked,
        actor_id=STAFF_ID,
        actor_role="staff",
        reason="Moved away",
        override=True,
    )
    assert "override" not in _event(cancelled, EventAction.CANCELLED).data


def test_patients_and_doctors_cannot_override_a_cancellation(schedule, booked):
    for role in ("patient", "doctor"):
        with pytest.raises(ValueError, match="only clinic staff"):
            changes.appointment_cancel(
                appointment=booked,
                actor_id=uuid.uuid4(),
                actor_role=role,
                reason="x",
                override=True,
            )
    assert Appointment.objects.get(pk=booked.pk).state == AppointmentState.BOOKED


@pytest.mark.parametrize("outcome", ["completed", "no_show"])
def test_staff_mark_a_started_appointment(outcome):
    started = AppointmentFactory(
        start=timezone.now() - datetime.timedelta(minutes=10),
        end=timezone.now() + datetime.timedelta(minutes=20),
    )
    marked = changes.appointment_complete(
        appointment=started, outcome=outcome, actor_id=STAFF_ID, actor_role="staff"
    )
    assert marked.state == outcome
    event = marked.events.get()
    assert (event.action, event.actor_role, event.actor_id) == (outcome, "staff", STAFF_ID)


def test_staff_cannot_mark_an_appointment_before_it_starts():
    appointment = AppointmentFactory()
    with pytest.raises(AppointmentNotStarted):
        changes.appointment_complete(
            appointment=appointment, outcome="no_show", actor_id=STAFF_ID, actor_role="staff"
        )
    with pytest.raises(ValueError, match="cannot"):
        changes.appointment_complete(
            appointment=appointment, outcome="no_show", actor_id=STAFF_ID, actor_role="patient"
        )
    assert Appointment.objects.get(pk=appointment.pk).state == AppointmentState.BOOKED
