"""Tokens signed with the test key, and every kind of forged token the contract refuses."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import jwt
from django.conf import settings

from common.testing.keys import TEST_KID, foreign_private_key, public_pem, test_private_key


def mint(
    *,
    sub: str,
    token_type: str = "access",
    role: str | None = None,
    aud: str | list[str] | None = None,
    iss: str | None = None,
    scope: str | None = None,
    lifetime: int = 600,
    key: Any = None,
    kid: str | None = TEST_KID,
    algorithm: str = "RS256",
    drop: tuple[str, ...] = (),
    **extra: Any,
) -> str:
    """Sign a token with the test key (or ``key``); every claim can be bent for forging."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": iss or settings.JWT_ISSUER,
        "sub": sub,
        "aud": aud if aud is not None else settings.SERVICE_NAME,
        "iat": now,
        "exp": now + lifetime,
        "jti": uuid.uuid4().hex,
        "token_type": token_type,
        **extra,
    }
    if role is not None:
        claims["role"] = role
    if scope is not None:
        claims["scope"] = scope
    for name in drop:
        claims.pop(name, None)
    headers = {"kid": kid} if kid else {}
    if algorithm.startswith("HS"):
        return _hmac_signed(claims, headers, key or public_pem())
    signing_key = key if key is not None else test_private_key()
    return jwt.encode(claims, signing_key, algorithm=algorithm, headers=headers)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _hmac_signed(claims: dict[str, Any], headers: dict[str, Any], secret: bytes) -> str:
    """HS256 signed with ``secret`` (by default the public key: the alg-confusion attack).

    PyJWT refuses to do this itself, so the token is put together by hand.
    """
    signing_input = (
        _b64(json.dumps({"alg": "HS256", "typ": "JWT", **headers}).encode())
        + "."
        + _b64(json.dumps(claims).encode())
    )
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def unsigned_token(claims: dict[str, Any], *, kid: str = TEST_KID) -> str:
    """A token with ``alg: none`` (which must always be refused)."""

    header = {"alg": "none", "typ": "JWT", "kid": kid}
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}."


def user_token(user_id: uuid.UUID | str, role: str, **kwargs: Any) -> str:
    return mint(sub=str(user_id), role=role, **kwargs)


def service_token(client_id: str, scope: str, **kwargs: Any) -> str:
    return mint(sub=f"service:{client_id}", token_type="service", scope=scope, **kwargs)


def forged_tokens(user_id: uuid.UUID | str, role: str = "patient") -> dict[str, str]:
    """Every kind of bad token the contract says must get 401."""
    sub = str(user_id)
    good = user_token(sub, role)
    header, payload, signature = good.split(".")
    tampered_payload = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    tampered_payload["role"] = "staff"
    tampered = header + "." + _b64(json.dumps(tampered_payload).encode()) + "." + signature
    return {
        "alg-none": unsigned_token(jwt.decode(good, options={"verify_signature": False})),
        "symmetric-alg": user_token(sub, role, algorithm="HS256"),
        "foreign-key": user_token(sub, role, key=foreign_private_key()),
        "unknown-kid": user_token(sub, role, kid="no-such-key"),
        "tampered-claims": tampered,
        "wrong-audience": user_token(sub, role, aud="some-other-service"),
        "wrong-issuer": user_token(sub, role, iss="https://evil.example"),
        "expired": user_token(sub, role, lifetime=-120),
        "refresh-token": user_token(sub, role, token_type="refresh"),
        "no-jti": user_token(sub, role, drop=("jti",)),
        "garbage": "not-a-jwt",
    }
