"""A Redis cache that keeps the service working while Redis is away.

Redis holds what is shared between a service's processes: attempt counters
and rate limits (``common.counters``, DRF throttles), the token hand-off of
``common.handoff``, short-lived look-ups. None of it is worth refusing a
sign-in for. When Redis cannot be reached, ``FallbackRedisCache`` answers
from the process's own memory instead (so brute force is still slowed, per
process), warns at most once a minute, and tries Redis again every
``retry_seconds``; when Redis answers again it is used again.

The trade-off, chosen on purpose (README, "When things fail"): while Redis is
away, limits count per process (an attacker gets at most workers x limit
tries) and what one process cached is not seen by the others.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

T = TypeVar("T")

# What an unreachable (or too slow) Redis raises; anything else is a real error.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
WARN_EVERY_SECONDS = 60.0


class _Health:
    """Whether one Redis is answering, as this process last found out (shared by its threads)."""

    def __init__(self) -> None:
        self.down_until = 0.0
        self.warned_at = float("-inf")
        self.lock = threading.Lock()


_health: dict[str, _Health] = {}
_health_lock = threading.Lock()


def _health_of(location: str) -> _Health:
    with _health_lock:
        return _health.setdefault(location, _Health())


class FallbackRedisCache(RedisCache):
    """Django's Redis cache, falling back to per-process memory while Redis is unreachable.

    Extra keys of the ``CACHES`` entry: ``RETRY_SECONDS`` (how long to stay on
    memory before trying Redis again, default 5). Socket timeouts belong in
    ``OPTIONS`` (``socket_connect_timeout``, ``socket_timeout``), so that a
    Redis that hangs costs a request at most that long once per retry period.
    """

    def __init__(self, server: str, params: dict[str, Any]):
        super().__init__(server, params)
        self.retry_seconds = float(params.get("RETRY_SECONDS", 5.0))
        # Django makes a cache object per thread: the memory and the health are per process.
        name = f"{server}|{params.get('KEY_PREFIX', '')}"
        self._health = _health_of(name)
        self.fallback = LocMemCache(
            f"fallback:{name}",
            {
                "TIMEOUT": params.get("TIMEOUT", 300),
                "KEY_PREFIX": params.get("KEY_PREFIX", ""),
                "VERSION": params.get("VERSION", 1),
                "OPTIONS": {"MAX_ENTRIES": 10_000},
            },
        )

    @property
    def redis_is_down(self) -> bool:
        """Whether this process is answering from memory for now."""
        return time.monotonic() < self._health.down_until

    def _failed(self, exc: BaseException) -> None:
        now = time.monotonic()
        health = self._health
        with health.lock:
            health.down_until = now + self.retry_seconds
            if now - health.warned_at >= WARN_EVERY_SECONDS:
                health.warned_at = now
                logger.warning(
                    "Redis cannot be reached (%s); counting and caching in this process's "
                    "memory until it answers again",
                    exc.__class__.__name__,
                )

    def _recovered(self) -> None:
        health = self._health
        with health.lock:
            if health.down_until:
                health.down_until = 0.0
                health.warned_at = float("-inf")
                logger.warning("Redis answers again; the shared cache is back in use")

    def _call(self, redis_call: Callable[[], T], memory_call: Callable[[], T]) -> T:
        if self.redis_is_down:
            return memory_call()
        try:
            result = redis_call()
        except UNREACHABLE as exc:
            self._failed(exc)
            return memory_call()
        if self._health.down_until:
            self._recovered()
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(
            lambda: super(FallbackRedisCache, self).add(key, value, timeout, version),
            lambda: self.fallback.add(key, value, timeout, version),
        )

    def get(self, key, default=None, version=None):
        return self._call(
            lambda: super(FallbackRedisCache, self).get(key, default, version),
            lambda: self.fallback.get(key, default, version),
        )

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(
            lambda: super(FallbackRedisCache, self).set(key, value, timeout, version),
            lambda: self.fallback.set(key, value, timeout, version),
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(
            lambda: super(FallbackRedisCache, self).touch(key, timeout, version),
            lambda: self.fallback.touch(key, timeout, version),
        )

    def delete(self, key, version=None):
        return self._call(
            lambda: super(FallbackRedisCache, self).delete(key, version),
            lambda: self.fallback.delete(key, version),
        )

    def get_many(self, keys, version=None):
        return self._call(
            lambda: super(FallbackRedisCache, self).get_many(keys, version),
            lambda: self.fallback.get_many(keys, version),
        )

    def has_key(self, key, version=None):
        return self._call(
            lambda: super(FallbackRedisCache, self).has_key(key, version),
            lambda: self.fallback.has_key(key, version),
        )

    def incr(self, key, delta=1, version=None):
        return self._call(
            lambda: super(FallbackRedisCache, self).incr(key, delta, version),
            lambda: self.fallback.incr(key, delta, version),
        )

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(
            lambda: super(FallbackRedisCache, self).set_many(data, timeout, version),
            lambda: self.fallback.set_many(data, timeout, version),
        )

    def delete_many(self, keys, version=None):
        return self._call(
            lambda: super(FallbackRedisCache, self).delete_many(keys, version),
            lambda: self.fallback.delete_many(keys, version),
        )

    def clear(self):
        self.fallback.clear()
        return self._call(lambda: super(FallbackRedisCache, self).clear(), lambda: None)
