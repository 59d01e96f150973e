"""Key and token providers that ``JWT_KEY_PROVIDER`` / ``SERVICE_TOKEN_PROVIDER`` name in tests."""

from common.auth import VerificationKey
from common.testing import TestKeyProvider


class WrongAlgorithmKeyProvider(TestKeyProvider):
    """Returns the test key, but published for RS512: tokens signed with RS256 must not pass."""

    def get_key(self, kid: str) -> VerificationKey:
        key = super().get_key(kid)
        return VerificationKey(kid=key.kid, algorithm="RS512", key=key.key)


class StaticTokenProvider:
    """Hands out one fixed service token and remembers what it was asked."""

    token = "static-service-token"

    def __init__(self) -> None:
        self.audiences: list[str] = []
        self.invalidated: list[str] = []

    def get_token(self, audience: str) -> str:
        self.audiences.append(audience)
        return self.token

    def invalidate(self, audience: str) -> None:
        self.invalidated.append(audience)
