"""Service accounts and the OAuth 2.0 client-credentials grant that gives them tokens."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from auth_service.accounts.exceptions import (
    InvalidClient,
    InvalidScope,
    InvalidTarget,
    UnsupportedGrantType,
)
from auth_service.accounts.models import ServiceAccount
from auth_service.accounts.tokens import ServiceToken
from common.conf import is_placeholder

# Client secrets are long random strings (24 characters at least), not passwords a
# person chose: a keyed hash (HMAC-SHA256 under a key derived from auth_service's
# DJANGO_SECRET_KEY) cannot be brute-forced without that key, so no slow hash is
# needed. Secrets stored by an earlier version with Argon2 still count, and are
# hashed again this way at their next successful check.
SECRET_HASH_PREFIX = "hmac-sha256$"  # noqa: S105 - the name of a hash, not a secret
_SECRET_HASH_SALT = "auth_service.accounts.service-account-secret"  # noqa: S105


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
    account.secret_hash = secret_hash(secret)
    account.grants = {
        audience: sorted(set(scopes)) if isinstance(scopes, list) else scopes
        for audience, scopes in grants.items()
    }  # full_clean() below refuses anything but lists of scopes
    account.is_active = True
    account.full_clean(validate_unique=False)
    account.save()
    return account


def secret_hash(secret: str, *, key: str | None = None) -> str:
    """The stored form of a client secret: HMAC-SHA256 under ``key`` (``SECRET_KEY``).

    Rotating ``DJANGO_SECRET_KEY`` leaves every stored hash unmatched unless
    the old key is in ``SECRET_KEY_FALLBACKS``; otherwise store the secrets
    again (``service_account``, as compose's ``auth_setup`` does at each start).
    """
    digest = salted_hmac(
        _SECRET_HASH_SALT, secret, secret=key or settings.SECRET_KEY, algorithm="sha256"
    ).hexdigest()
    return SECRET_HASH_PREFIX + digest


def secret_check(secret: str, stored: str) -> tuple[bool, bool]:
    """Whether ``secret`` matches ``stored``, and whether ``stored`` should be hashed again.

    A keyed hash is compared in constant time under ``SECRET_KEY``, then each
    of ``SECRET_KEY_FALLBACKS`` (a match there is re-hashed under the current
    key); anything else is a hash of Django's password hashers (Argon2, from
    before), checked by them and re-hashed once it matches.
    """
    if not stored.startswith(SECRET_HASH_PREFIX):
        matches = check_password(secret, stored)
        return matches, matches
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    for index, key in enumerate(keys):
        if constant_time_compare(secret_hash(secret, key=key), stored):
            return True, index > 0
    return False, False


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
    # An unknown client id costs the same hash as a known one with a wrong secret.
    secret_ok, rehash = secret_check(
        client_secret, account.secret_hash if account else secret_hash("")
    )
    if account is None or not secret_ok:
        raise InvalidClient()
    granted = account.grants.get(audience)
    if granted is None:
        raise InvalidTarget()
    requested = scope.split() if scope else list(granted)
    if not set(requested) <= set(granted):
        raise InvalidScope()
    changes: dict[str, object] = {"last_token_at": timezone.now()}
    if rehash:
        changes["secret_hash"] = secret_hash(client_secret)
    ServiceAccount.objects.filter(pk=account.pk).update(**changes)
    return service_token_mint(client_id=client_id, audience=audience, scopes=requested)
