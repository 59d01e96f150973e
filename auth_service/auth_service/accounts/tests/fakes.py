"""Stand-ins of the accounts tests: user_service at the clients.py boundary and a movable clock."""

from __future__ import annotations

import datetime
import uuid

from django.utils import timezone

from auth_service.accounts import clients
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


class Clock:
    """How far the tests' clock is ahead of the real one."""

    def __init__(self):
        self.offset = datetime.timedelta(0)

    def advance(self, **delta):
        self.offset += datetime.timedelta(**delta)
