"""Names and contact details of patients and doctors, from user_service and auth_service."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    id: uuid.UUID
    role: str
    full_name: str
    email: str | None
    phone: str | None
    specialty: str | None
    specialty_slug: str | None


def people_get(ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Person]:
    raise NotImplementedError


def people_search(text: str, *, role: str | None = None, limit: int = 20) -> list[Person]:
    raise NotImplementedError
