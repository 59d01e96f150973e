"""Fixtures of appointment_service's tests; common.testing brings token clients."""

from __future__ import annotations

import os

import pytest

pytest_plugins = ["common.testing"]


@pytest.fixture(autouse=True)
def _postgres_only(request):
    """Skip ``@pytest.mark.postgres`` tests off PostgreSQL; fail them if REQUIRE_POSTGRES=1."""
    if request.node.get_closest_marker("postgres") is None:
        return
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail(f"REQUIRE_POSTGRES=1 but the test database is {connection.vendor}.")
    pytest.skip("needs PostgreSQL (set DATABASE_URL to a postgres:// URL)")
