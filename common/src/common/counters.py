"""Attempt counters in the shared cache, counted atomically where the cache allows."""

from __future__ import annotations

import contextlib
import math
import time

from django.core.cache import cache


def count_attempt(key: str, *, window: int) -> int:
    """Add one to the counter ``key``, which lives ``window`` seconds from its first count.

    ``cache.add`` then ``cache.incr``: one atomic INCR in Redis, under a lock
    in LocMem, so of many parallel attempts each gets its own number. The
    database cache is NOT atomic (its ``incr`` reads then writes): run Redis
    wherever more than one worker counts. Returns the new count.
    """
    if cache.add(key, 0, timeout=window):
        cache.set(f"{key}:reset", time.time() + window, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1
    if count == 1:
        # Redis's INCR re-creates a key that expired just before it without a
        # timeout; a counter must never outlive its window.
        cache.touch(key, window)
    return count


def uncount_attempt(key: str) -> None:
    """Take one back from the counter ``key`` (nothing when it has expired meanwhile)."""
    with contextlib.suppress(ValueError):
        cache.decr(key)


def seconds_until_reset(key: str, *, window: int) -> int:
    """Whole seconds (at least 1) until the counter ``key`` starts again from zero."""
    reset_at = cache.get(f"{key}:reset") or time.time() + window
    return max(1, math.ceil(reset_at - time.time()))
