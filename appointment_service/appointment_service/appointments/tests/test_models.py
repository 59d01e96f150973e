"""Constraints of the appointments tables and the status rule in Python."""

import datetime
import uuid

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from appointment_service.appointments.models import Appointment, AppointmentState
from appointment_service.appointments.tests.factories import (
    AppointmentEventFactory,
    AppointmentFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("first", [AppointmentState.PENDING, AppointmentState.BOOKED])
@pytest.mark.parametrize("second", [AppointmentState.PENDING, AppointmentState.BOOKED])
def test_two_live_appointments_cannot_share_a_slot(first, second):
    slot_id = uuid.uuid4()
    AppointmentFactory(slot_id=slot_id, state=first)
    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentFactory(slot_id=slot_id, state=second)


@pytest.mark.parametrize(
    "state", [AppointmentState.CANCELLED, AppointmentState.COMPLETED, AppointmentState.NO_SHOW]
)
def test_a_slot_can_be_booked_again_after_a_cancelled_or_finished_appointment(state):
    slot_id = uuid.uuid4()
    AppointmentFactory(slot_id=slot_id, state=state)
    AppointmentFactory(slot_id=slot_id, state=state)
    AppointmentFactory(slot_id=slot_id)
    assert Appointment.objects.filter(slot_id=slot_id).count() == 3


def test_end_must_be_after_start():
    start = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentFactory(start=start, end=start)


def test_state_must_be_known():
    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentFactory(state="lost")


@pytest.mark.parametrize(
    ("state", "ends_in", "status", "outcome"),
    [
        (AppointmentState.BOOKED, 60, "upcoming", None),
        (AppointmentState.BOOKED, 0, "completed", "completed"),
        (AppointmentState.BOOKED, -60, "completed", "completed"),
        (AppointmentState.CANCELLED, 60, "cancelled", None),
        (AppointmentState.CANCELLED, -60, "cancelled", None),
        (AppointmentState.COMPLETED, 60, "completed", "completed"),
        (AppointmentState.NO_SHOW, 60, "completed", "no_show"),
    ],
)
def test_status_at(state, ends_in, status, outcome):
    now = timezone.now()
    end = now + datetime.timedelta(seconds=ends_in)
    appointment = Appointment(state=state, start=end - datetime.timedelta(minutes=30), end=end)
    assert appointment.status_at(now) == status
    assert appointment.outcome_at(now) == outcome


def test_str_of_models():
    event = AppointmentEventFactory()
    assert "UTC (booked)" in str(event.appointment)
    assert str(event).startswith("created at")
