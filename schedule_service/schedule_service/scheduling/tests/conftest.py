"""Fixtures of the scheduling tests: user_service faked at clients.py, doctors and their clients."""

from __future__ import annotations

import datetime
import uuid

import pytest

from schedule_service.scheduling import clients
from schedule_service.scheduling.tests.factories import DoctorScheduleFactory
from schedule_service.scheduling.tests.fakes import FakeUserService
from schedule_service.scheduling.tests.helpers import NOW


@pytest.fixture(autouse=True)
def user_service(monkeypatch):
    """The fake user_service every test talks to (test_clients uses the real client)."""
    fake = FakeUserService()
    monkeypatch.setattr(clients, "user_doctor_get", fake.doctor_get)
    return fake


@pytest.fixture
def schedule(db):
    """A Berlin doctor's schedule with the default policy."""
    return DoctorScheduleFactory()


@pytest.fixture
def doctor_client(make_client):
    """``doctor_client(schedule_or_id=None)`` → a client with a doctor's access token."""

    def factory(schedule=None):
        doctor_id = getattr(schedule, "doctor_id", schedule) or uuid.uuid4()
        return make_client("doctor", user_id=doctor_id)

    return factory


@pytest.fixture
def berlin(db):
    """A Berlin schedule (time zone just confirmed at NOW) with Wednesdays 09:00-12:00 / 30 min."""
    from schedule_service.scheduling.tests.factories import AvailabilityRuleFactory

    schedule = DoctorScheduleFactory(timezone="Europe/Berlin", timezone_checked_at=NOW)
    AvailabilityRuleFactory(
        doctor=schedule,
        weekday=2,
        start_time=datetime.time(9),
        end_time=datetime.time(12),
        slot_minutes=30,
    )
    return schedule
