"""Benchmark auth_service and user_service over HTTP: gunicorn (2 sync workers) on PostgreSQL.

Measures an authenticated one-query endpoint with Django's connection pool and
with a new connection per request, the doctor directory, and sign-in (Argon2id,
slow on purpose). Traffic goes to 127.0.0.1 only, bounded in time and count.

    TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432 .venv/bin/python bench/bench_identity.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))

from loadgen import json_body, run  # noqa: E402
from stack import make_test_stack  # noqa: E402

SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
PASSWORD = "demo-clinic-2026"


def measure(label: str, extra_env: dict[str, str]) -> list:
    os.environ.setdefault("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
    with tempfile.TemporaryDirectory() as state:
        stack = make_test_stack(Path(state), ["auth_service", "user_service"], port_offset=500)
        stack.extra_env.update(extra_env)
        stack.start()
        try:
            auth, users = stack.url("auth_service"), stack.url("user_service")
            token = requests.post(
                f"{auth}/api/v1/auth/token",
                json={"email": "ana.lima@demo.clinic", "password": PASSWORD},
                timeout=10,
            ).json()["access"]
            bearer = {"Authorization": f"Bearer {token}"}
            results = [
                run(
                    f"[{label}] GET /api/v1/auth/me",
                    auth,
                    lambda c, n: ("GET", "/api/v1/auth/me", bearer, None),
                    clients=CLIENTS,
                    seconds=SECONDS,
                ),
                run(
                    f"[{label}] GET /api/v1/doctors/?search=",
                    users,
                    lambda c, n: ("GET", "/api/v1/doctors/?search=Dr", bearer, None),
                    clients=CLIENTS,
                    seconds=SECONDS,
                ),
            ]
            if label == "pool":
                body = json_body({"email": "ana.lima@demo.clinic", "password": PASSWORD})
                headers = {"Content-Type": "application/json"}
                results.append(
                    run(
                        f"[{label}] POST /api/v1/auth/token (Argon2id)",
                        auth,
                        lambda c, n: ("POST", "/api/v1/auth/token", headers, body),
                        clients=4,
                        seconds=SECONDS,
                    )
                )
            return results
        finally:
            stack.stop()


def main() -> None:
    print(f"{CLIENTS} clients, {SECONDS:.0f} s each, gunicorn 2 sync workers, PostgreSQL\n")
    results = measure("pool", {}) + measure(
        "new connection per request", {"DB_POOL_MAX": "0", "DB_CONN_MAX_AGE": "0"}
    )
    for result in results:
        print(result.line())


if __name__ == "__main__":
    main()
