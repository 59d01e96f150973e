"""Fixtures shared by the accounts tests."""

import datetime
import os
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


class Clock:
    """How far the tests' clock is ahead of the real one."""

    def __init__(self):
        self.offset = datetime.timedelta(0)

    def advance(self, **delta):
        self.offset += datetime.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    """Time travel for tokens: move the clock that signs, checks and records them.

    Shifts Django's ``timezone.now`` (records, services), simplejwt's clock
    (``iat``/``exp`` of new tokens) and PyJWT's (``exp`` checks).
    """
    import jwt.api_jwt
    from django.utils import timezone
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
