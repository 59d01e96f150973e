"""Fixtures shared by the accounts tests."""

import uuid

import pytest

from auth_service.accounts import clients
from auth_service.accounts.tests.factories import UserFactory


class FakeUserService:
    """Stands in for user_service at the clients.py boundary."""

    def __init__(self):
        self.created: list[dict] = []
        self.error: Exception | None = None

    def create(self, *, user_id, role, fields):
        if self.error:
            raise self.error
        self.created.append({"user_id": user_id, "role": role, **fields})
        return clients.Profile(user_id=user_id, role=role, full_name=fields["full_name"])


@pytest.fixture
def user_service(monkeypatch):
    fake = FakeUserService()
    monkeypatch.setattr(clients, "user_profile_create", fake.create)
    return fake


@pytest.fixture
def patient():
    return UserFactory(role="patient")


@pytest.fixture
def new_id():
    return uuid.uuid4()
