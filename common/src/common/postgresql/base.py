"""Django's PostgreSQL backend whose pool tries only a connection that sat idle, and replaces a dead one at once.

With ``CONN_HEALTH_CHECKS``, Django gives its psycopg 3 pool a check that
runs an empty query each time a connection is handed out: a round trip per
request, about a tenth of a light request's time (``make bench``'s
profiles). ``check_idle_connection`` trusts a connection handed out less
than ``CHECK_IDLE_AFTER_SECONDS`` before. One that sat idle longer, when a
failover or ``pg_terminate_backend`` most likely ended it unseen, is tried
first; one that died in that last second fails its first query, which a
read retries (``common.db.DatabaseRetryMiddleware``) and a write answers
with a 503 that says to retry.

The check runs here rather than inside the pool: psycopg_pool sleeps a
second, then two, after each connection that fails its check, so a pool of
several connections that all died together (every thread's, after a
failover) would let a request wait out ``DB_POOL_TIMEOUT`` and answer 503
although the database is up. Here a dead connection sends the others idle in
the pool to be tried at once (the ones that died with it are replaced) and
the request takes the next connection without waiting.

While the database cannot be reached at all, each request would wait the
whole ``DB_POOL_TIMEOUT`` for a connection: every worker held that long, and
what queues behind them (``/healthz``, the token requests of other
services) held longer. So once a wait has run out while connections failed
to be made, the next requests wait at most ``UNREACHABLE_WAIT_SECONDS``
(enough to connect to a database that is back), until one gets a connection.
"""

from __future__ import annotations

import time
import weakref
from typing import Any

import psycopg
from django.db.backends.postgresql import base
from psycopg_pool import ConnectionPool, PoolTimeout

CHECK_IDLE_AFTER_SECONDS = 1.0
UNREACHABLE_WAIT_SECONDS = 0.25
_handed_out: weakref.WeakKeyDictionary[Any, float] = weakref.WeakKeyDictionary()
# Each pool's own timeout (DB_POOL_TIMEOUT), which it is given back once a wait succeeds.
_configured_timeout: weakref.WeakKeyDictionary[ConnectionPool, float] = weakref.WeakKeyDictionary()
# Each pool's count of failed connection attempts at its last wait that ran out.
_connection_errors: weakref.WeakKeyDictionary[ConnectionPool, int] = weakref.WeakKeyDictionary()


def check_idle_connection(connection: Any) -> None:
    """Try ``connection`` with an empty query unless it was handed out less than a second ago."""
    now = time.monotonic()
    last = _handed_out.get(connection)
    _handed_out[connection] = now
    if last is None or now - last >= CHECK_IDLE_AFTER_SECONDS:
        ConnectionPool.check_connection(connection)


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def pool(self) -> ConnectionPool | None:
        pool = super().pool
        if pool is not None:
            # Django creates the pool with psycopg_pool's check of every hand-out, which
            # the pool keeps in ``_check``; ``get_new_connection`` checks instead
            # (psycopg_pool is pinned; a test holds this).
            pool._check = None
            _configured_timeout.setdefault(pool, pool.timeout)
        return pool

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        pool = self.pool
        if pool is None:
            return super().get_new_connection(conn_params)
        connection = self._lent_connection(pool, conn_params)
        if not self.settings_dict["CONN_HEALTH_CHECKS"]:
            return connection
        # Each failed check empties the pool of dead connections, so a second one is rare;
        # the last one taken is lent as it is (its first query fails if it is dead too).
        for _ in range(pool.max_size):
            try:
                check_idle_connection(connection)
            except psycopg.Error:
                pool.putconn(connection)  # broken: the pool replaces it
                pool.check()  # the others idle in the pool most likely died with it
                connection = self._lent_connection(pool, conn_params)
            else:
                break
        return connection

    def _lent_connection(self, pool: ConnectionPool, conn_params: dict[str, Any]) -> Any:
        """A connection from ``pool``, waiting briefly if the last wait ran out."""
        try:
            connection = super().get_new_connection(conn_params)
        except PoolTimeout:
            # Connections failed to be made meanwhile: the database is unreachable (a pool
            # smaller than the threads that ran out under load is not, and keeps its wait).
            errors = pool.get_stats().get("connections_errors", 0)
            if errors > _connection_errors.get(pool, 0):
                pool.timeout = min(_configured_timeout[pool], UNREACHABLE_WAIT_SECONDS)
            _connection_errors[pool] = errors
            raise
        pool.timeout = _configured_timeout[pool]
        return connection
