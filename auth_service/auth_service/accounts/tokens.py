"""simplejwt, extended: ``kid`` in the header, per-token audience, verification by kid."""

from __future__ import annotations

from functools import cache
from typing import Any

import jwt
from django.conf import settings
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.exceptions import TokenBackendError, TokenBackendExpiredToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken, Token

from auth_service.accounts.keys import ALGORITHM, LocalKeyProvider, active_key
from common.auth import SERVICE_TOKEN_TYPE, InvalidToken, verify_token

REFRESH_AUDIENCE = "auth_service"
FAMILY_CLAIM = "fam"
# When the person signed in (Unix time, as in OpenID Connect); copied on every rotation.
AUTH_TIME_CLAIM = "auth_time"


class KeyedTokenBackend(TokenBackend):
    """Sign with the active key and name it in ``kid``; keep the token's own ``aud``.

    simplejwt signs with one static key, sets no ``kid`` and forces one
    audience on every token; this backend fixes those three things and
    verifies through ``common.auth.verify_token`` like every other service.
    """

    def __init__(self) -> None:
        super().__init__(ALGORITHM, issuer=settings.JWT_ISSUER)

    def encode(self, payload: dict[str, Any]) -> str:
        key = active_key()
        claims = {**payload, "iss": self.issuer}
        return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid})

    def decode(self, token: Any, verify: bool = True) -> dict[str, Any]:
        if not verify:
            return jwt.decode(token, options={"verify_signature": False})
        try:
            return verify_token(
                str(token),
                audience=REFRESH_AUDIENCE,
                token_types={"access", "refresh"},
                key_provider=LocalKeyProvider(),
            )
        except InvalidToken as exc:
            if "expired" in str(exc.detail):
                raise TokenBackendExpiredToken(str(exc.detail)) from exc
            raise TokenBackendError(str(exc.detail)) from exc


@cache
def token_backend() -> KeyedTokenBackend:
    """The process's one backend, made on first use (after settings are loaded)."""
    return KeyedTokenBackend()


class _KeyedMixin:
    @property
    def token_backend(self) -> KeyedTokenBackend:
        return token_backend()


class UserAccessToken(_KeyedMixin, AccessToken):
    """A person's access token, accepted by every service in ``JWT_USER_AUDIENCE``."""


class UserRefreshToken(_KeyedMixin, RefreshToken):
    """A refresh token for auth_service only; ``fam`` names its family, ``auth_time`` its sign-in."""

    access_token_class = UserAccessToken
    no_copy_claims = (*RefreshToken.no_copy_claims, "aud", FAMILY_CLAIM, AUTH_TIME_CLAIM)


class ServiceToken(_KeyedMixin, Token):
    """A client-credentials token for one service audience."""

    token_type = SERVICE_TOKEN_TYPE

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.lifetime = settings.SERVICE_TOKEN_LIFETIME
        super().__init__(*args, **kwargs)
