"""Benchmark schedule_service over HTTP: gunicorn (2 sync workers) on PostgreSQL.

Seeds 500 doctors with a realistic week of rules and 30 days of held slots
(bench/seed_schedule.py), then measures the 31-day slot listing and the
internal reserve and release calls. Traffic goes to 127.0.0.1 only, bounded
in time and count.

    TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432 .venv/bin/python bench/bench_schedule.py
"""

from __future__ import annotations

import datetime
import itertools
import os
import subprocess
import sys
import tempfile
import threading
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))

from loadgen import json_body, run  # noqa: E402
from stack import PYTHON, make_test_stack  # noqa: E402

SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
DOCTORS = int(os.environ.get("BENCH_DOCTORS", "500"))


def main() -> None:
    os.environ.setdefault("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
    with tempfile.TemporaryDirectory() as state:
        stack = make_test_stack(
            Path(state), ["auth_service", "user_service", "schedule_service"], port_offset=600
        )
        seeded = subprocess.run(
            [PYTHON, str(ROOT / "bench" / "seed_schedule.py"), str(DOCTORS)],
            cwd=ROOT / "schedule_service",
            env=stack.env("schedule_service"),
            capture_output=True,
            text=True,
        )
        if seeded.returncode:
            raise SystemExit(f"seeding failed:\n{seeded.stderr}")
        seeded = seeded.stdout.splitlines()
        print(seeded[0])
        doctors = [line.split()[1] for line in seeded[1:]]
        stack.start()
        try:
            auth, schedule = stack.url("auth_service"), stack.url("schedule_service")
            patient = requests.post(
                f"{auth}/api/v1/auth/token",
                json={"email": "ana.lima@demo.clinic", "password": "demo-clinic-2026"},
                timeout=10,
            ).json()["access"]
            service = requests.post(
                f"{auth}/api/v1/auth/service-token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": "appointment_service",
                    "client_secret": stack.secrets()["appointment_service_client_secret"],
                    "audience": "schedule_service",
                },
                timeout=10,
            ).json()["access_token"]
            today = datetime.datetime.now(datetime.UTC).date()
            span = (
                f"from={today.isoformat()}&to={(today + datetime.timedelta(days=30)).isoformat()}"
            )
            bearer = {"Authorization": f"Bearer {patient}"}
            doctor_cycle = itertools.cycle(doctors)
            lock = threading.Lock()

            def next_doctor() -> str:
                with lock:
                    return next(doctor_cycle)

            listing = run(
                "GET slots, 31 days (500 doctors seeded)",
                schedule,
                lambda c, n: (
                    "GET",
                    f"/api/v1/doctors/{next_doctor()}/slots/?{span}",
                    bearer,
                    None,
                ),
                clients=CLIENTS,
                seconds=SECONDS,
            )
            free = []
            for doctor in doctors:
                page = requests.get(
                    f"{schedule}/api/v1/doctors/{doctor}/slots/?{span}&page_size=100",
                    headers=bearer,
                    timeout=10,
                ).json()["results"]
                free.extend(s["id"] for s in page)
            print(f"{len(free)} free slots collected for reserve/release")
            internal = {"Authorization": f"Bearer {service}", "Content-Type": "application/json"}
            free_iter = iter(free)
            reserved: list[tuple[str, bytes]] = []

            def reserve(c: int, n: int):
                with lock:
                    slot = next(free_iter)
                    body = json_body({"appointment_id": str(uuid.uuid4())})
                    reserved.append((slot, body))
                return "POST", f"/internal/v1/slots/{slot}/reserve", internal, body

            reserving = run(
                "POST internal reserve (distinct slots)",
                schedule,
                reserve,
                clients=CLIENTS,
                seconds=SECONDS,
                max_requests=len(free) - CLIENTS,
            )
            held = iter(list(reserved))

            def release(c: int, n: int):
                with lock:
                    slot, body = next(held)
                return "POST", f"/internal/v1/slots/{slot}/release", internal, body

            releasing = run(
                "POST internal release",
                schedule,
                release,
                clients=CLIENTS,
                seconds=SECONDS,
                max_requests=len(reserved) - CLIENTS,
            )
            print(
                f"\n{CLIENTS} clients, {SECONDS:.0f} s each, gunicorn 2 sync workers, PostgreSQL\n"
            )
            for result in (listing, reserving, releasing):
                print(result.line())
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
