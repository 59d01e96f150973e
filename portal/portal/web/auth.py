"""The signed-in person, kept in the server-side session: tokens, role, name and time zone.

Tokens never reach the browser: the session cookie carries only the session's
key. The access token is renewed with the refresh token shortly before it
expires; a refused refresh ends the sign-in.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt
from django.conf import settings
from django.http import HttpRequest

from common.handoff import HANDOFF_WAIT_SECONDS, TokenPair, rotate_once

SESSION_KEY = "person"
PENDING_KEY = "pending_forms"
TIME_ZONE_KEY = "time_zone"
# Set when the services stopped accepting a sign-in, so that Sign in can say why.
ENDED_KEY = "had_sign_in"
# Fields never kept for a form refilled after signing in again.
UNKEPT_FIELDS = frozenset(
    {"csrfmiddlewaretoken", "password", "old_password", "new_password", "temporary_password"}
)


class SignInRequired(Exception):
    """The person's sign-in has ended (no session, or a refresh the auth service refused)."""


@dataclass(frozen=True)
class Person:
    """Who is signed in, as the pages need it."""

    id: uuid.UUID
    role: str
    email: str
    full_name: str
    time_zone: str | None
    awaiting_approval: bool = False

    @property
    def is_doctor(self) -> bool:
        return self.role == "doctor"

    @property
    def is_patient(self) -> bool:
        return self.role == "patient"


def _claims(access: str) -> dict[str, Any]:
    # The token came straight from auth_service over our own connection, and every API
    # verifies it on each call: the portal reads its claims only to know who and until when.
    return jwt.decode(access, options={"verify_signature": False})


def sign_in(
    request: HttpRequest,
    *,
    access: str,
    refresh: str,
    email: str,
    full_name: str,
    time_zone: str | None,
    awaiting_approval: bool = False,
) -> Person:
    """Start a session for the owner of ``access`` (a new session key: no fixation)."""
    claims = _claims(access)
    pending = request.session.get(PENDING_KEY, {})
    browser_zone = request.session.get(TIME_ZONE_KEY)
    request.session.cycle_key()
    request.session.pop(ENDED_KEY, None)
    request.session[SESSION_KEY] = {
        "id": claims["sub"],
        "role": claims["role"],
        "email": email,
        "full_name": full_name,
        "time_zone": time_zone,
        "awaiting_approval": awaiting_approval,
        "access": access,
        "refresh": refresh,
        "expires_at": int(claims["exp"]),
    }
    if pending:
        request.session[PENDING_KEY] = pending
    if browser_zone:
        request.session[TIME_ZONE_KEY] = browser_zone
    return current_person(request)


def sign_out(request: HttpRequest) -> str | None:
    """End the session; return the refresh token it held (to revoke), if any."""
    data = request.session.get(SESSION_KEY) or {}
    zone = request.session.get(TIME_ZONE_KEY)
    request.session.flush()
    if zone:
        request.session[TIME_ZONE_KEY] = zone
    return data.get("refresh")


def end_sign_in(request: HttpRequest) -> None:
    """End a sign-in the services no longer accept (the session remembers there was one)."""
    sign_out(request)
    request.session[ENDED_KEY] = True


def current_person(request: HttpRequest) -> Person | None:
    """The signed-in person, or None."""
    data = request.session.get(SESSION_KEY)
    if not data:
        return None
    return Person(
        id=uuid.UUID(data["id"]),
        role=data["role"],
        email=data["email"],
        full_name=data["full_name"],
        time_zone=data.get("time_zone"),
        awaiting_approval=bool(data.get("awaiting_approval")),
    )


def approval_received(request: HttpRequest) -> None:
    """Remember that the signed-in doctor has been approved since they signed in."""
    data = request.session.get(SESSION_KEY)
    if data and data.get("awaiting_approval"):
        request.session[SESSION_KEY] = {**data, "awaiting_approval": False}


def access_token(
    request: HttpRequest, *, refresh: Callable[[str], Any], force: bool = False
) -> str:
    """Return a live access token, renewing it through ``refresh`` when it is about to expire.

    ``refresh(token)`` returns an object with ``access`` and ``refresh``, or None
    when auth_service refuses. Raises ``SignInRequired`` when there is no
    session or the refresh is refused (the session then ends).
    """
    data = request.session.get(SESSION_KEY)
    if not data:
        raise SignInRequired
    if force or data["expires_at"] - settings.TOKEN_REFRESH_MARGIN_SECONDS <= time.time():
        tokens = _renew(data["refresh"], refresh)
        if tokens is None:
            end_sign_in(request)
            raise SignInRequired
        data = {
            **data,
            "access": tokens.access,
            "refresh": tokens.refresh,
            "expires_at": int(_claims(tokens.access)["exp"]),
        }
        request.session[SESSION_KEY] = data
    return data["access"]


def _renew(refresh_token: str, refresh: Callable[[str], Any]) -> TokenPair | None:
    """Renew once per refresh token, whichever request of the sign-in gets there first.

    The others take the new pair, or word that auth_service refused (then they
    end the sign-in too). Raises ``ServiceUnavailable`` when the renewing
    request failed or took too long: the sign-in is kept, and the person can
    try again.
    """

    def renew(token: str) -> TokenPair | None:
        tokens = refresh(token)
        return TokenPair(tokens.access, tokens.refresh) if tokens is not None else None

    return rotate_once(
        namespace="portal",
        refresh_token=refresh_token,
        rotate=renew,
        wait_seconds=HANDOFF_WAIT_SECONDS,
    )


def keep_pending_form(request: HttpRequest, *, path: str, data: dict[str, list[str]]) -> None:
    """Keep what was typed into a form whose sign-in ended, to refill it afterwards."""
    kept = {k: v for k, v in data.items() if k not in UNKEPT_FIELDS}
    pending = request.session.get(PENDING_KEY, {})
    pending[path] = kept
    request.session[PENDING_KEY] = pending


def pop_pending_form(request: HttpRequest, *, path: str) -> dict[str, Any] | None:
    """The form kept for ``path`` (once), as initial values, or None."""
    pending = request.session.get(PENDING_KEY) or {}
    kept = pending.pop(path, None)
    if kept is None:
        return None
    request.session[PENDING_KEY] = pending
    return {k: v[0] if len(v) == 1 else v for k, v in kept.items()}
