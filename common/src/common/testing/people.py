"""An in-memory directory of people that stands in for ``common.people`` in tests."""

from __future__ import annotations

import uuid
from typing import Any


class FakePeople:
    """Stands in for ``common.people`` in a service's tests: a directory held in memory.

    ``add(person)`` (or ``patient(...)`` / ``doctor(...)``) fills it; ``calls``
    records each ``people_get`` (the ids asked) and ``searches`` each
    ``people_search``; ``down = True`` makes both raise ``ServiceUnavailable``.
    """

    def __init__(self) -> None:
        self.people: dict[uuid.UUID, Any] = {}
        self.calls: list[set[uuid.UUID]] = []
        self.searches: list[tuple[str, str | None]] = []
        self.down = False

    def add(self, person: Any) -> Any:
        self.people[person.id] = person
        return person

    def patient(self, user_id: uuid.UUID | str | None = None, **fields: Any) -> Any:
        from common.people import Person

        defaults = {"full_name": "Ana Lima", "email": "ana.lima@demo.clinic", "phone": None}
        user_id = uuid.UUID(str(user_id)) if user_id else uuid.uuid4()
        values = {**defaults, **fields, "specialty": None, "specialty_slug": None}
        return self.add(Person(id=user_id, role="patient", **values))

    def doctor(self, user_id: uuid.UUID | str | None = None, **fields: Any) -> Any:
        from common.people import Person

        defaults = {
            "full_name": "Dr. Lena Weber",
            "email": "lena.weber@demo.clinic",
            "specialty": "Cardiology",
            "specialty_slug": "cardiology",
        }
        user_id = uuid.UUID(str(user_id)) if user_id else uuid.uuid4()
        return self.add(Person(id=user_id, role="doctor", phone=None, **{**defaults, **fields}))

    def _check(self) -> None:
        if self.down:
            from common.errors import ServiceUnavailable

            raise ServiceUnavailable("The user_service service cannot be reached.")

    def people_get(self, ids: Any) -> dict[uuid.UUID, Any]:
        wanted = {uuid.UUID(str(i)) for i in ids if i}
        self.calls.append(wanted)
        self._check()
        return {i: self.people[i] for i in wanted if i in self.people}

    def people_search(self, text: str, *, role: str | None = None, limit: int = 20) -> list[Any]:
        self.searches.append((text, role))
        self._check()
        text = text.strip().casefold()
        found = [
            person
            for person in self.people.values()
            if (role is None or person.role == role)
            and text
            and text in ((person.email or "") if "@" in text else person.full_name).casefold()
        ]
        return sorted(found, key=lambda person: person.full_name)[:limit]
