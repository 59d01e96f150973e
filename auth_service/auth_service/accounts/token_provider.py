"""auth_service's own service tokens, for its calls to other services."""

from __future__ import annotations

import threading
import time

from django.conf import settings

from auth_service.accounts.services.service_accounts import service_token_mint


class LocalServiceTokenProvider:
    """auth_service's own service tokens, minted in-process (it holds the key).

    Scopes per audience come from ``AUTH_SERVICE_OUTGOING_SCOPES``. Named by
    the ``SERVICE_TOKEN_PROVIDER`` setting, it stands in for the
    client-credentials grant that the other services go through: each token
    is kept until 30 seconds before it expires.
    """

    def __init__(self) -> None:
        self._cache: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def get_token(self, audience: str) -> str:
        """A service token for ``audience``: the kept one, or a new one when it nears expiry."""
        with self._lock:
            cached = self._cache.get(audience)
            if cached and cached[1] - 30 > time.time():
                return cached[0]
            issued = service_token_mint(
                client_id=settings.SERVICE_NAME,
                audience=audience,
                scopes=settings.AUTH_SERVICE_OUTGOING_SCOPES[audience],
            )
            self._cache[audience] = (issued.access_token, time.time() + issued.expires_in)
            return issued.access_token

    def invalidate(self, audience: str) -> None:
        """Forget the token for ``audience`` (it was refused): the next call mints a new one."""
        with self._lock:
            self._cache.pop(audience, None)
