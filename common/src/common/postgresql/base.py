"""Django's PostgreSQL backend whose pool tries only a connection that sat idle before lending it.

With ``CONN_HEALTH_CHECKS``, Django gives its psycopg 3 pool a check that
runs an empty query each time a connection is handed out: a round trip per
request, about a tenth of a light request's time (``make bench``'s
profiles). ``check_idle_connection`` trusts a connection handed out less
than ``CHECK_IDLE_AFTER_SECONDS`` before. One that sat idle longer, when a
failover or ``pg_terminate_backend`` most likely ended it unseen, is still
tried first and dropped if dead; one that died in that last second fails its
first query, which a read retries (``common.db.DatabaseRetryMiddleware``)
and a write answers with a 503 that says to retry.
"""

from __future__ import annotations

import time
import weakref
from typing import Any

from django.db.backends.postgresql import base
from psycopg_pool import ConnectionPool

CHECK_IDLE_AFTER_SECONDS = 1.0
_handed_out: weakref.WeakKeyDictionary[Any, float] = weakref.WeakKeyDictionary()


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
        if pool is not None and self.settings_dict["CONN_HEALTH_CHECKS"]:
            # Django creates the pool with psycopg_pool's check of every hand-out, which
            # the pool keeps in ``_check`` (psycopg_pool is pinned; a test holds this).
            pool._check = check_idle_connection
        return pool
