"""Concurrency: racing internal creates of one user id (PostgreSQL only)."""

import threading
import uuid

import pytest
from django.db import connection

from common.testing import BearerClient, service_token
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
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def create() -> None:
        try:
            client = BearerClient(token)
            barrier.wait(timeout=10)
            statuses.append(client.post("/internal/v1/profiles/", payload).status_code)
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors
    assert sorted(statuses) == [200] * (THREADS - 1) + [201]
    assert Doctor.objects.filter(pk=user_id).count() == 1
