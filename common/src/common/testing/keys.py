"""The test signing key, a stranger's key, and the key provider and revocations of the tests."""

from __future__ import annotations

import json
import threading
from functools import cache
from typing import Any, ClassVar

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from common.auth import VerificationKey, parse_jwks

TEST_KID = "test-key-1"


_KEYS_LOCK = threading.Lock()


def private_key(name: str) -> rsa.RSAPrivateKey:
    """The process's RSA key called ``name``, made on first use.

    2048 bits: slow to make, fast to reuse. Made under a lock, so that threads
    racing to mint their first token all get the one key.
    """
    with _KEYS_LOCK:
        return _make_private_key(name)


@cache
def _make_private_key(name: str) -> rsa.RSAPrivateKey:  # noqa: ARG001 - one key per name
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_private_key() -> rsa.RSAPrivateKey:
    return private_key("test")


def foreign_private_key() -> rsa.RSAPrivateKey:
    return private_key("foreign")


def test_jwks() -> dict[str, Any]:
    """The JWKS document that publishes the test key."""
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(test_private_key().public_key()))
    jwk.update({"kid": TEST_KID, "alg": "RS256", "use": "sig"})
    return {"keys": [jwk]}


def public_pem() -> bytes:
    return (
        test_private_key()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


class TestKeyProvider:
    """Key provider that knows only the test key (no HTTP)."""

    __test__ = False  # not a pytest test class

    def __init__(self) -> None:
        self._keys = parse_jwks(test_jwks())

    def get_key(self, kid: str) -> VerificationKey:
        from common.auth import InvalidToken

        try:
            return self._keys[kid]
        except KeyError as exc:
            raise InvalidToken("The token was signed by an unknown key.") from exc


class TestRevocations:
    """Revocation checker of the tests: the ``revocations`` fixture fills it (no HTTP)."""

    __test__ = False
    entries: ClassVar[dict[str, int]] = {}

    def is_revoked(self, *, sub: str, iat: int) -> bool:
        revoked_before = self.entries.get(str(sub))
        return revoked_before is not None and iat < revoked_before
