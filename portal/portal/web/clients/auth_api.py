"""The portal's calls to auth_service: register, sign in, renew a password, sign out."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from common.http import default_token_provider
from common.net import client_address
from portal.web.clients.base import Tokens, _client, call, tokens


@dataclass(frozen=True)
class Account:
    id: uuid.UUID
    email: str
    role: str


def _account(body: dict[str, Any]) -> Account:
    return Account(id=uuid.UUID(body["id"]), email=body["email"], role=body["role"])


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
    return call(
        None,
        "auth",
        "POST",
        "/api/v1/auth/register",
        build=_account,
        json=data,
        ok=(201,),
        headers=_on_behalf_of(request),
    )


def auth_token(request: HttpRequest, *, email: str, password: str) -> Tokens:
    """Sign in. Raises ``ApiProblem`` (401 ``invalid-credentials``, 429 ``throttled``, 403
    ``password-change-required`` for a temporary password set by the clinic)."""
    return call(
        None,
        "auth",
        "POST",
        "/api/v1/auth/token",
        build=tokens,
        json={"email": email, "password": password},
        headers=_on_behalf_of(request),
    )


def auth_password_renew(
    request: HttpRequest, *, email: str, temporary_password: str, new_password: str
) -> None:
    """Replace a temporary password set by the clinic with a new one.

    Raises ``ApiProblem`` (401 ``invalid-credentials``, 400 with field errors on
    ``new_password``, 429 ``throttled``).
    """
    call(
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
    """Revoke a refresh token; a token that is already dead is fine (the answer is not read)."""
    _client("auth").post("/api/v1/auth/logout", json={"refresh": refresh_token})
