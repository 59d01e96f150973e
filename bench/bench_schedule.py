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

from loadgen import Result, json_body, run  # noqa: E402
from stack import PYTHON, make_test_stack  # noqa: E402

SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
DOCTORS = int(os.environ.get("BENCH_DOCTORS", "500"))


def seed(stack) -> list[str]:
    """Seed the doctors' schedules (printing what was seeded); return the doctor ids."""
    seeded = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "seed_schedule.py"), str(DOCTORS)],
        cwd=ROOT / "schedule_service",
        env=stack.env("schedule_service"),
        capture_output=True,
        text=True,
    )
    if seeded.returncode:
        raise SystemExit(f"seeding failed:\n{seeded.stderr}")
    lines = seeded.stdout.splitlines()
    print(lines[0])
    return [line.split()[1] for line in lines[1:]]


def sign_in(stack, auth: str) -> tuple[str, str]:
    """A demo patient's access token and appointment_service's token for schedule_service."""
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
    return patient, service


def bench_listing(schedule: str, doctors: list[str], span: str, bearer: dict) -> Result:
    """The doctors' 31-day slot listings, one doctor after another."""
    doctor_cycle = itertools.cycle(doctors)
    lock = threading.Lock()

    def next_doctor() -> str:
        with lock:
            return next(doctor_cycle)

    return run(
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


def free_slots(schedule: str, doctors: list[str], span: str, bearer: dict) -> list[str]:
    """The first page of free slot ids of every doctor."""
    free = []
    for doctor in doctors:
        page = requests.get(
            f"{schedule}/api/v1/doctors/{doctor}/slots/?{span}&page_size=100",
            headers=bearer,
            timeout=10,
        ).json()["results"]
        free.extend(s["id"] for s in page)
    print(f"{len(free)} free slots collected for reserve/release")
    return free


def bench_reserve_release(schedule: str, free: list[str], service: str) -> tuple[Result, Result]:
    """Reserve distinct free slots through the internal API, then release what was reserved."""
    internal = {"Authorization": f"Bearer {service}", "Content-Type": "application/json"}
    lock = threading.Lock()
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
    return reserving, releasing


def main() -> None:
    os.environ.setdefault("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
    with tempfile.TemporaryDirectory() as state:
        stack = make_test_stack(
            Path(state), ["auth_service", "user_service", "schedule_service"], port_offset=600
        )
        doctors = seed(stack)
        stack.start()
        try:
            auth, schedule = stack.url("auth_service"), stack.url("schedule_service")
            patient, service = sign_in(stack, auth)
            today = datetime.datetime.now(datetime.UTC).date()
            span = (
                f"from={today.isoformat()}&to={(today + datetime.timedelta(days=30)).isoformat()}"
            )
            bearer = {"Authorization": f"Bearer {patient}"}
            listing = bench_listing(schedule, doctors, span, bearer)
            free = free_slots(schedule, doctors, span, bearer)
            reserving, releasing = bench_reserve_release(schedule, free, service)
            print(
                f"\n{CLIENTS} clients, {SECONDS:.0f} s each, gunicorn 2 sync workers, PostgreSQL\n"
            )
            for result in (listing, reserving, releasing):
                print(result.line())
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
