"""Database faults: a clear 503 for every one, and one transparent retry of a read that lost its connection.

A failover, a proxy restart or ``pg_terminate_backend`` ends the pooled
connections under the workers' feet; a PostgreSQL restart makes every query
fail for a while; a runaway query meets the statement timeout. None of these
is the request's fault or a bug: each answers 503 problem+json with
``Retry-After`` (``common.errors``), never a 500 with a trace. The pool's
health check (``common.conf.database_config``) keeps a dead connection from
being handed out; a request that was already using one when it died is
retried once by ``DatabaseRetryMiddleware`` if it is a read.
"""

from __future__ import annotations

import logging
from typing import TypeVar

from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpResponseBase

from common.errors import ServiceUnavailable

logger = logging.getLogger(__name__)

R = TypeVar("R", bound=HttpResponseBase)

# What a database fault raises: the connection is gone or cannot be made (a pool timeout
# included), or the statement timeout cancelled the query.
DATABASE_FAULTS = (OperationalError, InterfaceError)

# Set on a response that answers a database fault of a connection that has since been
# found broken: the request may be tried once more on a fresh connection.
RETRYABLE_ATTRIBUTE = "database_connection_lost"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class DatabaseUnavailable(ServiceUnavailable):
    code = "database-unavailable"
    title = "The database is unavailable"
    default_detail = "The database did not answer in time; please try again in a moment."
    retry_after = 2


def is_database_fault(exc: BaseException | None) -> bool:
    """Whether ``exc`` is a database fault (connection lost or refused, timeout)."""
    return isinstance(exc, DATABASE_FAULTS) or (
        isinstance(exc, DatabaseError) and isinstance(exc.__cause__, OSError)
    )


def _broken(connection: BaseDatabaseWrapper) -> bool:
    raw = connection.connection
    # psycopg marks a connection whose server end went away ``broken`` (and ``closed``).
    return raw is not None and bool(getattr(raw, "broken", False) or getattr(raw, "closed", False))


def connection_lost() -> bool:
    """Whether a connection this thread used has broken (its server end went away)."""
    return any(_broken(connection) for connection in connections.all(initialized_only=True))


def mark_retryable(response: R) -> R:
    """Mark ``response`` (the 503 of a database fault) retryable when the connection broke."""
    setattr(response, RETRYABLE_ATTRIBUTE, connection_lost())
    return response


def discard_broken_connections() -> None:
    """Close every broken connection, so that the next query gets a working one.

    The pool drops it, and checks the connections idle in it at once (they
    most likely died with it) instead of handing them out one by one.
    """
    for connection in connections.all(initialized_only=True):
        if _broken(connection):
            connection.close()
            pool = getattr(connection, "pool", None)
            if pool is not None:
                pool.check()


class DatabaseRetryMiddleware:
    """Try a read once more when its database connection died under it.

    Only a request with a safe method (it changed nothing) whose answer is
    the 503 of a lost connection (``RETRYABLE_ATTRIBUTE``, set by
    ``common.errors``) is retried, once, after the broken connections are
    dropped; a database that is down (a pool timeout), a statement timeout and
    every write keep their 503. Placed right after the request id, so that the
    retry runs the whole request again (sessions and authentication too).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method in SAFE_METHODS and getattr(response, RETRYABLE_ATTRIBUTE, False):
            logger.warning(
                "Database connection lost during %s %s; retrying once", request.method, request.path
            )
            discard_broken_connections()
            response = self.get_response(request)
        return response
