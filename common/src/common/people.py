"""Who is who: the names, emails and phones behind the ids other services keep, for admins."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.core.cache import cache as django_cache

from common.errors import ServiceUnavailable
from common.fields import as_uuid
from common.http import ServiceClient

logger = logging.getLogger(__name__)

USER_SERVICE = "user_service"
AUTH_SERVICE = "auth_service"
PROFILES_PATH = "/internal/v1/profiles/"
ACCOUNTS_PATH = "/internal/v1/accounts/"
# The most ids one batch look-up may name (both internal endpoints take at most 100).
BATCH_SIZE = 100
# How long one person stays in the cache; a renamed person shows the new name after this.
CACHE_SECONDS = 60
CACHE_PREFIX = "common.people:v1:"
# Longer search texts match no name (user_service refuses them): nobody is searched for.
SEARCH_MAX_LENGTH = 100
SEARCH_MAX_RESULTS = 20
# Cached for an id that has no profile (a staff member's id), so it is not asked for again.
_NOBODY = "nobody"


@dataclass(frozen=True)
class Person:
    """A patient or a doctor as staff see them."""

    id: uuid.UUID
    role: str  # "patient" or "doctor" (a staff id has no profile: not returned)
    full_name: str
    email: str | None  # from auth_service; None when unknown
    phone: str | None  # patients only
    specialty: str | None  # doctors only: the specialty's name
    specialty_slug: str | None


@cache
def _client(base_url: str, audience: str) -> ServiceClient:
    return ServiceClient(base_url=base_url, audience=audience)


def _user_service() -> ServiceClient:
    return _client(settings.USER_SERVICE_URL, USER_SERVICE)


def _auth_service() -> ServiceClient:
    return _client(settings.AUTH_SERVICE_URL, AUTH_SERVICE)


def _batches(ids: list[uuid.UUID]) -> Iterable[list[uuid.UUID]]:
    for start in range(0, len(ids), BATCH_SIZE):
        yield ids[start : start + BATCH_SIZE]


def _results(client: ServiceClient, params: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``results`` of one page from ``client``; ``ServiceUnavailable`` for any other answer."""
    path = PROFILES_PATH if client.audience == USER_SERVICE else ACCOUNTS_PATH
    return client.parse(_result_list, client.get_json(path, params=params))


def _result_list(body: dict[str, Any]) -> list[dict[str, Any]]:
    results = body["results"]
    if not isinstance(results, list):
        raise TypeError("results is not a list")
    return results


def _profiles(params: dict[str, Any]) -> dict[uuid.UUID, dict[str, Any]]:
    profiles = {}
    for row in _results(_user_service(), params):
        user_id = as_uuid(row.get("user_id")) if isinstance(row, dict) else None
        if user_id is None or row.get("role") not in ("patient", "doctor"):
            raise ServiceUnavailable("The user_service service gave an unusable answer.")
        profiles[user_id] = row
    return profiles


def _emails(ids: list[uuid.UUID]) -> dict[uuid.UUID, str] | None:
    """The emails of ``ids`` from auth_service, or ``None`` when it cannot answer (logged)."""
    try:
        accounts = _results(_auth_service(), {"ids": ",".join(map(str, ids))})
    except ServiceUnavailable:
        logger.warning("auth_service could not name %s accounts: emails left out", len(ids))
        return None
    emails = {}
    for row in accounts:
        user_id = as_uuid(row.get("id")) if isinstance(row, dict) else None
        if user_id is not None and isinstance(row.get("email"), str):
            emails[user_id] = row["email"]
    return emails


def _person(user_id: uuid.UUID, profile: dict[str, Any], email: str | None) -> Person:
    specialty = profile.get("specialty") if profile.get("role") == "doctor" else None
    specialty = specialty if isinstance(specialty, dict) else {}
    phone = profile.get("phone") if profile.get("role") == "patient" else None
    return Person(
        id=user_id,
        role=profile["role"],
        full_name=str(profile.get("full_name") or ""),
        email=email,
        phone=phone or None,
        specialty=specialty.get("name"),
        specialty_slug=specialty.get("slug"),
    )


def _cache_key(user_id: uuid.UUID) -> str:
    return f"{CACHE_PREFIX}{user_id}"


def _fetch(ids: list[uuid.UUID]) -> dict[uuid.UUID, Person]:
    """Ask both services about ``ids`` (at most ``BATCH_SIZE``) and cache what they said."""
    profiles = _profiles({"ids": ",".join(map(str, ids)), "page_size": BATCH_SIZE})
    emails = _emails(list(profiles)) if profiles else {}
    people = {
        user_id: _person(user_id, profile, (emails or {}).get(user_id))
        for user_id, profile in profiles.items()
    }
    if emails is not None:  # without emails nothing is kept: the next page asks again
        django_cache.set_many(
            {
                _cache_key(user_id): asdict(people[user_id]) if user_id in people else _NOBODY
                for user_id in ids
            },
            CACHE_SECONDS,
        )
    return people


def people_get(ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Person]:
    """Return the patients and doctors among ``ids``, by id.

    Ids cached in the last ``CACHE_SECONDS`` are not asked for again; the rest
    cost one call to user_service (``GET /internal/v1/profiles/?ids=``) and one
    to auth_service (``GET /internal/v1/accounts/?ids=``) per ``BATCH_SIZE``
    ids. Unknown ids (and staff ids, which have no profile) are absent; ``None``
    and malformed ids are skipped. When auth_service cannot answer, the people
    come without emails (logged, not cached).

    Raises ``ServiceUnavailable`` when user_service cannot answer.
    """
    wanted = list(dict.fromkeys(u for u in (as_uuid(i) for i in ids if i) if u is not None))
    if not wanted:
        return {}
    cached = django_cache.get_many([_cache_key(user_id) for user_id in wanted])
    people: dict[uuid.UUID, Person] = {}
    missing = []
    for user_id in wanted:
        hit = cached.get(_cache_key(user_id))
        if hit is None:
            missing.append(user_id)
        elif hit != _NOBODY:
            people[user_id] = Person(**hit)
    for batch in _batches(missing):
        people.update(_fetch(batch))
    return people


def _by_name(people: Iterable[Person]) -> list[Person]:
    return sorted(people, key=lambda person: (person.full_name.casefold(), str(person.id)))


def people_search(text: str, *, role: str | None = None, limit: int = 20) -> list[Person]:
    """Return up to ``limit`` (at most 20) people whose name contains ``text``, by name.

    When ``text`` contains ``@`` it is looked for in the emails instead
    (auth_service ``GET /internal/v1/accounts/?email=``), then those accounts'
    profiles are fetched. ``role`` (``patient`` or ``doctor``) narrows the
    answer. A blank text, or one longer than ``SEARCH_MAX_LENGTH``, finds
    nobody without a call.

    Raises ``ServiceUnavailable`` when user_service (or, for an email,
    auth_service) cannot answer; an answer by name lacks emails when only
    auth_service cannot.
    """
    text = text.strip()
    limit = max(0, min(limit, SEARCH_MAX_RESULTS))
    if not text or len(text) > SEARCH_MAX_LENGTH or limit == 0:
        return []
    if "@" in text:
        accounts = _results(_auth_service(), {"email": text})
        ids = [as_uuid(row.get("id")) for row in accounts if isinstance(row, dict)]
        people = people_get(user_id for user_id in ids if user_id is not None).values()
        return _by_name(p for p in people if role is None or p.role == role)[:limit]
    params: dict[str, Any] = {"search": text, "page_size": limit}
    if role:
        params["role"] = role
    profiles = _profiles(params)
    emails = _emails(list(profiles)) if profiles else {}
    found = [
        _person(user_id, profile, (emails or {}).get(user_id))
        for user_id, profile in profiles.items()
    ]
    if emails is not None:
        django_cache.set_many(
            {_cache_key(person.id): asdict(person) for person in found}, CACHE_SECONDS
        )
    return _by_name(found)[:limit]
