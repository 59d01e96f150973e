"""Local verification of user and service JWTs against the JWKS of auth_service."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol

import jwt
import requests
from django.conf import settings
from django.utils.module_loading import import_string
from rest_framework import authentication, exceptions

from common.errors import ServiceUnavailable
from common.refresh import BackgroundRefresher
from common.revocations import get_revocation_checker

logger = logging.getLogger(__name__)

# Only asymmetric algorithms: a symmetric one would let anyone holding the
# public key forge tokens ("alg confusion").
ASYMMETRIC_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "ES256", "EdDSA"})
USER_TOKEN_TYPE = "access"  # noqa: S105 - a token type, not a secret
SERVICE_TOKEN_TYPE = "service"  # noqa: S105
REQUIRED_CLAIMS = ("iss", "aud", "sub", "exp", "iat", "jti", "token_type")


class InvalidToken(exceptions.AuthenticationFailed):
    default_detail = "The token is invalid or expired."
    default_code = "invalid-token"


class KeysUnavailable(ServiceUnavailable):
    code = "keys-unavailable"
    title = "Token keys are unavailable"
    default_detail = "The keys that verify tokens cannot be fetched right now; try again shortly."


@dataclass(frozen=True)
class VerificationKey:
    kid: str
    algorithm: str
    key: Any


class KeyProvider(Protocol):
    def get_key(self, kid: str) -> VerificationKey: ...


def parse_jwks(document: dict[str, Any]) -> dict[str, VerificationKey]:
    """Turn a JWKS document into ``{kid: VerificationKey}``, skipping keys we do not accept.

    A key must name its ``kid`` and an asymmetric ``alg``: the one algorithm it
    may verify.
    """
    keys: dict[str, VerificationKey] = {}
    for entry in document.get("keys", []):
        kid, alg = entry.get("kid"), entry.get("alg")
        if not kid or alg not in ASYMMETRIC_ALGORITHMS or entry.get("use", "sig") != "sig":
            continue
        try:
            keys[kid] = VerificationKey(kid=kid, algorithm=alg, key=jwt.PyJWK(entry, alg).key)
        except jwt.PyJWTError:
            logger.warning("Skipping unusable JWK %s", kid)
    return keys


class JWKSClient:
    """Fetch and cache the JWKS of auth_service.

    - keys are cached for ``ttl`` seconds and kept when a refetch fails;
    - an unknown ``kid`` triggers a refetch, at most once per ``min_refetch_interval``;
    - when no key at all can be had, ``KeysUnavailable`` (503) is raised, not a 401;
    - once ``start_refreshing`` ran (a gunicorn worker's warm-up), the keys are
      refetched in the background before their ttl is out, and a request fetches
      only for an unknown ``kid``.

    ``clock`` (``time.monotonic`` by default) tells the time the ttl and the refetch interval
    are measured on, so that tests can move it on instead of waiting.
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 2.0,
        ttl: float = 300.0,
        min_refetch_interval: float = 10.0,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.url = url
        self.timeout = timeout
        self.ttl = ttl
        self.min_refetch_interval = min_refetch_interval
        self._session = session or requests.Session()
        self._keys: dict[str, VerificationKey] = {}
        self._fetched_at = 0.0
        self._last_attempt = float("-inf")
        self._last_failed = False
        self._lock = threading.Lock()
        self._clock = clock
        self._refresher = BackgroundRefresher("jwks-refresh", self._refresh_in_background)

    def start_refreshing(self) -> None:
        """Fetch the keys now, then refetch them in the background every 4/5 of the ttl.

        A failed fetch keeps the keys held (logged) and is tried again after
        ``min_refetch_interval``.
        """
        self._refresh(force=True)
        self._refresher.start(first_in=self._next_refresh_in())

    def stop_refreshing(self) -> None:
        self._refresher.stop()

    def _refresh_in_background(self) -> float:
        self._refresh(force=True)
        return self._next_refresh_in()

    def _next_refresh_in(self) -> float:
        return self.min_refetch_interval if self._last_failed else self.ttl * 0.8

    def _refresh(self, *, force: bool) -> None:
        with self._lock:
            now = self._clock()
            if now - self._last_attempt < self.min_refetch_interval:
                return
            if not force and now - self._fetched_at < self.ttl and self._keys:
                return
            self._last_attempt = now
            try:
                response = self._session.get(self.url, timeout=self.timeout)
                response.raise_for_status()
                keys = parse_jwks(response.json())
            except (requests.RequestException, ValueError):
                logger.warning(
                    "JWKS fetch from %s failed; keeping %d cached keys", self.url, len(self._keys)
                )
                self._last_failed = True
                return
            self._keys = keys
            self._fetched_at = now
            self._last_failed = False

    def get_key(self, kid: str) -> VerificationKey:
        """Return the key for ``kid``; raise ``InvalidToken`` or ``KeysUnavailable``."""
        if not self._refresher.running and self._clock() - self._fetched_at >= self.ttl:
            self._refresh(force=False)
        key = self._keys.get(kid)
        if key is None:
            self._refresh(force=True)
            key = self._keys.get(kid)
        if key is not None:
            return key
        if not self._keys and self._last_failed:
            raise KeysUnavailable()
        raise InvalidToken("The token was signed by an unknown key.")


@cache
def get_key_provider() -> KeyProvider:
    """Return this process's key provider (``JWT_KEY_PROVIDER`` or a JWKS client)."""
    dotted = getattr(settings, "JWT_KEY_PROVIDER", None)
    if dotted:
        return import_string(dotted)()
    return JWKSClient(
        settings.AUTH_JWKS_URL,
        timeout=getattr(settings, "JWKS_FETCH_TIMEOUT", 2.0),
        ttl=getattr(settings, "JWKS_CACHE_SECONDS", 300.0),
    )


def verify_token(
    token: str,
    *,
    audience: str,
    token_types: frozenset[str] | set[str],
    key_provider: KeyProvider | None = None,
    issuer: str | None = None,
) -> dict[str, Any]:
    """Verify ``token`` and return its claims.

    Checks: asymmetric ``alg`` that matches the key's own, known ``kid``,
    signature, ``exp``/``iat``, ``iss``, ``aud`` containing ``audience`` and
    a ``token_type`` in ``token_types``. Raises ``InvalidToken`` (401) or
    ``KeysUnavailable`` (503).
    """
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidToken("The token is malformed.") from exc
    alg, kid = header.get("alg"), header.get("kid")
    if alg not in ASYMMETRIC_ALGORITHMS or not isinstance(kid, str):
        raise InvalidToken("The token's algorithm or key id is not accepted.")
    key = (key_provider or get_key_provider()).get_key(kid)
    if key.algorithm != alg:
        raise InvalidToken("The token's algorithm does not match its key.")
    try:
        claims = jwt.decode(
            token,
            key.key,
            algorithms=[key.algorithm],
            audience=audience,
            issuer=issuer or settings.JWT_ISSUER,
            leeway=getattr(settings, "JWT_LEEWAY_SECONDS", 5),
            options={"require": list(REQUIRED_CLAIMS)},
        )
    except jwt.ExpiredSignatureError as exc:
        raise InvalidToken("The token has expired.") from exc
    except jwt.PyJWTError as exc:
        raise InvalidToken() from exc
    if claims.get("token_type") not in token_types:
        raise InvalidToken("This kind of token is not accepted here.")
    return claims


@dataclass(frozen=True)
class UserPrincipal:
    """A person, as their access token says: id (UUID) and role."""

    id: uuid.UUID
    role: str
    claims: dict[str, Any] = field(repr=False, compare=False)
    is_authenticated: bool = True
    is_anonymous: bool = False
    is_service: bool = False

    @property
    def pk(self) -> uuid.UUID:
        return self.id


@dataclass(frozen=True)
class ServicePrincipal:
    """A calling service, as its client-credentials token says."""

    client_id: str
    scopes: frozenset[str]
    claims: dict[str, Any] = field(repr=False, compare=False)
    is_authenticated: bool = True
    is_anonymous: bool = False
    is_service: bool = True


def principal_from_claims(claims: dict[str, Any]) -> UserPrincipal | ServicePrincipal:
    """Build the principal a verified token stands for."""
    if claims["token_type"] == SERVICE_TOKEN_TYPE:
        sub = str(claims["sub"])
        if not sub.startswith("service:"):
            raise InvalidToken("A service token must name a service.")
        return ServicePrincipal(
            client_id=sub.removeprefix("service:"),
            scopes=frozenset(str(claims.get("scope", "")).split()),
            claims=claims,
        )
    try:
        user_id = uuid.UUID(str(claims["sub"]))
    except ValueError as exc:
        raise InvalidToken("The token's subject is not a user id.") from exc
    role = claims.get("role")
    if not isinstance(role, str) or not role:
        raise InvalidToken("The token carries no role.")
    return UserPrincipal(id=user_id, role=role, claims=claims)


class JWTAuthentication(authentication.BaseAuthentication):
    """DRF authentication for ``Authorization: Bearer <jwt>`` (user or service tokens).

    A user's token issued before their sign-ins were ended (account
    deactivated, password reset: auth_service's revocation list) is refused
    with 401. Which principal may call which endpoint is decided by
    permissions (``common.permissions``).
    """

    keyword = "Bearer"
    token_types = frozenset({USER_TOKEN_TYPE, SERVICE_TOKEN_TYPE})

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise InvalidToken("The Authorization header must be 'Bearer <token>'.")
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise InvalidToken("The token is malformed.") from exc
        claims = verify_token(token, audience=settings.SERVICE_NAME, token_types=self.token_types)
        principal = principal_from_claims(claims)
        if isinstance(principal, UserPrincipal) and self.is_revoked(principal, claims):
            raise InvalidToken("This sign-in has been ended; sign in again.")
        return principal, claims

    def is_revoked(self, principal: UserPrincipal, claims: dict[str, Any]) -> bool:
        """Whether the user's sign-in behind ``claims`` was ended (``REVOCATION_CHECKER``)."""
        return get_revocation_checker().is_revoked(sub=str(principal.id), iat=int(claims["iat"]))

    def authenticate_header(self, request):
        return f'{self.keyword} realm="{settings.SERVICE_NAME}"'
