"""Signing keys: PEM files in ``JWT_KEYS_DIR``; all are published, the active one signs.

Rotation: generate a key (published at once, not signing), wait longer than
the JWKS cache of the other services, make it active (``JWT_ACTIVE_KID``),
then remove the old file once the tokens it signed have expired.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from common.auth import InvalidToken, VerificationKey

ALGORITHM = "RS256"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey
    public_jwk: dict[str, Any]
    path: Path


def _public_jwk(private_key: rsa.RSAPrivateKey) -> dict[str, Any]:
    return json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private_key.public_key()))


def thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 JWK thumbprint: the key's id, derived from the key itself."""
    canonical = json.dumps(
        {k: jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"), sort_keys=True
    )
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _load(path: Path) -> SigningKey:
    private_key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(private_key, rsa.RSAPrivateKey):
        raise ImproperlyConfigured(f"{path} is not an RSA private key.")
    jwk = _public_jwk(private_key)
    kid = thumbprint(jwk)
    jwk.update({"kid": kid, "alg": ALGORITHM, "use": "sig"})
    return SigningKey(kid=kid, private_key=private_key, public_jwk=jwk, path=path)


@cache
def load_keys(keys_dir: Path | None = None) -> dict[str, SigningKey]:
    """Return every key in the keys folder by kid (read once per process)."""
    folder = Path(keys_dir or settings.JWT_KEYS_DIR)
    if not folder.is_dir():
        return {}
    return {key.kid: key for key in (_load(path) for path in sorted(folder.glob("*.pem")))}


def active_key() -> SigningKey:
    """Return the key that signs: ``JWT_ACTIVE_KID``, or the only key there is."""
    keys = load_keys()
    if not keys:
        raise ImproperlyConfigured(
            f"No signing key in {settings.JWT_KEYS_DIR}: run `manage.py signing_keys ensure`."
        )
    wanted = settings.JWT_ACTIVE_KID
    if wanted:
        if wanted not in keys:
            raise ImproperlyConfigured(
                f"JWT_ACTIVE_KID {wanted} is not in {settings.JWT_KEYS_DIR}."
            )
        return keys[wanted]
    if len(keys) > 1:
        raise ImproperlyConfigured("Several signing keys are published: set JWT_ACTIVE_KID.")
    return next(iter(keys.values()))


def generate_key(keys_dir: Path | None = None) -> SigningKey:
    """Write a new 2048-bit RSA key (mode 0600) into the keys folder and return it."""
    folder = Path(keys_dir or settings.JWT_KEYS_DIR)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    kid = thumbprint(_public_jwk(private_key))
    path = folder / f"{kid}.pem"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    load_keys.cache_clear()
    return _load(path)


def jwks_document() -> dict[str, Any]:
    """The public JWKS: every published key."""
    return {"keys": [key.public_jwk for key in load_keys().values()]}


class LocalKeyProvider:
    """Key provider for auth_service itself: its own published keys, no HTTP."""

    def get_key(self, kid: str) -> VerificationKey:
        key = load_keys().get(kid)
        if key is None:
            raise InvalidToken("The token was signed by an unknown key.")
        return VerificationKey(kid=kid, algorithm=ALGORITHM, key=key.private_key.public_key())
