"""The benchmark's PostgreSQL: its own cluster with pg_stat_statements, counts and SQL seeding.

The cluster keeps PostgreSQL's default settings (durable commits) apart from
loading pg_stat_statements, which counts the statements of every database:
reset before a measured run, summed per service database after it, it gives
the round trips per request (BEGIN and COMMIT count, as they are round trips).
"""

from __future__ import annotations

import psycopg
from pgcluster import PostgresCluster

STATEMENTS = "pg_stat_statements"


def start_cluster() -> PostgresCluster:
    """A started cluster that counts statements."""
    cluster = PostgresCluster(
        settings={"shared_preload_libraries": STATEMENTS, "pg_stat_statements.max": "10000"}
    )
    cluster.start()
    with psycopg.connect(f"{cluster.url}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE EXTENSION IF NOT EXISTS {STATEMENTS}")
    return cluster


class Statements:
    """Statement counts per service database (``databases``: service name -> database URL)."""

    def __init__(self, admin_url: str, databases: dict[str, str]):
        self.admin_url = f"{admin_url}/postgres"
        self.services = {url.rsplit("/", 1)[1]: service for service, url in databases.items()}

    def reset(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute("SELECT pg_stat_statements_reset()")

    def calls(self) -> dict[str, int]:
        """Statements run per service since the last reset (services with none left out)."""
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT d.datname, sum(s.calls) FROM pg_stat_statements s "
                "JOIN pg_database d ON d.oid = s.dbid GROUP BY d.datname"
            ).fetchall()
        counts = {self.services[name]: int(n) for name, n in rows if name in self.services}
        return {service: n for service, n in sorted(counts.items()) if n}


def per_request(calls: dict[str, int], requests: int) -> dict[str, float]:
    """Statement counts divided by the requests that made them."""
    return {service: n / requests for service, n in calls.items()} if requests else {}


# A year of past appointments: about a quarter of each doctor's weekday slots (09:00-12:00 and
# 13:00-17:00 UTC, 30 minutes) from a year ago to two days ago, held.
PAST_HOLDS_SQL = """
INSERT INTO scheduling_slothold
    (slot_id, doctor_id, start, "end", blocked_until, appointment_id, created_at)
SELECT gen_random_uuid(), s.id, t, t + interval '30 minutes', t + interval '30 minutes',
       gen_random_uuid(), t - interval '7 days'
FROM scheduling_doctorschedule s,
     generate_series(date_trunc('day', now()) - interval '365 days',
                     date_trunc('day', now()) - interval '2 days' - interval '30 minutes',
                     interval '30 minutes') AS t
WHERE s.doctor_id = ANY(%s)
  AND extract(isodow FROM t) <= 5
  AND (extract(hour FROM t) BETWEEN 9 AND 11 OR extract(hour FROM t) BETWEEN 13 AND 16)
  AND random() < 0.25
"""

# Every doctor's time zone last confirmed long ago: the next listing or reservation asks
# user_service again, as after a quiet spell in production.
STALE_TIME_ZONES_SQL = (
    "UPDATE scheduling_doctorschedule SET timezone_checked_at = now() - interval '30 days'"
)


def seed_past_holds(schedule_url: str, doctors: list[str]) -> int:
    """Insert a year of past holds for each of ``doctors`` (ids); return how many."""
    with psycopg.connect(schedule_url, autocommit=True) as conn:
        # Each row's doctor comes from the join: skip the foreign key's per-row trigger.
        conn.execute("SET session_replication_role = replica")
        inserted = conn.execute(PAST_HOLDS_SQL, (doctors,)).rowcount
        conn.execute("ANALYZE scheduling_slothold")
    return inserted


def make_time_zones_stale(schedule_url: str) -> None:
    with psycopg.connect(schedule_url, autocommit=True) as conn:
        conn.execute(STALE_TIME_ZONES_SQL)
