"""Fixtures of appointment_service's tests; common.testing brings token clients."""

from __future__ import annotations

import pytest

pytest_plugins = ["common.testing"]


@pytest.fixture(autouse=True)
def _people(fake_people):
    """The admins name people through common.people: never for real in unit tests."""
    return fake_people
