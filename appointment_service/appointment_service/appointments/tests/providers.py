"""The service-token provider that test settings name (``SERVICE_TOKEN_PROVIDER``)."""

from common.testing import service_token

SCOPES = "slots:read slots:reserve slots:release"


class TestServiceTokenProvider:
    """Mints appointment_service's service tokens with common's test key (no auth_service)."""

    __test__ = False

    def __init__(self) -> None:
        self.invalidated: list[str] = []

    def get_token(self, audience: str) -> str:
        return service_token("appointment_service", SCOPES, aud=audience)

    def invalidate(self, audience: str) -> None:
        self.invalidated.append(audience)
