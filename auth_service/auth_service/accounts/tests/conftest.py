"""Fixtures shared by the accounts tests."""

import datetime
import os
import uuid

import pytest
from django.utils import timezone

from auth_service.accounts import clients
from auth_service.accounts.tests.factories import UserFactory
from common.errors import ServiceUnavailable


class FakeUserService:
    """Stands in for user_service at the clients.py boundary.

    ``profiles`` maps user ids to (profile, created_at); ``error`` is raised by
    every call when set, ``errors`` by the named one (``create``, ``get``,
    ``list``, ``delete``); ``act_then_fail`` names calls that do their work,
    then fail as a timeout would.
    """

    def __init__(self):
        self.created: list[dict] = []
        self.profiles: dict[uuid.UUID, tuple[clients.Profile, datetime.datetime]] = {}
        self.listed: list[tuple[datetime.datetime, datetime.datetime | None]] = []
        self.deleted: list[uuid.UUID] = []
        self.error: Exception | None = None
        self.errors: dict[str, Exception] = {}
        self.act_then_fail: set[str] = set()

    def _enter(self, name: str) -> None:
        if self.error:
            raise self.error
        if name in self.errors:
            raise self.errors[name]

    def _leave(self, name: str) -> None:
        if name in self.act_then_fail:
            raise ServiceUnavailable("The user_service service could not answer.")

    def add(self, user_id, *, role="patient", age=datetime.timedelta(hours=1)):
        """A profile made ``age`` ago."""
        profile = clients.Profile(user_id=user_id, role=role, full_name="Someone")
        self.profiles[user_id] = (profile, timezone.now() - age)
        return profile

    def create(self, *, user_id, role, fields):
        self._enter("create")
        self.created.append({"user_id": user_id, "role": role, **fields})
        if user_id not in self.profiles:
            profile = clients.Profile(user_id=user_id, role=role, full_name=fields["full_name"])
            self.profiles[user_id] = (profile, timezone.now())
        self._leave("create")
        return self.profiles[user_id][0]

    def get(self, *, user_id):
        self._enter("get")
        found = self.profiles.get(user_id)
        return found[0] if found else None

    def list_created(self, *, before, after=None):
        self._enter("list")
        self.listed.append((before, after))
        rows = sorted(self.profiles.values(), key=lambda row: row[1])
        return iter(
            profile
            for profile, created in rows
            if created < before and (after is None or created > after)
        )

    def delete(self, *, user_id):
        self._enter("delete")
        self.deleted.append(user_id)
        return self.profiles.pop(user_id, None) is not None


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
