"""Races against PostgreSQL: one slot, one key, one patient, many requests at once."""

import datetime
import uuid

import pytest
from django.db import IntegrityError, transaction

from appointment_service.appointments import booking, selectors
from appointment_service.appointments.models import Appointment, AppointmentState
from appointment_service.appointments.tests.factories import AppointmentFactory
from appointment_service.appointments.tests.fakes import assert_no_orphans
from common.testing import BearerClient, race, user_token

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

LIST_URL = "/api/v1/appointments/"


def _client(patient_id) -> BearerClient:
    return BearerClient(user_token(patient_id, "patient"))


def test_fifty_patients_booking_one_slot_make_one_appointment(schedule):
    slot = schedule.add_slot()
    patients = [uuid.uuid4() for _ in range(50)]
    clients = [_client(patient_id) for patient_id in patients]

    responses = race(lambda i: clients[i].post(LIST_URL, {"slot_id": str(slot.id)}), range(50))

    assert not [r for r in responses if isinstance(r, Exception)], responses
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 49, statuses
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"slot-taken"}
    appointment = Appointment.objects.get()
    assert appointment.state == AppointmentState.BOOKED
    winner = next(r for r in responses if r.status_code == 201)
    assert winner.json()["id"] == str(appointment.id)
    assert schedule.holder_of(slot.id) == appointment.id
    assert_no_orphans(schedule)


def test_one_idempotency_key_sent_ten_times_at_once_makes_one_appointment(schedule):
    slot = schedule.add_slot()
    patient_id = uuid.uuid4()
    body = {"slot_id": str(slot.id), "reason": "Once"}

    responses = race(
        lambda i: _client(patient_id).post(LIST_URL, body, HTTP_IDEMPOTENCY_KEY="same-key"),
        range(10),
    )

    assert not [r for r in responses if isinstance(r, Exception)], responses
    # The first books; a duplicate is answered at once: the stored 201, or 409 while in progress.
    assert {r.status_code for r in responses} <= {201, 409}, responses
    busy = [r for r in responses if r.status_code == 409]
    assert {r.json()["code"] for r in busy} <= {"idempotency-in-progress"}
    assert all(r["Retry-After"] == "1" for r in busy)
    bodies = [r.json() for r in responses if r.status_code == 201]
    assert bodies and all(b == bodies[0] for b in bodies)
    assert Appointment.objects.get().id == uuid.UUID(bodies[0]["id"])
    retry = _client(patient_id).post(LIST_URL, body, HTTP_IDEMPOTENCY_KEY="same-key")
    assert (retry.status_code, retry.json()) == (201, bodies[0])
    assert schedule.count("reserve") == 1
    assert_no_orphans(schedule)


@pytest.mark.parametrize("round_", range(3))
def test_one_patient_booking_two_overlapping_slots_at_once_gets_one(schedule, round_):
    first = schedule.add_slot()
    second = schedule.add_slot(start=first.start)  # same time, another doctor
    patient_id = uuid.uuid4()
    slots = [first, second]

    responses = race(
        lambda i: _client(patient_id).post(LIST_URL, {"slot_id": str(slots[i].id)}), range(2)
    )

    assert not [r for r in responses if isinstance(r, Exception)], responses
    assert sorted(r.status_code for r in responses) == [201, 409]
    refused = next(r for r in responses if r.status_code == 409)
    assert refused.json()["code"] == "overlapping-appointment"
    assert Appointment.objects.filter(patient_id=patient_id).count() == 1
    assert_no_orphans(schedule)


def test_one_patient_booking_many_slots_of_one_doctor_at_once_stops_at_the_cap(schedule, settings):
    settings.MAX_UPCOMING_APPOINTMENTS_PER_DOCTOR = cap = 3
    doctor_id, patient_id = uuid.uuid4(), uuid.uuid4()
    slots = [schedule.add_slot(doctor_id=doctor_id) for _ in range(cap + 3)]  # none overlap
    client = _client(patient_id)  # signed before the race: the test key is made once

    responses = race(lambda slot: client.post(LIST_URL, {"slot_id": str(slot.id)}), slots)

    assert not [r for r in responses if isinstance(r, Exception)], responses
    assert sorted(r.status_code for r in responses) == [201] * cap + [409] * 3
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {
        "too-many-appointments-with-doctor"
    }
    booked = Appointment.objects.filter(patient_id=patient_id)
    assert booked.count() == cap
    assert set(booked.values_list("state", flat=True)) == {AppointmentState.BOOKED}
    assert sum(slot.holder is not None for slot in schedule.slots.values()) == cap
    assert_no_orphans(schedule)


def test_one_patient_booking_many_doctors_at_once_stops_at_the_upcoming_cap(schedule, settings):
    """Distinct slots of distinct doctors, none overlapping: exactly ``cap`` win, the rest hold
    nothing (each was reserved first and let go on the refusal)."""
    settings.MAX_UPCOMING_APPOINTMENTS = cap = 4
    patient_id = uuid.uuid4()
    slots = [schedule.add_slot() for _ in range(cap + 6)]  # one doctor each, an hour apart
    client = _client(patient_id)

    responses = race(lambda slot: client.post(LIST_URL, {"slot_id": str(slot.id)}), slots)

    assert not [r for r in responses if isinstance(r, Exception)], responses
    assert sorted(r.status_code for r in responses) == [201] * cap + [409] * 6
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {
        "too-many-appointments"
    }
    assert Appointment.objects.filter(patient_id=patient_id).count() == cap
    assert sum(slot.holder is not None for slot in schedule.slots.values()) == cap
    assert_no_orphans(schedule)


@pytest.mark.parametrize("round_", range(2))
def test_one_patient_booking_six_overlapping_slots_of_six_doctors_gets_one(schedule, round_):
    first = schedule.add_slot()
    slots = [first] + [
        schedule.add_slot(start=first.start + datetime.timedelta(minutes=5 * n))
        for n in range(1, 6)
    ]
    client = _client(uuid.uuid4())

    responses = race(lambda slot: client.post(LIST_URL, {"slot_id": str(slot.id)}), slots)

    assert not [r for r in responses if isinstance(r, Exception)], responses
    assert sorted(r.status_code for r in responses) == [201] + [409] * 5
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {
        "overlapping-appointment"
    }
    appointment = Appointment.objects.get()
    # The losers' slots were reserved and let go again: only the winner's is held.
    assert [slot.id for slot in slots if slot.holder is not None] == [appointment.slot_id]
    assert_no_orphans(schedule)


def test_the_exclusion_constraint_refuses_overlaps_the_python_check_missed(
    schedule, monkeypatch, book
):
    patient_id = uuid.uuid4()
    first = schedule.add_slot()
    book(patient_id, first)
    monkeypatch.setattr(
        selectors, "patient_load", lambda **kwargs: selectors.PatientLoad(0, 0, overlapping=False)
    )
    clash = schedule.add_slot(start=first.start)
    response = _client(patient_id).post(LIST_URL, {"slot_id": str(clash.id)})
    assert response.status_code == 409
    assert response.json()["code"] == "overlapping-appointment"
    assert Appointment.objects.count() == 1
    assert_no_orphans(schedule)


def test_the_exclusion_constraint_ignores_cancelled_and_other_patients():
    booked = AppointmentFactory()
    AppointmentFactory(start=booked.start, end=booked.end)  # another patient
    AppointmentFactory(
        patient_id=booked.patient_id,
        start=booked.start,
        end=booked.end,
        state=AppointmentState.CANCELLED,
    )
    with (
        pytest.raises(IntegrityError, match="appointment_patient_no_overlap"),
        transaction.atomic(),
    ):
        AppointmentFactory(
            patient_id=booked.patient_id,
            start=booked.start,
            end=booked.end,
            state=AppointmentState.PENDING,
        )


def test_staff_overriding_the_caps_race_patients_for_one_slot_and_one_wins(schedule, settings):
    settings.MAX_UPCOMING_APPOINTMENTS = 0  # every booking here breaks the cap: staff override it
    slot = schedule.add_slot()
    staff = [uuid.uuid4() for _ in range(10)]

    def staff_book(i):
        return booking.appointment_book(
            patient_id=uuid.uuid4(),
            slot_id=slot.id,
            reason="At the desk",
            actor_id=staff[i],
            actor_role="staff",
            override=True,
        )

    outcomes = race(staff_book, range(10))

    booked = [o for o in outcomes if isinstance(o, Appointment)]
    refused = [o for o in outcomes if not isinstance(o, Appointment)]
    assert len(booked) == 1, outcomes
    assert {type(o).__name__ for o in refused} == {"SlotTaken"}, refused
    appointment = Appointment.objects.get()
    assert appointment.events.get(action="booked").data["override"] == ["upcoming-cap"]
    assert_no_orphans(schedule)
