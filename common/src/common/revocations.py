"""Ended sign-ins: each process's copy of auth_service's revocation list.

auth_service lists, per user, the time before which their access tokens no
longer count (account deactivated, password reset). Every service polls that
list in the background; ``common.auth.JWTAuthentication`` asks the checker
whether a user's token was issued before it.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from common.errors import ServiceUnavailable

logger = logging.getLogger(__name__)

REVOCATIONS_PATH = "/internal/v1/auth/revocations"
REVOCATIONS_SCOPE = "revocations:read"


class RevocationChecker(Protocol):
    def is_revoked(self, *, sub: str, iat: int) -> bool: ...


def parse_revocations(document: Any) -> dict[str, int]:
    """Turn auth_service's revocation list into ``{sub: revoked_before}``; raise ``ValueError``.

    ``revoked_before`` is a Unix time: every access token of ``sub`` whose
    ``iat`` is earlier is refused.
    """
    if not isinstance(document, dict) or not isinstance(document.get("revocations"), list):
        raise ValueError("not a revocation list")
    entries: dict[str, int] = {}
    for entry in document["revocations"]:
        sub, before = str(uuid.UUID(str(entry["sub"]))), int(entry["revoked_before"])
        entries[sub] = max(before, entries.get(sub, before))
    return entries


def fetch_revocations() -> dict[str, int]:
    """Fetch auth_service's revocation list with this service's token (scope ``revocations:read``).

    Raises ``ServiceUnavailable`` when auth_service cannot answer, refuses or
    gives an answer that is not JSON, ``ValueError`` (or ``KeyError``,
    ``TypeError``) for a document that is not a revocation list.
    """
    from common.http import CLIENT_ERRORS, ServiceClient

    client = ServiceClient(base_url=settings.AUTH_SERVICE_URL, audience="auth_service", retries=0)
    answer = client.call("GET", REVOCATIONS_PATH, expect=(200, *CLIENT_ERRORS))
    if answer.status != 200:
        logger.error(
            "auth_service answered %s to the revocation list: does this service's account "
            "hold %s on auth_service?",
            answer.status,
            REVOCATIONS_SCOPE,
        )
        raise ServiceUnavailable("The revocation list was refused.")
    return parse_revocations(answer.data)


class RevocationList:
    """This process's copy of auth_service's revocation list, polled in the background.

    A daemon thread (started at the first check in each process, again after
    a fork) fetches the list every ``interval`` seconds: one call per process
    per interval, whatever the traffic, and never one per request. A check
    reads the copy in memory. A failed fetch keeps the last copy (logged) and
    blocks nothing; the first check of a process waits for the first fetch at
    most ``first_wait`` seconds, then goes on without a list (logged).
    """

    def __init__(
        self,
        *,
        fetch: Callable[[], dict[str, int]],
        interval: float,
        first_wait: float = 2.0,
    ):
        self._fetch = fetch
        self.interval = interval
        self.first_wait = first_wait
        self._entries: dict[str, int] = {}
        self.fetched_at: float | None = None
        self.fetches = 0
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._first_done = threading.Event()
        self._stop = threading.Event()

    def refresh(self) -> bool:
        """Fetch the list once; on failure keep the last one. Return whether it was fetched."""
        self.fetches += 1
        try:
            entries = self._fetch()
        except Exception as exc:  # any failure keeps the last list; requests go on
            logger.warning(
                "Revocation list fetch failed (%s); keeping the last one (%d entries)",
                exc.__class__.__name__,
                len(self._entries),
            )
            return False
        finally:
            self._first_done.set()
        self._entries = entries
        self.fetched_at = time.monotonic()
        return True

    def _poll(self) -> None:
        while not self._stop.is_set():
            self.refresh()
            self._stop.wait(self.interval)

    def _ensure_polling(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._first_done.clear()
            thread = threading.Thread(target=self._poll, name="revocation-list", daemon=True)
            thread.start()
            self._pid = os.getpid()
        if not self._first_done.wait(self.first_wait) or self.fetched_at is None:
            logger.warning("No revocation list yet: tokens are checked without one for now")

    def start(self) -> None:
        """Start polling in this process and wait for the first list (a worker's warm-up)."""
        self._ensure_polling()

    def stop(self) -> None:
        """End the polling thread (tests)."""
        self._stop.set()

    def is_revoked(self, *, sub: str, iat: int) -> bool:
        """Whether an access token of ``sub`` issued at ``iat`` is on the list."""
        self._ensure_polling()
        revoked_before = self._entries.get(str(sub))
        return revoked_before is not None and iat < revoked_before


@cache
def get_revocation_checker() -> RevocationChecker:
    """This process's revocation checker (``REVOCATION_CHECKER``, else auth_service's list)."""
    dotted = getattr(settings, "REVOCATION_CHECKER", None)
    if dotted:
        return import_string(dotted)()
    return RevocationList(
        fetch=fetch_revocations,
        interval=float(getattr(settings, "REVOCATIONS_POLL_SECONDS", 30.0)),
        first_wait=float(getattr(settings, "SERVICE_HTTP_READ_TIMEOUT", 3.0)),
    )
