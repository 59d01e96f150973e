"""Fixtures of the portal's tests."""

import pytest

pytest_plugins = ["common.testing"]


@pytest.fixture(autouse=True)
def _sessions_live_in_the_database(db):
    """Every page reads its session from the portal's database (as in production)."""
