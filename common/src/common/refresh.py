"""Keeping what every request needs fresh in the background, and fetching it before the first request.

auth_service's public keys (``common.auth.JWKSClient``), the revocation list
(``common.revocations``) and this service's own service tokens
(``common.http.ClientCredentialsTokenProvider``) are each fetched over HTTP.
``warm_up`` fetches them when a gunicorn worker starts (``common.gunicorn_conf``),
before it serves anything, and starts their background refresh: no request waits
for a fetch that was due. What each one does when a fetch fails is its own (it
keeps what it holds, and logs).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)

# How long a worker waits for its warm-up before it serves anyway: each fetch has its
# own timeouts, and whatever is not in hand by then is fetched as it was before.
WARM_UP_SECONDS = 5.0
# After a refresh that raised (a bug, not a failed fetch: those are handled inside).
RETRY_AFTER_ERROR_SECONDS = 5.0


class BackgroundRefresher:
    """A daemon thread that calls ``refresh`` again after the seconds it returns.

    Started once per process (again after a fork); ``stop`` ends it (tests).
    """

    def __init__(self, name: str, refresh: Callable[[], float]):
        self.name = name
        self._refresh = refresh
        self._pid: int | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()

    @property
    def running(self) -> bool:
        """Whether this process's thread was started (and not stopped)."""
        return self._pid == os.getpid() and not self._stop.is_set()

    def start(self, *, first_in: float) -> None:
        """Start the thread (unless it runs in this process): its first call in ``first_in`` s."""
        with self._lock:
            if self._pid == os.getpid():
                return
            self._stop.clear()
            thread = threading.Thread(
                target=self._run, args=(first_in,), name=self.name, daemon=True
            )
            thread.start()
            self._pid = os.getpid()

    def stop(self) -> None:
        self._stop.set()

    def _run(self, delay: float) -> None:
        while not self._stop.wait(max(delay, 0.0)):
            try:
                delay = self._refresh()
            except Exception:  # a bug must not end the refreshing
                logger.exception("Background refresh %s failed", self.name)
                delay = RETRY_AFTER_ERROR_SECONDS


def _verifies_bearer_tokens() -> bool:
    from django.conf import settings

    return bool(getattr(settings, "VERIFIES_BEARER_TOKENS", True))


def _warm_keys() -> None:
    from common.auth import get_key_provider

    if not _verifies_bearer_tokens():
        return
    start = getattr(get_key_provider(), "start_refreshing", None)
    if start is not None:
        start()


def _warm_tokens_then_revocations() -> None:
    from django.conf import settings

    from common.http import default_token_provider
    from common.revocations import get_revocation_checker

    audiences = tuple(getattr(settings, "SERVICE_TOKEN_AUDIENCES", ()))
    start_tokens = getattr(default_token_provider(), "start_refreshing", None)
    if audiences and start_tokens is not None:
        start_tokens(audiences)
    if not _verifies_bearer_tokens():
        return
    start_revocations = getattr(get_revocation_checker(), "start", None)
    if start_revocations is not None:
        start_revocations()


def warm_up(*, wait: float = WARM_UP_SECONDS) -> None:
    """Fetch the keys, the service tokens and the revocation list; start refreshing them.

    The keys and the revocation list only where bearer tokens are verified
    (``VERIFIES_BEARER_TOKENS``), the tokens for ``SERVICE_TOKEN_AUDIENCES``.

    The keys are fetched beside the other two (the revocation list is fetched
    with a service token). Waits at most ``wait`` seconds; a fetch that fails
    or takes longer is logged and the worker serves anyway, as it did without
    a warm-up.
    """
    started = time.monotonic()
    threads = [
        threading.Thread(target=_logged(task), name=f"warm-up-{task.__name__}", daemon=True)
        for task in (_warm_keys, _warm_tokens_then_revocations)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, wait - (time.monotonic() - started)))
    late = [thread.name for thread in threads if thread.is_alive()]
    if late:
        logger.warning("Warm-up not done after %.1f s (%s); serving anyway", wait, ", ".join(late))
    else:
        logger.info("Warm-up done in %.2f s", time.monotonic() - started)


def _logged(task: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        try:
            task()
        except Exception:  # the worker serves anyway; each request path still fetches
            logger.exception("Warm-up step %s failed", task.__name__)

    run.__name__ = task.__name__
    return run
