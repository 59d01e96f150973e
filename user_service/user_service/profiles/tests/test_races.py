"""Concurrency: racing internal creates of one user id (PostgreSQL only)."""

import uuid

import pytest

from common.testing import BearerClient, race, service_token
from user_service.profiles import services
from user_service.profiles.models import Doctor, Patient, ProfileOwner
from user_service.profiles.tests.factories import SpecialtyFactory

THREADS = 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_creates_of_one_user_make_one_row_and_no_500():
    SpecialtyFactory(slug="cardiology", name="Cardiology")
    user_id = str(uuid.uuid4())
    payload = {
        "user_id": user_id,
        "role": "doctor",
        "full_name": "Dr. Race",
        "specialty": "cardiology",
        "timezone": "Europe/Berlin",
    }
    token = service_token("auth_service", "profiles:write")

    def create(_: int) -> int:
        return BearerClient(token).post("/internal/v1/profiles/", payload).status_code

    outcomes = race(create, range(THREADS))
    statuses = [o for o in outcomes if isinstance(o, int)]
    errors = [o for o in outcomes if not isinstance(o, int)]

    assert not errors
    assert sorted(statuses) == [200] * (THREADS - 1) + [201]
    assert Doctor.objects.filter(pk=user_id).count() == 1


def _payload(user_id: str, role: str) -> dict:
    if role == "doctor":
        return {
            "user_id": user_id,
            "role": "doctor",
            "full_name": "Dr. Both",
            "specialty": "cardiology",
            "timezone": "Europe/Berlin",
        }
    return {"user_id": user_id, "role": "patient", "full_name": "Pat Both"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("pre_check", [True, False], ids=["as-is", "without-the-pre-check"])
def test_concurrent_doctor_and_patient_creates_of_one_id_let_exactly_one_role_win(
    monkeypatch, pre_check
):
    """Without the pre-check every call reaches the INSERTs: the database alone decides."""
    if not pre_check:
        monkeypatch.setattr(services, "profile_find", lambda **kwargs: None)
    SpecialtyFactory(slug="cardiology", name="Cardiology")
    token = service_token("auth_service", "profiles:write")

    def create(payload: dict) -> tuple[str, int]:
        response = BearerClient(token).post("/internal/v1/profiles/", payload)
        return payload["role"], response.status_code

    for _ in range(5):
        user_id = str(uuid.uuid4())
        payloads = [_payload(user_id, role) for role in ("doctor", "patient") * (THREADS // 2)]
        outcomes = race(create, payloads)
        errors = [o for o in outcomes if not isinstance(o, tuple)]
        assert not errors
        [(winner, _)] = [o for o in outcomes if o[1] == 201]
        for role, status in outcomes:
            if role == winner:
                assert status in (200, 201)
            else:
                assert status == 409
        assert ProfileOwner.objects.get(pk=user_id).role == winner
        assert Doctor.objects.filter(pk=user_id).count() == (winner == "doctor")
        assert Patient.objects.filter(pk=user_id).count() == (winner == "patient")
