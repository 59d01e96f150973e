"""Concurrency: racing internal creates of one user id (PostgreSQL only)."""

import uuid

import pytest

from common.testing import BearerClient, race, service_token
from user_service.profiles.models import Doctor
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
