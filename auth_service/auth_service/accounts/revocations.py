"""auth_service's own revocation check: its accounts, read from its database (no list to poll)."""

from __future__ import annotations

from auth_service.accounts import selectors


class LocalRevocationChecker:
    """``REVOCATION_CHECKER`` of auth_service: ``common.auth.JWTAuthentication`` asks it."""

    def is_revoked(self, *, sub: str, iat: int) -> bool:
        return selectors.access_token_is_revoked(user_id=sub, iat=iat)
