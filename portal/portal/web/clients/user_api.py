"""The portal's calls to user_service: specialties, doctors and profiles."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache as django_cache
from django.http import HttpRequest

from portal.web.clients.base import Page, _client, _service_client, call, page_of, read


@dataclass(frozen=True)
class Specialty:
    slug: str
    name: str


@dataclass(frozen=True)
class Doctor:
    id: uuid.UUID
    full_name: str
    specialty: Specialty
    bio: str
    timezone: str


@dataclass(frozen=True)
class Profile:
    """A profile as the portal shows it beside an appointment (doctor or patient)."""

    id: uuid.UUID
    role: str
    full_name: str
    timezone: str | None = None
    specialty: Specialty | None = None


@dataclass(frozen=True)
class Me:
    full_name: str
    timezone: str | None
    # A doctor the clinic has not approved yet: not listed, not bookable.
    awaiting_approval: bool = False


def _specialty(body: dict[str, Any]) -> Specialty:
    return Specialty(slug=body["slug"], name=body["name"])


def _doctor(body: dict[str, Any]) -> Doctor:
    return Doctor(
        id=uuid.UUID(body["id"]),
        full_name=body["full_name"],
        specialty=_specialty(body["specialty"]),
        bio=body.get("bio") or "",
        timezone=body["timezone"],
    )


def _profile(body: dict[str, Any]) -> Profile:
    specialty = body.get("specialty")
    return Profile(
        id=uuid.UUID(body["user_id"]),
        role=body["role"],
        full_name=body["full_name"],
        timezone=body.get("timezone"),
        specialty=_specialty(specialty) if specialty else None,
    )


def _me(body: dict[str, Any]) -> Me:
    return Me(
        full_name=body["full_name"],
        timezone=body.get("timezone"),
        awaiting_approval="approved_at" in body and body["approved_at"] is None,
    )


def user_specialty_list() -> list[Specialty]:
    """Every specialty, for the search filter (public, cached for a minute)."""
    cached = django_cache.get("portal:specialties")
    if cached is not None:
        return cached
    specialties = call(
        None,
        "user",
        "GET",
        "/api/v1/specialties/",
        build=page_of(_specialty),
        params={"page_size": 100},
    ).items
    django_cache.set("portal:specialties", specialties, 60)
    return specialties


def user_profile_me(*, access: str) -> Me:
    """The profile behind a token just obtained (before it is in the session)."""
    client = _client("user")
    return client.parse(_me, read(client, client.get("/api/v1/profiles/me/", token=access)))


def user_profile_mine(request: HttpRequest) -> Me:
    """The signed-in person's own profile."""
    return call(request, "user", "GET", "/api/v1/profiles/me/", build=_me)


def user_doctor_list(
    request: HttpRequest, *, search: str = "", specialty: str = "", page: int = 1
) -> Page[Doctor]:
    """One page of approved doctors matching ``search`` and ``specialty``."""
    params: dict[str, int | str] = {"page": page, "page_size": 10}
    if search:
        params["search"] = search
    if specialty:
        params["specialty"] = specialty
    return call(request, "user", "GET", "/api/v1/doctors/", build=page_of(_doctor), params=params)


def user_doctor_get(request: HttpRequest, *, doctor_id: uuid.UUID) -> Doctor:
    """A listed doctor. Raises ``ApiProblem`` 404 for an unknown or unapproved one."""
    return call(request, "user", "GET", f"/api/v1/doctors/{doctor_id}/", build=_doctor)


def user_profiles(ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Profile]:
    """The profiles of ``ids`` (at most 100) in one call, by id; unknown ids are absent.

    Uses the portal's own service token: the ids come from answers the person's
    own token was allowed to see (their appointments).
    """
    wanted = sorted({str(i) for i in ids})
    if not wanted:
        return {}
    client = _service_client()
    response = client.get(
        "/internal/v1/profiles/", params={"ids": ",".join(wanted), "page_size": 100}
    )
    profiles = client.parse(page_of(_profile), read(client, response)).items
    return {profile.id: profile for profile in profiles}
