"""auth_service's bearer-token authentication: the caller's account is read once per request."""

from __future__ import annotations

from typing import Any

from auth_service.accounts import selectors
from auth_service.accounts.models import User
from common.auth import JWTAuthentication, UserPrincipal


class AccountJWTAuthentication(JWTAuthentication):
    """``common.auth.JWTAuthentication`` that keeps the account its revocation check reads.

    The check (an inactive account, or a token older than the account's
    revocation) needs the account's row; the endpoints that act on the
    signed-in account (``/me``, the password change) need it too. DRF makes
    one authenticator per request, so the row read here is the request's own:
    the view takes it from ``request.successful_authenticator.account``
    instead of reading it again.
    """

    account: User | None = None

    def is_revoked(self, principal: UserPrincipal, claims: dict[str, Any]) -> bool:
        self.account = User.objects.filter(pk=principal.id).first()
        return selectors.account_token_is_revoked(self.account, iat=int(claims["iat"]))
