"""Throttling: password attempts per account and client address, and DRF rate limits per address.

Password attempts (sign-in, password change) are counted atomically *before*
the password is checked (``common.counters``: one INCR in Redis), so of many
parallel guesses for one account exactly the limit reach the password check.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from common.auth import SERVICE_TOKEN_TYPE, InvalidToken, principal_from_claims, verify_token
from common.counters import count_attempt, seconds_until_reset, uncount_attempt
from common.errors import ServiceUnavailable
from common.net import client_address as connection_address
from common.net import is_ip_address

logger = logging.getLogger(__name__)

# A front end that calls on behalf of browsers (the portal) names the browser's address, and
# vouches for it with its own service token: see ``client_address``.
FORWARDED_ADDRESS_HEADER = "HTTP_X_CLIENT_ADDRESS"
FORWARDER_TOKEN_HEADER = "HTTP_X_FORWARDER_TOKEN"  # noqa: S105 - a header name
FORWARD_SCOPE = "client-address:forward"


def client_address(request: Request) -> str:
    """The address a request's password attempts and rate limits count against.

    The connection's address (``common.net.client_address``: ``REMOTE_ADDR``,
    or X-Forwarded-For behind ``TRUSTED_PROXY_COUNT`` proxies), unless a
    trusted front end speaks for a browser: ``X-Client-Address`` (an IP
    address) together with ``X-Forwarder-Token``, the front end's service
    token for auth_service with scope ``client-address:forward``. Without such
    a token the header is ignored (and logged), so no caller can pick its own
    address; with it, every person signing in through the portal is counted
    by their own address, not all together by the portal's.
    """
    forwarded = request.META.get(FORWARDED_ADDRESS_HEADER, "").strip()
    if not forwarded:
        return connection_address(request)
    token = request.META.get(FORWARDER_TOKEN_HEADER, "")
    try:
        principal = principal_from_claims(
            verify_token(token, audience=settings.SERVICE_NAME, token_types={SERVICE_TOKEN_TYPE})
        )
    except InvalidToken:
        principal = None
    if principal is None or FORWARD_SCOPE not in principal.scopes:
        logger.warning("X-Client-Address without a token that may forward it: ignored")
        return connection_address(request)
    if not is_ip_address(forwarded):
        logger.warning("X-Client-Address from %s is no IP address: ignored", principal.client_id)
        return connection_address(request)
    return forwarded


def _account_key(email: str) -> str:
    return "login-fail:acct:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _address_key(address: str) -> str:
    return f"login-fail:addr:{address}"


def _take(key: str) -> int:
    return count_attempt(key, window=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def _refuse(key: str) -> Throttled:
    return Throttled(
        wait=seconds_until_reset(key, window=settings.LOGIN_FAILURE_WINDOW_SECONDS),
        detail="Too many failed sign-in attempts; try again later.",
    )


def password_attempt_begin(*, email: str, address: str) -> None:
    """Count one password attempt for the account and the address, before the password is checked.

    Raises ``Throttled`` (429 with Retry-After) when either is over its limit
    (``LOGIN_FAILURES_PER_ACCOUNT``, ``LOGIN_FAILURES_PER_ADDRESS`` within
    ``LOGIN_FAILURE_WINDOW_SECONDS``); a refused attempt is not counted. An
    attempt that goes on stays counted as a failure until
    ``password_attempt_succeeded`` says otherwise. While Redis is away the
    counts are kept in the process's memory (``common.cache``: brute force is
    still slowed, per process); only a cache that fails outright (the database
    cache with its database down) gives ``ServiceUnavailable`` (503): no
    password is checked uncounted.
    """
    account_key, address_key = _account_key(email), _address_key(address)
    try:
        if _take(account_key) > settings.LOGIN_FAILURES_PER_ACCOUNT:
            uncount_attempt(account_key)
            raise _refuse(account_key)
        if _take(address_key) > settings.LOGIN_FAILURES_PER_ADDRESS:
            uncount_attempt(address_key)
            uncount_attempt(account_key)
            raise _refuse(address_key)
    except Throttled:
        raise
    except Exception as exc:
        logger.exception("The cache cannot count password attempts")
        raise ServiceUnavailable("Sign-in is unavailable for a moment; try again.") from exc


def password_attempt_succeeded(*, email: str, address: str) -> None:
    """The password was right: forget the account's failures, give the address its slot back.

    A busy shared address (an office, a NAT) is so charged only for wrong passwords.
    """
    account_key = _account_key(email)
    try:
        cache.delete_many([account_key, f"{account_key}:reset"])
        uncount_attempt(_address_key(address))
    except Exception:  # the counts then expire on their own
        logger.warning("The cache could not forget the failures of a good password")


class AddressRateThrottle(SimpleRateThrottle):
    """A DRF rate limit per client address (the same address as the password counters).

    The rate comes from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope]``.
    Counts live in the shared Django cache; DRF's check is a read then a
    write, so a burst of parallel requests may pass a few over the rate.
    """

    def get_rate(self) -> str | None:
        from rest_framework.settings import api_settings

        # Read at each request (not at import) so that settings overrides apply.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}

    def allow_request(self, request: Request, view: APIView) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception as exc:  # the cache failed outright: refuse rather than count nothing
            logger.exception("The cache cannot count %s requests", self.scope)
            raise ServiceUnavailable() from exc


class RegisterRateThrottle(AddressRateThrottle):
    scope = "register"


class ServiceTokenRateThrottle(AddressRateThrottle):
    scope = "service_token"
