"""The portal's only door to the services: each call with the signed-in person's own token.

Every function returns small dataclasses. An API refusal raises ``ApiProblem``
(status, code and field errors of its RFC 9457 body); a service that is down
or answers 5xx raises ``common.errors.ServiceUnavailable``; a token the
services refuse even after a refresh raises ``SignInRequired``.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.cache import cache as django_cache
from django.http import HttpRequest

from common.errors import ServiceUnavailable
from common.http import ApiClient, ServiceClient, default_token_provider
from common.net import client_address
from portal.web import auth
from portal.web.auth import SignInRequired

logger = logging.getLogger(__name__)

T = TypeVar("T")


class ApiProblem(Exception):
    """A 4xx answer of a service: its problem code, detail and field errors."""

    def __init__(
        self,
        *,
        status: int,
        code: str,
        detail: str = "",
        errors: list[dict[str, str]] | None = None,
        body: dict[str, Any] | None = None,
    ):
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.errors = errors or []
        self.body = body or {}


# Data


@dataclass(frozen=True)
class Tokens:
    access: str
    refresh: str


@dataclass(frozen=True)
class Account:
    id: uuid.UUID
    email: str
    role: str


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
class Slot:
    id: uuid.UUID
    doctor_id: uuid.UUID
    start: datetime.datetime
    end: datetime.datetime
    held: bool = False
    appointment_id: uuid.UUID | None = None
    bookable: bool = True


@dataclass(frozen=True)
class Appointment:
    id: uuid.UUID
    patient_id: uuid.UUID
    doctor_id: uuid.UUID
    slot_id: uuid.UUID
    start: datetime.datetime
    end: datetime.datetime
    status: str
    outcome: str | None
    reason: str
    cancel_reason: str
    late_cancellation: bool
    reschedule_count: int
    cancel_cutoff_hours: int
    reschedule_cutoff_hours: int
    created_at: datetime.datetime

    @property
    def late_cancel_from(self) -> datetime.datetime:
        """From this instant a cancellation counts as late."""
        return self.start - datetime.timedelta(hours=self.cancel_cutoff_hours)

    @property
    def changes_close_at(self) -> datetime.datetime:
        """From this instant the appointment cannot be moved online."""
        return self.start - datetime.timedelta(hours=self.reschedule_cutoff_hours)


@dataclass(frozen=True)
class Event:
    at: datetime.datetime
    actor_role: str
    action: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Rule:
    id: int
    weekday: int
    start_time: datetime.time
    end_time: datetime.time
    slot_minutes: int
    valid_from: datetime.date | None
    valid_until: datetime.date | None


@dataclass(frozen=True)
class TimeOff:
    id: int
    start: datetime.datetime
    end: datetime.datetime
    reason: str
    held_slots: tuple[Slot, ...] = ()


@dataclass(frozen=True)
class Policy:
    timezone: str
    min_notice_minutes: int
    horizon_days: int
    buffer_minutes: int
    cancel_cutoff_hours: int
    reschedule_cutoff_hours: int


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    count: int
    has_next: bool = False
    has_previous: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


# Plumbing


@cache
def _client(service: str) -> ApiClient:
    return ApiClient(base_url=settings.SERVICE_URLS[service], name=service.replace("_", " "))


@cache
def _service_client() -> ServiceClient:
    """The portal's own service token, for the one internal read it makes (profile names)."""
    return ServiceClient(base_url=settings.SERVICE_URLS["user"], audience="user_service")


def _problem(response: Any) -> ApiProblem:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    errors = body.get("errors")
    if not isinstance(errors, list):
        errors = []
    return ApiProblem(
        status=response.status_code,
        code=str(body.get("code") or "unknown"),
        detail=str(body.get("detail") or ""),
        errors=[e for e in errors if isinstance(e, dict)],
        body=body,
    )


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise ServiceUnavailable("A service gave an unusable answer.") from exc


def _call(
    request: HttpRequest | None,
    service: str,
    method: str,
    path: str,
    *,
    ok: Iterable[int] = (200,),
    **kwargs: Any,
) -> Any:
    """Send one call as the signed-in person (anonymous when ``request`` is None).

    A 401 refreshes the access token once and retries; a second 401 (or a
    refused refresh) signs the person out and raises ``SignInRequired``.
    """
    client = _client(service)
    token = auth.access_token(request, refresh=_refresh) if request is not None else None
    response = client.request(method, path, token=token, **kwargs)
    if response.status_code == 401 and request is not None:
        token = auth.access_token(request, refresh=_refresh, force=True)
        response = client.request(method, path, token=token, **kwargs)
        if response.status_code == 401:
            auth.end_sign_in(request)
            raise SignInRequired
    if response.status_code not in ok:
        raise _problem(response)
    return response


def _parse(build: Callable[[Any], T], data: Any) -> T:
    """Build a dataclass from a 2xx body; an unusable body is the service's failure."""
    try:
        return build(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        logger.error("Unusable answer: %s", exc.__class__.__name__)
        raise ServiceUnavailable("A service gave an unusable answer.") from exc


def _page(build: Callable[[Any], T], body: Any) -> Page[T]:
    return _parse(
        lambda b: Page(
            items=[build(item) for item in b["results"]],
            count=int(b["count"]),
            has_next=bool(b.get("next")),
            has_previous=bool(b.get("previous")),
        ),
        body,
    )


def _time(value: str) -> datetime.datetime:
    parsed = datetime.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("naive date-time")
    return parsed


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


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


def _slot(body: dict[str, Any]) -> Slot:
    appointment_id = body.get("appointment_id")
    return Slot(
        id=uuid.UUID(body["id"]),
        doctor_id=uuid.UUID(body["doctor_id"]),
        start=_time(body["start"]),
        end=_time(body["end"]),
        held=bool(body.get("held", False)),
        appointment_id=uuid.UUID(appointment_id) if appointment_id else None,
        bookable=bool(body.get("bookable", True)),
    )


def _appointment(body: dict[str, Any]) -> Appointment:
    return Appointment(
        id=uuid.UUID(body["id"]),
        patient_id=uuid.UUID(body["patient_id"]),
        doctor_id=uuid.UUID(body["doctor_id"]),
        slot_id=uuid.UUID(body["slot_id"]),
        start=_time(body["start"]),
        end=_time(body["end"]),
        status=body["status"],
        outcome=body.get("outcome"),
        reason=body.get("reason") or "",
        cancel_reason=body.get("cancel_reason") or "",
        late_cancellation=bool(body.get("late_cancellation")),
        reschedule_count=int(body.get("reschedule_count") or 0),
        cancel_cutoff_hours=int(body.get("cancel_cutoff_hours") or 0),
        reschedule_cutoff_hours=int(body.get("reschedule_cutoff_hours") or 0),
        created_at=_time(body["created_at"]),
    )


def _event(body: dict[str, Any]) -> Event:
    return Event(
        at=_time(body["at"]),
        actor_role=body["actor_role"],
        action=body["action"],
        data=body.get("data") or {},
    )


def _rule(body: dict[str, Any]) -> Rule:
    return Rule(
        id=int(body["id"]),
        weekday=int(body["weekday"]),
        start_time=datetime.time.fromisoformat(body["start_time"]),
        end_time=datetime.time.fromisoformat(body["end_time"]),
        slot_minutes=int(body["slot_minutes"]),
        valid_from=_date(body.get("valid_from")),
        valid_until=_date(body.get("valid_until")),
    )


def _time_off(body: dict[str, Any]) -> TimeOff:
    held = body.get("overlapping_held_slots") or []
    return TimeOff(
        id=int(body["id"]),
        start=_time(body["start"]),
        end=_time(body["end"]),
        reason=body.get("reason") or "",
        held_slots=tuple(
            Slot(
                id=uuid.UUID(h["id"]),
                doctor_id=uuid.UUID(int=0),
                start=_time(h["start"]),
                end=_time(h["end"]),
                held=True,
                appointment_id=uuid.UUID(h["appointment_id"]),
            )
            for h in held
        ),
    )


def _policy(body: dict[str, Any]) -> Policy:
    return Policy(
        timezone=body["timezone"],
        min_notice_minutes=int(body["min_notice_minutes"]),
        horizon_days=int(body["horizon_days"]),
        buffer_minutes=int(body["buffer_minutes"]),
        cancel_cutoff_hours=int(body["cancel_cutoff_hours"]),
        reschedule_cutoff_hours=int(body["reschedule_cutoff_hours"]),
    )


def _refresh(refresh_token: str) -> Tokens | None:
    """Trade a refresh token for a new pair; None when auth_service refuses it."""
    response = _client("auth").post("/api/v1/auth/token/refresh", json={"refresh": refresh_token})
    if response.status_code != 200:
        return None
    body = _json(response)
    return _parse(lambda b: Tokens(access=b["access"], refresh=b["refresh"]), body)


# auth_service


def _on_behalf_of(request: HttpRequest) -> dict[str, str]:
    """Headers that name the browser to auth_service, vouched for by the portal's service token.

    auth_service counts sign-in attempts and registrations per client
    address; without these every person would share the portal's address.
    """
    return {
        "X-Client-Address": client_address(request),
        "X-Forwarder-Token": default_token_provider().get_token("auth_service"),
    }


def auth_register(request: HttpRequest, *, data: dict[str, Any]) -> Account:
    """Create a patient or doctor account (and its profile). Raises ``ApiProblem``."""
    response = _call(
        None,
        "auth",
        "POST",
        "/api/v1/auth/register",
        json=data,
        ok=(201,),
        headers=_on_behalf_of(request),
    )
    return _parse(
        lambda b: Account(id=uuid.UUID(b["id"]), email=b["email"], role=b["role"]),
        _json(response),
    )


def auth_token(request: HttpRequest, *, email: str, password: str) -> Tokens:
    """Sign in. Raises ``ApiProblem`` (401 ``invalid-credentials``, 429 ``throttled``, 403
    ``password-change-required`` for a temporary password set by the clinic)."""
    response = _call(
        None,
        "auth",
        "POST",
        "/api/v1/auth/token",
        json={"email": email, "password": password},
        headers=_on_behalf_of(request),
    )
    return _parse(lambda b: Tokens(access=b["access"], refresh=b["refresh"]), _json(response))


def auth_password_renew(
    request: HttpRequest, *, email: str, temporary_password: str, new_password: str
) -> None:
    """Replace a temporary password set by the clinic with a new one.

    Raises ``ApiProblem`` (401 ``invalid-credentials``, 400 with field errors on
    ``new_password``, 429 ``throttled``).
    """
    _call(
        None,
        "auth",
        "POST",
        "/api/v1/auth/password/renew",
        json={
            "email": email,
            "temporary_password": temporary_password,
            "new_password": new_password,
        },
        ok=(204,),
        headers=_on_behalf_of(request),
    )


def auth_logout(*, refresh_token: str) -> None:
    """Revoke a refresh token; a token that is already dead is fine."""
    _client("auth").post("/api/v1/auth/logout", json={"refresh": refresh_token})


# user_service


def user_specialty_list() -> list[Specialty]:
    """Every specialty, for the search filter (public, cached for a minute)."""
    cached = django_cache.get("portal:specialties")
    if cached is not None:
        return cached
    response = _call(None, "user", "GET", "/api/v1/specialties/", params={"page_size": 100})
    specialties = _page(_specialty, _json(response)).items
    django_cache.set("portal:specialties", specialties, 60)
    return specialties


@dataclass(frozen=True)
class Me:
    full_name: str
    timezone: str | None
    # A doctor the clinic has not approved yet: not listed, not bookable.
    awaiting_approval: bool = False


def _me(body: dict[str, Any]) -> Me:
    return Me(
        full_name=body["full_name"],
        timezone=body.get("timezone"),
        awaiting_approval="approved_at" in body and body["approved_at"] is None,
    )


def user_profile_me(*, access: str) -> Me:
    """The profile behind a token just obtained (before it is in the session)."""
    response = _client("user").get("/api/v1/profiles/me/", token=access)
    if response.status_code != 200:
        raise _problem(response)
    return _parse(_me, _json(response))


def user_profile_mine(request: HttpRequest) -> Me:
    """The signed-in person's own profile."""
    return _parse(_me, _json(_call(request, "user", "GET", "/api/v1/profiles/me/")))


def user_doctor_list(
    request: HttpRequest, *, search: str = "", specialty: str = "", page: int = 1
) -> Page[Doctor]:
    """One page of approved doctors matching ``search`` and ``specialty``."""
    params: dict[str, int | str] = {"page": page, "page_size": 10}
    if search:
        params["search"] = search
    if specialty:
        params["specialty"] = specialty
    response = _call(request, "user", "GET", "/api/v1/doctors/", params=params)
    return _page(_doctor, _json(response))


def user_doctor_get(request: HttpRequest, *, doctor_id: uuid.UUID) -> Doctor:
    """A listed doctor. Raises ``ApiProblem`` 404 for an unknown or unapproved one."""
    response = _call(request, "user", "GET", f"/api/v1/doctors/{doctor_id}/")
    return _parse(_doctor, _json(response))


def user_profiles(ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Profile]:
    """The profiles of ``ids`` (at most 100) in one call, by id; unknown ids are absent.

    Uses the portal's own service token: the ids come from answers the person's
    own token was allowed to see (their appointments).
    """
    wanted = sorted({str(i) for i in ids})
    if not wanted:
        return {}
    response = _service_client().get(
        "/internal/v1/profiles/", params={"ids": ",".join(wanted), "page_size": 100}
    )
    if response.status_code != 200:
        raise _problem(response)
    profiles = _page(_profile, _json(response)).items
    return {profile.id: profile for profile in profiles}


# schedule_service


def schedule_slot_list(
    request: HttpRequest,
    *,
    doctor_id: uuid.UUID,
    first: datetime.date,
    last: datetime.date,
    include_held: bool = False,
    page_size: int = 2016,
) -> list[Slot]:
    """The doctor's slots of local dates ``first``..``last`` in one call, by start."""
    params: dict[str, Any] = {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "page_size": page_size,
    }
    if include_held:
        params["include_held"] = "true"
    response = _call(
        request, "schedule", "GET", f"/api/v1/doctors/{doctor_id}/slots/", params=params
    )
    return _page(_slot, _json(response)).items


def schedule_slot_get(request: HttpRequest, *, slot_id: uuid.UUID) -> Slot:
    """One slot by id, with whether it can be booked now. Raises ``ApiProblem`` 404."""
    response = _call(request, "schedule", "GET", f"/api/v1/slots/{slot_id}/")
    return _parse(_slot, _json(response))


def schedule_rule_list(request: HttpRequest) -> list[Rule]:
    """The signed-in doctor's weekly hours."""
    response = _call(request, "schedule", "GET", "/api/v1/availability/", params={"page_size": 100})
    return _page(_rule, _json(response)).items


def schedule_rule_create(request: HttpRequest, *, data: dict[str, Any]) -> Rule:
    response = _call(request, "schedule", "POST", "/api/v1/availability/", json=data, ok=(201,))
    return _parse(_rule, _json(response))


def schedule_rule_update(request: HttpRequest, *, rule_id: int, data: dict[str, Any]) -> Rule:
    response = _call(request, "schedule", "PATCH", f"/api/v1/availability/{rule_id}/", json=data)
    return _parse(_rule, _json(response))


def schedule_rule_get(request: HttpRequest, *, rule_id: int) -> Rule:
    response = _call(request, "schedule", "GET", f"/api/v1/availability/{rule_id}/")
    return _parse(_rule, _json(response))


def schedule_rule_delete(request: HttpRequest, *, rule_id: int) -> None:
    _call(request, "schedule", "DELETE", f"/api/v1/availability/{rule_id}/", ok=(204, 404))


def schedule_time_off_list(request: HttpRequest) -> list[TimeOff]:
    response = _call(request, "schedule", "GET", "/api/v1/time-off/", params={"page_size": 100})
    return _page(_time_off, _json(response)).items


def schedule_time_off_create(request: HttpRequest, *, data: dict[str, Any]) -> TimeOff:
    response = _call(request, "schedule", "POST", "/api/v1/time-off/", json=data, ok=(201,))
    return _parse(_time_off, _json(response))


def schedule_time_off_delete(request: HttpRequest, *, time_off_id: int) -> None:
    _call(request, "schedule", "DELETE", f"/api/v1/time-off/{time_off_id}/", ok=(204, 404))


def schedule_policy_get(request: HttpRequest) -> Policy:
    response = _call(request, "schedule", "GET", "/api/v1/policy/")
    return _parse(_policy, _json(response))


def schedule_policy_update(request: HttpRequest, *, data: dict[str, Any]) -> Policy:
    response = _call(request, "schedule", "PATCH", "/api/v1/policy/", json=data)
    return _parse(_policy, _json(response))


# appointment_service


def appointment_list(
    request: HttpRequest,
    *,
    status: str | None = None,
    start_from: datetime.datetime | None = None,
    start_to: datetime.datetime | None = None,
    page: int = 1,
    page_size: int = 20,
) -> Page[Appointment]:
    """One page of the signed-in person's appointments, by start."""
    params: dict[str, Any] = {"page": page, "page_size": page_size}
    if status:
        params["status"] = status
    if start_from:
        params["from"] = start_from.isoformat()
    if start_to:
        params["to"] = start_to.isoformat()
    response = _call(request, "appointment", "GET", "/api/v1/appointments/", params=params)
    return _page(_appointment, _json(response))


def appointment_get(request: HttpRequest, *, appointment_id: uuid.UUID) -> Appointment:
    """One of the person's appointments. Raises ``ApiProblem`` 404 for anyone else's."""
    response = _call(request, "appointment", "GET", f"/api/v1/appointments/{appointment_id}/")
    return _parse(_appointment, _json(response))


def appointment_create(
    request: HttpRequest, *, slot_id: uuid.UUID, reason: str, idempotency_key: str
) -> Appointment:
    """Book ``slot_id``; the same ``idempotency_key`` books once however often it is sent."""
    response = _call(
        request,
        "appointment",
        "POST",
        "/api/v1/appointments/",
        json={"slot_id": str(slot_id), "reason": reason},
        headers={"Idempotency-Key": idempotency_key},
        idempotent=True,
        ok=(200, 201),
    )
    return _parse(_appointment, _json(response))


def appointment_update(request: HttpRequest, *, appointment_id: uuid.UUID, reason: str) -> None:
    _call(
        request,
        "appointment",
        "PATCH",
        f"/api/v1/appointments/{appointment_id}/",
        json={"reason": reason},
    )


def appointment_reschedule(
    request: HttpRequest, *, appointment_id: uuid.UUID, slot_id: uuid.UUID
) -> Appointment:
    response = _call(
        request,
        "appointment",
        "POST",
        f"/api/v1/appointments/{appointment_id}/reschedule",
        json={"slot_id": str(slot_id)},
    )
    return _parse(_appointment, _json(response))


def appointment_cancel(
    request: HttpRequest, *, appointment_id: uuid.UUID, reason: str
) -> Appointment:
    response = _call(
        request,
        "appointment",
        "POST",
        f"/api/v1/appointments/{appointment_id}/cancel",
        json={"reason": reason},
    )
    return _parse(_appointment, _json(response))


def appointment_complete(
    request: HttpRequest, *, appointment_id: uuid.UUID, outcome: str
) -> Appointment:
    response = _call(
        request,
        "appointment",
        "POST",
        f"/api/v1/appointments/{appointment_id}/complete",
        json={"outcome": outcome},
    )
    return _parse(_appointment, _json(response))


def appointment_history(request: HttpRequest, *, appointment_id: uuid.UUID) -> list[Event]:
    response = _call(
        request,
        "appointment",
        "GET",
        f"/api/v1/appointments/{appointment_id}/history",
        params={"page_size": 100},
    )
    return _page(_event, _json(response)).items


def appointment_ics(request: HttpRequest, *, appointment_id: uuid.UUID) -> bytes:
    """The appointment as an iCalendar file."""
    response = _call(request, "appointment", "GET", f"/api/v1/appointments/{appointment_id}/ics")
    return response.content
