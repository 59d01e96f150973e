"""Login throttling: failures counted per account and per client address in the shared cache."""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.exceptions import Throttled


def client_address(request) -> str:
    """The caller's address: REMOTE_ADDR, or X-Forwarded-For behind ``TRUSTED_PROXY_COUNT`` proxies."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "unknown")


def _keys(email: str, address: str) -> list[tuple[str, int]]:
    account = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return [
        (f"login-fail:acct:{account}", settings.LOGIN_FAILURES_PER_ACCOUNT),
        (f"login-fail:addr:{address}", settings.LOGIN_FAILURES_PER_ADDRESS),
    ]


def login_check_allowed(*, email: str, address: str) -> None:
    """Raise ``Throttled`` (429 with Retry-After) when the account or address failed too often."""
    for key, limit in _keys(email, address):
        count = cache.get(key, 0)
        if count >= limit:
            reset_at = cache.get(f"{key}:reset", time.time())
            raise Throttled(
                wait=max(1, math.ceil(reset_at - time.time())),
                detail="Too many failed sign-in attempts; try again later.",
            )


def login_record_failure(*, email: str, address: str) -> None:
    """Count one failed sign-in for the account and the address."""
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    for key, _ in _keys(email, address):
        if cache.add(key, 0, timeout=window):
            cache.set(f"{key}:reset", time.time() + window, timeout=window)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)


def login_record_success(*, email: str, address: str) -> None:
    """Forget the account's failures after a successful sign-in (the address keeps its count)."""
    key, _ = _keys(email, address)[0]
    cache.delete_many([key, f"{key}:reset"])
