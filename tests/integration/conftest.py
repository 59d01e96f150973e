"""Start the real services as processes (production settings, compose's variables) for HTTP tests.

On CI (TEST_POSTGRES_URL and TEST_REDIS_URL set) each service gets a fresh
PostgreSQL database and auth_service counts login failures in Redis, as in
compose.yaml; elsewhere each gets a SQLite file.
"""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from stack import DATABASE_SERVICES, Stack  # noqa: E402

BASE_PORT = int(os.environ.get("INTEGRATION_BASE_PORT", "18000"))
PORTS = {
    "auth_service": 1,
    "user_service": 2,
    "schedule_service": 3,
    "appointment_service": 4,
    "portal": 0,
}


def _fresh_databases(base_url: str, services: list[str]) -> dict[str, str]:
    import psycopg

    urls = {}
    with psycopg.connect(f"{base_url}/postgres", autocommit=True) as conn:
        for service in services:
            name = f"it_{service}"
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
            urls[service] = f"{base_url}/{name}"
    return urls


def make_stack(tmp_path_factory, services: list[str], *, port_offset: int = 0) -> Stack:
    state = tmp_path_factory.mktemp("stack")
    postgres = os.environ.get("TEST_POSTGRES_URL", "")
    databases = {s for s in services if s in DATABASE_SERVICES}
    stack = Stack(
        state_dir=state,
        ports={s: BASE_PORT + port_offset + PORTS[s] for s in services},
        database_urls=_fresh_databases(postgres, sorted(databases)) if postgres else {},
        settings_module="base",
        cache_url=os.environ.get("TEST_REDIS_URL", ""),
        extra_env={
            "DJANGO_DEBUG": "false",
            "LOG_JSON": "true",
            "SERVICE_HTTP_READ_TIMEOUT": "2",
            "LOGIN_FAILURES_PER_ADDRESS": "1000",
            "JWKS_CACHE_SECONDS": "60",
        },
    )
    stack.prepare(demo=True, collectstatic=True)
    return stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    services = [
        s for s in ("auth_service", "user_service", "portal") if (ROOT / s / "manage.py").exists()
    ]
    stack = make_stack(tmp_path_factory, services)
    stack.log_dir = stack.state_dir
    stack.start()
    yield stack
    stack.stop()


@pytest.fixture
def http():
    with requests.Session() as session:
        yield session


def unique_email(prefix: str = "it") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"
