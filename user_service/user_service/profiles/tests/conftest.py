"""Fixtures of the profiles tests: a specialty and clients with a doctor's or a patient's token."""

from __future__ import annotations

import pytest

from user_service.profiles.tests.factories import SpecialtyFactory


@pytest.fixture
def specialty(db):
    return SpecialtyFactory(slug="cardiology", name="Cardiology")


@pytest.fixture
def doctor_client(make_client):
    """``doctor_client(doctor)`` → a client with that doctor's access token."""

    def factory(doctor):
        return make_client("doctor", user_id=doctor.user_id)

    return factory


@pytest.fixture
def patient_client(make_client):
    """``patient_client(patient)`` → a client with that patient's access token."""

    def factory(patient):
        return make_client("patient", user_id=patient.user_id)

    return factory
