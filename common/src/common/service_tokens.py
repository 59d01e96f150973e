"""Service tokens from auth_service by the client-credentials grant, renewed ahead of expiry.

``common.http.default_token_provider`` gives each process one
``ClientCredentialsTokenProvider``; ``common.http.ServiceClient`` asks it for a
token per call. A gunicorn worker's warm-up (``common.refresh``) starts its
background renewal.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

import requests

from common.errors import ServiceUnavailable
from common.refresh import BackgroundRefresher
from common.request_id import HEADER as REQUEST_ID_HEADER
from common.request_id import get_request_id

logger = logging.getLogger("common.http")

TOKEN_REFRESH_MARGIN_SECONDS = 30
# The background renews a token this long before a request would, and after a failed
# renewal tries again this much later (a request still tries every RENEW_RETRY_SECONDS).
BACKGROUND_LEAD_SECONDS = 10
BACKGROUND_RETRY_SECONDS = 5.0


@dataclass
class _CachedToken:
    value: str
    expires_at: float
    issued_at: float = 0.0

    @property
    def renew_at(self) -> float:
        """When the background renews it: ahead of the request path's margin, past a third of its life."""
        return max(
            self.expires_at - TOKEN_REFRESH_MARGIN_SECONDS - BACKGROUND_LEAD_SECONDS,
            self.issued_at + (self.expires_at - self.issued_at) / 3,
        )


class ClientCredentialsTokenProvider:
    """Get service tokens from auth_service by client credentials, cached per audience.

    A token is renewed ``TOKEN_REFRESH_MARGIN_SECONDS`` before it expires. If
    auth_service cannot renew it then, the token in hand is used for as long
    as it is still valid (``EXPIRY_LEEWAY_SECONDS`` short of its end), and
    renewal is tried again at most every ``RENEW_RETRY_SECONDS``: a short
    auth_service outage costs no service call. Only once it has expired do
    calls fail with ``ServiceUnavailable`` (503).

    Once ``start_refreshing`` ran (a gunicorn worker's warm-up), each token is
    renewed in the background ahead of that margin, so no request waits for
    one; the request path above stays as the fallback.
    """

    EXPIRY_LEEWAY_SECONDS = 2
    RENEW_RETRY_SECONDS = 2.0

    def __init__(self, *, token_url: str, client_id: str, client_secret: str):
        self.token_url = token_url
        self.client_id = client_id
        self.client_secret = client_secret
        from common.http import _session

        self._session = _session(retry_methods=frozenset({"POST"}), retries=1)
        self._tokens: dict[str, _CachedToken] = {}
        self._renew_failed_at: dict[str, float] = {}
        self._lock = threading.Lock()
        self._audiences: set[str] = set()
        self._refresher = BackgroundRefresher("service-token-refresh", self._renew_due)

    def start_refreshing(self, audiences: Iterable[str]) -> None:
        """Get a token for each of ``audiences`` now and renew every token in the background."""
        self._audiences.update(audiences)
        self._refresher.start(first_in=self._renew_due())

    def stop_refreshing(self) -> None:
        self._refresher.stop()

    def _renew_due(self) -> float:
        """Renew each token that is due (or missing); return the seconds until the next is due."""
        next_in = 30.0
        for audience in sorted(self._audiences | set(self._tokens)):
            cached = self._tokens.get(audience)
            if cached is None or cached.renew_at <= time.time():
                try:
                    cached = self._fetch(audience)
                except ServiceUnavailable:
                    logger.warning("Service token for %s not renewed in the background", audience)
                    next_in = min(next_in, BACKGROUND_RETRY_SECONDS)
                    continue
                with self._lock:
                    self._tokens[audience] = cached
                    self._renew_failed_at.pop(audience, None)
            next_in = min(next_in, max(cached.renew_at - time.time(), 1.0))
        return next_in

    def _usable(self, audience: str, *, margin: float) -> str | None:
        cached = self._tokens.get(audience)
        if cached and cached.expires_at - margin > time.time():
            return cached.value
        return None

    def get_token(self, audience: str) -> str:
        token = self._usable(audience, margin=TOKEN_REFRESH_MARGIN_SECONDS)
        if token:
            return token
        with self._lock:
            token = self._usable(audience, margin=TOKEN_REFRESH_MARGIN_SECONDS)
            if token:
                return token
            in_hand = self._usable(audience, margin=self.EXPIRY_LEEWAY_SECONDS)
            failed_at = self._renew_failed_at.get(audience)
            if in_hand and failed_at and time.monotonic() - failed_at < self.RENEW_RETRY_SECONDS:
                return in_hand
            try:
                issued = self._fetch(audience)
            except ServiceUnavailable:
                if not in_hand:
                    raise
                self._renew_failed_at[audience] = time.monotonic()
                logger.warning("Service token for %s not renewed; using the one in hand", audience)
                return in_hand
            self._renew_failed_at.pop(audience, None)
            self._tokens[audience] = issued
            return issued.value

    def _fetch(self, audience: str) -> _CachedToken:
        from common.http import _timeout

        try:
            response = self._session.post(
                self.token_url,
                data={
                    "grant_type": "client_credentials",
                    "client_id": self.client_id,
                    "client_secret": self.client_secret,
                    "audience": audience,
                },
                headers={REQUEST_ID_HEADER: get_request_id() or ""},
                timeout=_timeout(),
            )
        except requests.RequestException as exc:
            raise ServiceUnavailable("The sign-in service cannot be reached.") from exc
        if response.status_code != 200:
            logger.error(
                "Service token request for %s failed with %s", audience, response.status_code
            )
            raise ServiceUnavailable("This service could not authenticate to another service.")
        try:
            body = response.json()
            now = time.time()
            return _CachedToken(body["access_token"], now + int(body["expires_in"]), now)
        except (ValueError, KeyError, TypeError) as exc:
            raise ServiceUnavailable("The sign-in service gave an unusable answer.") from exc

    def invalidate(self, audience: str) -> None:
        with self._lock:
            self._tokens.pop(audience, None)
