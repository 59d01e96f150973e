"""A throwaway PostgreSQL cluster on a free port (the fault tests and the benchmarks).

``PostgresCluster`` runs ``initdb`` in a temporary directory (trust, user
``postgres``) and ``pg_ctl`` on a free port of 127.0.0.1; run as root, the
programs run as ``TEST_POSTGRES_OS_USER`` (PostgreSQL refuses root). A caller
passes the server settings it needs (``settings``), nothing else is tuned.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg

INITDB = shutil.which("initdb") or "/usr/local/bin/initdb"
PG_CTL = shutil.which("pg_ctl") or "/usr/local/bin/pg_ctl"
POSTGRES_OS_USER = os.environ.get("TEST_POSTGRES_OS_USER", "postgres")


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on (at the moment of asking)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresCluster:
    """A PostgreSQL cluster in a temporary directory (``initdb``, trust, user ``postgres``).

    ``settings`` are passed to the server as ``-c name=value`` on top of
    ``listen_addresses`` and ``max_connections=200``. ``start``/``stop`` run
    ``pg_ctl`` (fast shutdown: every session is ended); ``destroy`` stops it
    and removes the directory, keeping the server log where asked.
    """

    def __init__(self, *, port: int | None = None, settings: dict[str, str] | None = None):
        self.port = port or free_port()
        self.settings = {"listen_addresses": "127.0.0.1", "max_connections": "200"}
        self.settings.update(settings or {})
        self.root = Path(tempfile.mkdtemp(prefix="pg-cluster-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self._as_owner: list[str] = []
        if os.geteuid() == 0:
            account = pwd.getpwnam(POSTGRES_OS_USER)
            os.chown(self.root, account.pw_uid, account.pw_gid)
            self._as_owner = ["runuser", "-u", POSTGRES_OS_USER, "--"]
        self._run(INITDB, "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [*self._as_owner, *args], check=False, capture_output=True, text=True, timeout=60
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}): {done.stderr}")
        return done

    def start(self) -> None:
        """Start the server and return once it accepts connections."""
        options = " ".join(
            [f"-p {self.port} -k {self.root}", *(f"-c {k}={v}" for k, v in self.settings.items())]
        )
        self._run(PG_CTL, "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self) -> None:
        """Stop the server (fast: open sessions are ended) and return once it is down."""
        self._run(PG_CTL, "-D", str(self.data), "-m", "fast", "-w", "stop")

    def running(self) -> bool:
        return self._run(PG_CTL, "-D", str(self.data), "status", check=False).returncode == 0

    def terminate_backends(self, database_prefix: str) -> int:
        """End every session of the databases named ``database_prefix...``; return how many."""
        with psycopg.connect(f"{self.url}/postgres", autocommit=True, connect_timeout=5) as conn:
            rows = conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname LIKE %s AND pid <> pg_backend_pid()",
                (database_prefix + "%",),
            ).fetchall()
        return sum(1 for (ended,) in rows if ended)

    def destroy(self, *, keep_log_in: Path | None = None) -> None:
        if self.running():
            self.stop()
        if keep_log_in is not None and self.log.exists():
            shutil.copy(self.log, keep_log_in / "postgres.log")
        shutil.rmtree(self.root, ignore_errors=True)
