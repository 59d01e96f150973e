"""Fixtures of user_service's tests; common.testing brings token clients."""

from __future__ import annotations

import pytest

pytest_plugins = ["common.testing"]


@pytest.fixture
def specialty(db):
    from user_service.profiles.tests.factories import SpecialtyFactory

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
