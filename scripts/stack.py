"""Set up and start the services as real processes (used by `make run` and the integration tests).

Every service is configured only through environment variables, the same ones
compose.yaml sets, so what runs here is what runs in containers. Which services there
are, their ports, workers and service accounts come from scripts/registry.py.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from registry import BY_NAME, SERVICES

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
DEMO_FILE = ROOT / "demo" / "demo_data.json"


def present_services() -> list[tuple[str, int]]:
    """(name, port) of every service whose folder is in this checkout, in start order."""
    return [(s.name, s.port) for s in SERVICES if (ROOT / s.name / "manage.py").exists()]


@dataclass
class Stack:
    """A configured set of services: ports, database URLs, secrets and their processes."""

    state_dir: Path
    ports: dict[str, int]
    database_urls: dict[str, str] = field(default_factory=dict)
    settings_module: str = "local"
    cache_url: str = ""
    extra_env: dict[str, str] = field(default_factory=dict)
    workers: int = 2
    log_dir: Path | None = None
    # gunicorn's worker options per service (the registry's, unless a benchmark compares).
    worker_args: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {s.name: s.gunicorn_args for s in SERVICES}
    )
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def secrets_file(self) -> Path:
        return self.state_dir / "secrets.json"

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def secrets(self) -> dict[str, str]:
        """Development secrets, made once and kept in an ignored file."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        values = json.loads(self.secrets_file.read_text()) if self.secrets_file.exists() else {}
        wanted = [
            f"{service.name}_{kind}"
            for service in SERVICES
            for kind in ("django_secret_key", "client_secret")
        ]
        missing = [key for key in wanted if key not in values]
        if missing:
            values.update({key: secrets.token_urlsafe(48) for key in missing})
            self.secrets_file.write_text(json.dumps(values, indent=2))
            self.secrets_file.chmod(0o600)
        return values

    def _threads(self, service: str) -> str:
        args = self.worker_args.get(service, ())
        return args[args.index("--threads") + 1] if "--threads" in args else "1"

    def env(self, service: str) -> dict[str, str]:
        """The environment of one service: the variables compose.yaml sets."""
        values = self.secrets()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": f"{service}.settings.{self.settings_module}",
            "DJANGO_SECRET_KEY": values[f"{service}_django_secret_key"],
            "SERVICE_CLIENT_ID": service,
            "SERVICE_CLIENT_SECRET": values[f"{service}_client_secret"],
            **{
                s.url_env: self.url(s.name) if s.name in self.ports else ""
                for s in SERVICES
                if s.url_env
            },
            "JWT_KEYS_DIR": str(self.state_dir / "jwt"),
            "STATIC_ROOT": str(self.state_dir / "static" / service),
            # As compose sets it: the database pool keeps one connection per thread.
            "GUNICORN_THREADS": self._threads(service),
            **self.extra_env,
        }
        if service in self.database_urls:
            env["DATABASE_URL"] = self.database_urls[service]
        else:
            env["DATABASE_URL"] = f"sqlite:///{self.state_dir / f'{service}.sqlite3'}"
        if self.cache_url:
            env["CACHE_URL"] = self.cache_url
        return env

    def manage(self, service: str, *args: str, env: dict[str, str] | None = None) -> None:
        subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT / service,
            env={**self.env(service), **(env or {})},
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def prepare(self, *, demo: bool = True, collectstatic: bool = False) -> None:
        """Keys, migrations, service accounts and (optionally) demo data; idempotent."""
        values = self.secrets()
        self.manage("auth_service", "signing_keys", "ensure")
        for service in self.ports:
            self.manage(service, "migrate", "--noinput")
            if collectstatic:
                self.manage(service, "collectstatic", "--noinput")
        if not self.cache_url:
            # The database cache: sign-in and admin throttling, rate limits, the portal's
            # sessions.
            for service in self.ports:
                self.manage(service, "createcachetable")
        for account in (s for s in SERVICES if s.grants):
            args = ["service_account", "--client-id", account.name, "--secret-env", "CLIENT_SECRET"]
            for audience, scopes in account.grants.items():
                args += ["--audience", audience, *(a for s in scopes for a in ("--scope", s))]
            self.manage(
                "auth_service",
                *args,
                env={"CLIENT_SECRET": values[f"{account.name}_client_secret"]},
            )
        if demo:
            for service in self.ports:
                if list((ROOT / service).glob("*/*/management/commands/seed_demo.py")):
                    self.manage(service, "seed_demo", "--file", str(DEMO_FILE))

    def start(self) -> None:
        """Start every service under gunicorn and wait until each is ready."""
        for service in self.ports:
            self._spawn(service)
        for service in self.ports:
            self.wait_healthy(service)

    def start_service(self, service: str) -> None:
        """(Re)start one service and wait until it is ready."""
        self._spawn(service)
        self.wait_healthy(service)

    def _spawn(self, service: str) -> None:
        log = open(self.log_dir / f"{service}.log", "ab") if self.log_dir else None  # noqa: SIM115
        self.processes[service] = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                f"{service}.wsgi",
                # Each worker fetches keys and tokens before it serves (as in the image).
                "--config",
                "python:common.gunicorn_conf",
                "--bind",
                f"127.0.0.1:{self.ports[service]}",
                "--workers",
                str(self.workers),
                *self.worker_args[service],
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
            ],
            cwd=ROOT / service,
            env=self.env(service),
            stdout=log or None,
            stderr=subprocess.STDOUT if log else None,
        )

    def wait_healthy(self, service: str, timeout: float = 30.0) -> None:
        """Wait until ``service`` (this process, not whatever holds the port) is ready."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            process = self.processes.get(service)
            if process is not None and process.poll() is not None:
                raise RuntimeError(
                    f"{service} exited with {process.returncode} (is its port taken?)"
                )
            try:
                with urllib.request.urlopen(self.url(service) + "/readyz", timeout=2) as response:  # noqa: S310
                    body = json.loads(response.read() or b"{}")
                if body.get("service") != service:
                    raise RuntimeError(f"port {self.ports[service]} is held by another program")
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{service} did not become ready in {timeout}s")

    def stop_service(self, service: str) -> None:
        process = self.processes.pop(service, None)
        if process is None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def freeze(self, service: str) -> None:
        """Stop ``service``'s processes (SIGSTOP): connections are accepted, nothing answers."""
        process = self.processes[service]
        subprocess.run(["pkill", "-STOP", "-P", str(process.pid)], check=False)
        process.send_signal(signal.SIGSTOP)

    def thaw(self, service: str) -> None:
        """Let a frozen service go on (SIGCONT)."""
        process = self.processes[service]
        process.send_signal(signal.SIGCONT)
        subprocess.run(["pkill", "-CONT", "-P", str(process.pid)], check=False)

    def stop(self) -> None:
        for service in list(self.processes):
            self.stop_service(service)


TEST_BASE_PORT = int(os.environ.get("INTEGRATION_BASE_PORT", "18000"))


def fresh_postgres_databases(base_url: str, services: list[str], prefix: str) -> dict[str, str]:
    """Drop and create one database per service; return their URLs."""
    import psycopg

    urls = {}
    with psycopg.connect(f"{base_url}/postgres", autocommit=True) as conn:
        for service in services:
            name = f"{prefix}_{service}"
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
            urls[service] = f"{base_url}/{name}"
    return urls


def make_test_stack(
    state_dir: Path,
    services: list[str] | None = None,
    *,
    port_offset: int = 0,
    postgres_url: str | None = None,
) -> Stack:
    """A prepared stack for tests: production settings and compose's variables.

    ``services`` are started in the order given; by default every service in this
    checkout, in start order. Their ports keep the development ports' offsets from
    INTEGRATION_BASE_PORT + ``port_offset``.

    With a PostgreSQL server (``postgres_url``, by default TEST_POSTGRES_URL)
    each service gets a fresh database on it, and with TEST_REDIS_URL
    auth_service counts sign-in failures in Redis, as in compose.yaml;
    otherwise SQLite files and the database cache.
    """
    if services is None:
        services = [name for name, _ in present_services()]
    postgres = os.environ.get("TEST_POSTGRES_URL", "") if postgres_url is None else postgres_url
    databases = sorted(s for s in services if BY_NAME[s].database)
    stack = Stack(
        state_dir=state_dir,
        ports={s: TEST_BASE_PORT + port_offset + BY_NAME[s].offset for s in services},
        database_urls=fresh_postgres_databases(
            postgres, databases, f"it{TEST_BASE_PORT + port_offset}"
        )
        if postgres
        else {},
        settings_module="base",
        cache_url=os.environ.get("TEST_REDIS_URL", ""),
        extra_env={
            "DJANGO_DEBUG": "false",
            "LOG_JSON": "true",
            "SERVICE_HTTP_READ_TIMEOUT": "2",
            "LOGIN_FAILURES_PER_ADDRESS": "1000",
            # Every test registers from 127.0.0.1.
            "THROTTLE_REGISTER": "100000/hour",
            "JWKS_CACHE_SECONDS": "60",
            # Counters left in a shared Redis by an earlier run must not count in this one.
            "CACHE_KEY_PREFIX": f"it{TEST_BASE_PORT + port_offset}-{uuid.uuid4().hex[:8]}",
            # One patient books 5 slots of one doctor in test_booking_faults: the
            # per-doctor cap is the per-patient one here (the benchmarks lift both).
            "MAX_UPCOMING_APPOINTMENTS_PER_DOCTOR": "10",
        },
        log_dir=state_dir,
    )
    stack.prepare(demo=True, collectstatic=True)
    return stack
