"""Rotate a refresh token once, whichever of several concurrent requests gets there first."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache

from common.errors import ServiceUnavailable

# How long the new pair waits in the cache for the other requests of the sign-in.
HANDOFF_SECONDS = 60
# How long another request waits for the rotating one.
HANDOFF_WAIT_SECONDS = 5.0
_REFUSED = "refused"


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str


def rotate_once(
    *,
    namespace: str,
    refresh_token: str,
    rotate: Callable[[str], TokenPair | None],
    wait_seconds: float = HANDOFF_WAIT_SECONDS,
) -> TokenPair | None:
    """Rotate ``refresh_token`` with ``rotate`` at most once across every worker.

    The first request takes a lock in the shared cache and calls ``rotate``
    (which returns the new pair, or None when auth_service refused the token);
    the others wait for what it leaves there. Without this, a second use of the
    same refresh token would look like theft to auth_service and end the
    sign-in. Returns the new pair, or None when it was refused. Raises
    ``ServiceUnavailable`` when the rotating request failed (its lock is let
    go, so a later request may try again) or took longer than ``wait_seconds``.
    """
    key = f"{namespace}:rotated:" + hashlib.sha256(refresh_token.encode()).hexdigest()
    lock = key + ":lock"
    handed = cache.get(key)
    if handed is None and cache.add(lock, 1, timeout=int(wait_seconds * 2) + 1):
        try:
            pair = rotate(refresh_token)
        except BaseException:
            cache.delete(lock)  # an outage: the next request may try again
            raise
        handed = (pair.access, pair.refresh) if pair is not None else _REFUSED
        cache.set(key, handed, timeout=HANDOFF_SECONDS)
    deadline = time.monotonic() + wait_seconds
    while handed is None and time.monotonic() < deadline and cache.get(lock) is not None:
        time.sleep(0.05)
        handed = cache.get(key)
    if handed is None:
        raise ServiceUnavailable("The sign-in could not be renewed in time.")
    return None if handed == _REFUSED else TokenPair(*handed)
