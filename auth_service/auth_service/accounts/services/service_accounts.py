"""Service accounts and the OAuth 2.0 client-credentials grant that gives them tokens."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from auth_service.accounts.exceptions import (
    InvalidClient,
    InvalidScope,
    InvalidTarget,
    UnsupportedGrantType,
)
from auth_service.accounts.models import ServiceAccount
from auth_service.accounts.tokens import ServiceToken
from common.conf import is_placeholder

# A hash to check against when a client id is unknown, so that the answer
# takes as long as for a known client with a wrong secret.
_DUMMY_SECRET_HASH = make_password("not-a-real-secret")


@dataclass(frozen=True)
class IssuedServiceToken:
    """A signed service token, its lifetime in seconds and its space-separated scope."""

    access_token: str
    expires_in: int
    scope: str


def service_account_upsert(
    *, client_id: str, secret: str, grants: dict[str, list[str]]
) -> ServiceAccount:
    """Create or update a service account; the secret is stored hashed.

    ``grants`` maps each audience the account may get tokens for to the
    scopes it may ask for there (and replaces what it had). Raises Django
    ``ValidationError`` for a short or placeholder secret or malformed grants.
    """
    if len(secret) < 24:
        raise ValidationError({"secret": ["A client secret needs at least 24 characters."]})
    if is_placeholder(secret):
        raise ValidationError({"secret": ["A client secret must not be a change-me placeholder."]})
    account = ServiceAccount.objects.filter(client_id=client_id).first() or ServiceAccount(
        client_id=client_id
    )
    account.secret_hash = make_password(secret)
    account.grants = {
        audience: sorted(set(scopes)) if isinstance(scopes, list) else scopes
        for audience, scopes in grants.items()
    }  # full_clean() below refuses anything but lists of scopes
    account.is_active = True
    account.full_clean(validate_unique=False)
    account.save()
    return account


def service_token_mint(*, client_id: str, audience: str, scopes: list[str]) -> IssuedServiceToken:
    """Sign a service token for ``client_id`` to call ``audience`` with ``scopes``; no checks.

    Callers decide who may have it: ``service_token_issue`` for the grant,
    ``LocalServiceTokenProvider`` for auth_service's own calls.
    """
    token = ServiceToken()
    token["sub"] = f"service:{client_id}"
    token["aud"] = audience
    token["scope"] = " ".join(sorted(scopes))
    return IssuedServiceToken(
        access_token=str(token),
        expires_in=int(settings.SERVICE_TOKEN_LIFETIME.total_seconds()),
        scope=token["scope"],
    )


def service_token_issue(
    *, grant_type: str, client_id: str, client_secret: str, audience: str, scope: str | None
) -> IssuedServiceToken:
    """The OAuth 2.0 client-credentials grant (RFC 6749 §4.4).

    The token's ``aud`` is the one service asked for; its scope is the asked
    scope (or, when none is asked, every scope the account holds for that
    audience): a scope granted for another audience is refused. Raises
    ``UnsupportedGrantType``, ``InvalidClient``, ``InvalidTarget`` or
    ``InvalidScope``.
    """
    if grant_type != "client_credentials":
        raise UnsupportedGrantType()
    account = ServiceAccount.objects.filter(client_id=client_id, is_active=True).first()
    secret_ok = check_password(
        client_secret, account.secret_hash if account else _DUMMY_SECRET_HASH
    )
    if account is None or not secret_ok:
        raise InvalidClient()
    granted = account.grants.get(audience)
    if granted is None:
        raise InvalidTarget()
    requested = scope.split() if scope else list(granted)
    if not set(requested) <= set(granted):
        raise InvalidScope()
    ServiceAccount.objects.filter(pk=account.pk).update(last_token_at=timezone.now())
    return service_token_mint(client_id=client_id, audience=audience, scopes=requested)
