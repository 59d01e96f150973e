"""Fixtures of auth_service's tests."""

import pytest

from auth_service.accounts import keys

pytest_plugins = ["common.testing"]


@pytest.fixture(autouse=True, scope="session")
def signing_key():
    """One real signing key in the test keys folder."""
    if not keys.load_keys():
        keys.generate_key()
    return keys.active_key()


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
