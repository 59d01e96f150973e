"""Fixtures of auth_service's tests."""

import os

import pytest
from django.db import connection

from auth_service.accounts import keys

pytest_plugins = ["common.testing"]


@pytest.fixture(autouse=True, scope="session")
def signing_key():
    """One real signing key in the test keys folder."""
    if not keys.load_keys():
        keys.generate_key()
    return keys.active_key()


@pytest.fixture(autouse=True)
def _postgres_only(request):
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(
                "This test needs PostgreSQL (REQUIRE_POSTGRES=1) but runs on " + connection.vendor
            )
        pytest.skip("needs PostgreSQL: set DATABASE_URL")


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
