"""Idempotent booking: a key's first answer is stored and replayed; nothing waits for another."""

import datetime
import uuid

import pytest
from django.utils import timezone

from appointment_service.appointments import clients, idempotency, selectors
from appointment_service.appointments.exceptions import (
    IdempotencyInProgress,
    IdempotencyKeyReused,
    SlotTaken,
    TooManyAppointmentsWithDoctor,
)
from appointment_service.appointments.models import Appointment, IdempotencyKey
from appointment_service.appointments.tests.fakes import assert_no_orphans
from common.errors import ServiceUnavailable

pytestmark = pytest.mark.django_db


def test_retries_of_a_booking_at_the_cap_with_one_doctor_return_the_first_answer(
    schedule, patient_id, doctor_id, settings
):
    settings.MAX_UPCOMING_APPOINTMENTS_PER_DOCTOR = 2
    slots = [schedule.add_slot(doctor_id=doctor_id) for _ in range(3)]
    answers = [
        idempotency.book_once(
            patient_id=patient_id, slot_id=slot.id, reason="", idempotency_key=f"key-{n}"
        )
        for n, slot in enumerate(slots[:2])
    ]
    # The patient is at the cap: a retry of a booking that succeeded is not a new booking.
    again = idempotency.book_once(
        patient_id=patient_id, slot_id=slots[0].id, reason="", idempotency_key="key-0"
    )
    assert (again.status, again.body, again.replayed) == (201, answers[0].body, True)
    with pytest.raises(TooManyAppointmentsWithDoctor):
        idempotency.book_once(
            patient_id=patient_id, slot_id=slots[2].id, reason="", idempotency_key="key-2"
        )
    refused = idempotency.book_once(
        patient_id=patient_id, slot_id=slots[2].id, reason="", idempotency_key="key-2"
    )
    assert (refused.status, refused.body["code"]) == (409, "too-many-appointments-with-doctor")
    assert Appointment.objects.filter(patient_id=patient_id).count() == 2
    # The refused booking reserved its slot once and let it go; its retry reserved nothing.
    assert (schedule.count("reserve"), schedule.count("release")) == (3, 1)
    assert schedule.holder_of(slots[2].id) is None


def test_same_key_and_body_replays_the_first_answer(schedule, patient_id):
    slot = schedule.add_slot()
    first = idempotency.book_once(
        patient_id=patient_id, slot_id=slot.id, reason="x", idempotency_key="k1"
    )
    again = idempotency.book_once(
        patient_id=patient_id, slot_id=slot.id, reason="x", idempotency_key="k1"
    )
    assert (again.status, again.body, again.replayed) == (201, first.body, True)
    assert Appointment.objects.count() == 1
    assert schedule.count("reserve") == 1
    stored = IdempotencyKey.objects.get()
    assert stored.appointment_id == uuid.UUID(first.body["id"])


def test_same_key_with_another_body_is_422(schedule, patient_id):
    slot = schedule.add_slot()
    idempotency.book_once(patient_id=patient_id, slot_id=slot.id, reason="x", idempotency_key="k1")
    with pytest.raises(IdempotencyKeyReused):
        idempotency.book_once(
            patient_id=patient_id, slot_id=slot.id, reason="other", idempotency_key="k1"
        )
    assert Appointment.objects.count() == 1


def test_keys_belong_to_one_patient(schedule, patient_id):
    first, second = schedule.add_slot(), schedule.add_slot()
    idempotency.book_once(
        patient_id=patient_id, slot_id=first.id, reason="", idempotency_key="same"
    )
    other = idempotency.book_once(
        patient_id=uuid.uuid4(), slot_id=second.id, reason="", idempotency_key="same"
    )
    assert other.status == 201 and not other.replayed
    assert Appointment.objects.count() == 2


def test_a_4xx_is_stored_and_replayed(schedule, patient_id):
    slot = schedule.add_slot()
    schedule.hold(slot, uuid.uuid4())
    with pytest.raises(SlotTaken):
        idempotency.book_once(
            patient_id=patient_id, slot_id=slot.id, reason="", idempotency_key="k"
        )
    slot.holder = None  # free now; the retry still gets the first answer
    again = idempotency.book_once(
        patient_id=patient_id, slot_id=slot.id, reason="", idempotency_key="k"
    )
    assert again.replayed and again.status == 409
    assert again.body["code"] == "slot-taken"
    assert not Appointment.objects.exists()


def test_a_503_lets_go_of_the_key_so_a_retry_runs_again(schedule, patient_id):
    slot = schedule.add_slot()
    schedule.down.add("reserve")
    with pytest.raises(ServiceUnavailable):
        idempotency.book_once(
            patient_id=patient_id, slot_id=slot.id, reason="", idempotency_key="k"
        )
    assert not IdempotencyKey.objects.exists()
    schedule.down.clear()
    answer = idempotency.book_once(
        patient_id=patient_id, slot_id=slot.id, reason="", idempotency_key="k"
    )
    assert answer.status == 201 and not answer.replayed
    assert_no_orphans(schedule)


def test_an_unexpected_error_lets_go_of_the_key(schedule, patient_id, monkeypatch):
    slot = schedule.add_slot()

    def crash(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(clients, "schedule_slot_reserve", crash)
    with pytest.raises(RuntimeError):
        idempotency.book_once(
            patient_id=patient_id, slot_id=slot.id, reason="", idempotency_key="k"
        )
    assert not IdempotencyKey.objects.exists()
    assert not Appointment.objects.exists()


def test_a_key_in_flight_is_409_at_once_and_books_nothing(schedule, patient_id):
    slot = schedule.add_slot()
    IdempotencyKey.objects.create(
        patient_id=patient_id,
        key="k",
        request_hash=idempotency.request_hash(slot_id=slot.id, reason=""),
    )
    with pytest.raises(IdempotencyInProgress) as raised:
        idempotency.book_once(
            patient_id=patient_id, slot_id=slot.id, reason="", idempotency_key="k"
        )
    assert raised.value.retry_after == 1
    assert schedule.count("get") == 0
    assert IdempotencyKey.objects.get().response_status is None  # the first request's, untouched


def test_a_retry_once_the_answer_is_stored_gets_it(schedule, patient_id):
    slot = schedule.add_slot()
    IdempotencyKey.objects.create(
        patient_id=patient_id,
        key="k",
        request_hash=idempotency.request_hash(slot_id=slot.id, reason=""),
        response_status=201,
        response_body={"id": "first"},
    )
    answer = idempotency.book_once(
        patient_id=patient_id, slot_id=slot.id, reason="", idempotency_key="k"
    )
    assert (answer.status, answer.body, answer.replayed) == (201, {"id": "first"}, True)
    assert schedule.count("get") == 0


def test_a_claim_whose_holder_lets_go_meanwhile_is_taken_again(patient_id, monkeypatch):
    """The row vanishes between the refused insert and the read: the claim is tried again."""
    IdempotencyKey.objects.create(patient_id=patient_id, key="k", request_hash="h")
    real_find = selectors.idempotency_key_find

    def find_after_the_first_let_go(**kwargs):
        IdempotencyKey.objects.filter(key="k").delete()
        return real_find(**kwargs)

    monkeypatch.setattr(selectors, "idempotency_key_find", find_after_the_first_let_go)
    claimed = idempotency.claim(patient_id=patient_id, key="k", request_hash="h")
    assert isinstance(claimed, IdempotencyKey) and claimed.response_status is None


def test_a_claim_that_keeps_losing_the_race_is_409(patient_id, monkeypatch):
    IdempotencyKey.objects.create(patient_id=patient_id, key="k", request_hash="h")
    monkeypatch.setattr(selectors, "idempotency_key_find", lambda **kwargs: None)
    with pytest.raises(IdempotencyInProgress):
        idempotency.claim(patient_id=patient_id, key="k", request_hash="h")


def test_old_and_abandoned_keys_are_purged():
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
    assert idempotency.keys_purge(now=now) == 2
    assert set(IdempotencyKey.objects.values_list("key", flat=True)) == {"fresh", "in-flight"}
