"""Fixtures of the appointments tests: a fake schedule_service at the clients.py boundary."""

from __future__ import annotations

import uuid

import pytest

from appointment_service.appointments import clients
from appointment_service.appointments.models import Appointment
from appointment_service.appointments.tests.fakes import FakeSchedule, FakeSlot
from common.testing import FakePeople


@pytest.fixture
def schedule(monkeypatch) -> FakeSchedule:
    fake = FakeSchedule()
    monkeypatch.setattr(clients, "schedule_slot_get", fake.slot_get)
    monkeypatch.setattr(clients, "schedule_slot_reserve", fake.slot_reserve)
    monkeypatch.setattr(clients, "schedule_slot_release", fake.slot_release)
    monkeypatch.setattr(clients, "schedule_hold_list", fake.hold_list)
    monkeypatch.setattr(clients, "schedule_slot_list", fake.slot_list)
    return fake


@pytest.fixture
def directory(fake_people: FakePeople) -> FakePeople:
    """The people directory (common.people) the admin names people from, faked."""
    return fake_people


@pytest.fixture
def doctor_id() -> uuid.UUID:
    return uuid.uuid4()


@pytest.fixture
def patient_id() -> uuid.UUID:
    return uuid.uuid4()


@pytest.fixture
def book(schedule):
    """``book(patient_id, slot, reason="")`` → a booked Appointment, through the service."""
    from appointment_service.appointments import booking

    def run(patient_id: uuid.UUID, slot: FakeSlot, reason: str = "Check-up") -> Appointment:
        return booking.appointment_book(patient_id=patient_id, slot_id=slot.id, reason=reason)

    return run
