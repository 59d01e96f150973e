"""Who is calling: the client's address, as the request or a trusted proxy says."""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_address(request) -> str:
    """The caller's address: REMOTE_ADDR, or X-Forwarded-For behind ``TRUSTED_PROXY_COUNT`` proxies.

    With ``TRUSTED_PROXY_COUNT = n`` the n-th address from the right of
    X-Forwarded-For is taken (the one the outermost trusted proxy saw); a
    header with fewer entries is ignored. Without trusted proxies the header
    is never read, so a caller cannot choose its own address.
    """
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [
            p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "unknown")


def is_ip_address(value: str) -> bool:
    """Whether ``value`` is an IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
