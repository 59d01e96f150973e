"""Fixtures shared by the accounts tests."""

import datetime
import os
import uuid

import pytest
from django.utils import timezone

from auth_service.accounts import clients
from auth_service.accounts.tests.factories import UserFactory
from auth_service.accounts.tests.fakes import Clock, FakeUserService


@pytest.fixture
def user_service(monkeypatch):
    fake = FakeUserService()
    monkeypatch.setattr(clients, "user_profile_create", fake.create)
    monkeypatch.setattr(clients, "user_profile_get", fake.get)
    monkeypatch.setattr(clients, "user_profile_list_created", fake.list_created)
    monkeypatch.setattr(clients, "user_profile_delete", fake.delete)
    return fake


@pytest.fixture
def patient():
    return UserFactory(role="patient")


@pytest.fixture
def new_id():
    return uuid.uuid4()


@pytest.fixture
def shared_cache(settings):
    """The cache the race tests count in: Redis when TEST_REDIS_URL is set (as on CI), else LocMem.

    Redis keys get a prefix of their own, and only those keys are deleted after
    the test (other runs may share the Redis database).
    """
    url = os.environ.get("TEST_REDIS_URL", "")
    if not url:
        yield "locmem"
        return
    prefix = f"auth-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    yield "redis"
    import redis

    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture
def clock(monkeypatch):
    """Time travel for tokens: move the clock that signs, checks and records them.

    Shifts Django's ``timezone.now`` (records, services), simplejwt's clock
    (``iat``/``exp`` of new tokens) and PyJWT's (``exp`` checks).
    """
    import jwt.api_jwt
    from rest_framework_simplejwt import tokens as simplejwt_tokens

    clock = Clock()
    real_now = timezone.now

    class ShiftedDatetime(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.datetime.now(tz) + clock.offset

    monkeypatch.setattr(jwt.api_jwt, "datetime", ShiftedDatetime)
    monkeypatch.setattr(simplejwt_tokens, "aware_utcnow", lambda: real_now() + clock.offset)
    monkeypatch.setattr(timezone, "now", lambda: real_now() + clock.offset)
    return clock
