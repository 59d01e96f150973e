"""Benchmark appointment_service over HTTP: gunicorn (2 sync workers per service) on PostgreSQL.

Booking throughput on distinct slots by many patients, p50/p99 of booking and
of the patient's list, and the same-slot contention case (8 patients at once
on each of 20 slots: one 201 and seven 409s each). Traffic goes to 127.0.0.1
only, bounded in time and count.

    TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432 .venv/bin/python bench/bench_booking.py
"""

from __future__ import annotations

import datetime
import itertools
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
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
DOCTORS = PATIENTS = int(os.environ.get("BENCH_PATIENTS", "100"))
PASSWORD = "bench-password-2026"


def seed_patients(stack, state: Path) -> list[str]:
    emails = [f"bench-patient-{i}@example.com" for i in range(PATIENTS)]
    data = {
        "password": PASSWORD,
        "patients": [{"id": str(uuid.uuid4()), "email": e} for e in emails],
    }
    path = state / "bench_patients.json"
    path.write_text(json.dumps(data))
    stack.manage("auth_service", "seed_demo", "--file", str(path))
    return emails


def contention(
    url: str, tokens: list[str], slot_ids: list[str]
) -> tuple[Result, dict[int, int], int]:
    """For each slot, 8 patients book it at the same moment."""
    latencies, statuses, winners = [], {}, 0
    started = time.monotonic()
    for slot in slot_ids:
        barrier = threading.Barrier(8)
        outcome: list[int] = []

        def attempt(token: str, slot=slot, barrier=barrier, outcome=outcome) -> None:
            barrier.wait()
            t0 = time.perf_counter()
            response = requests.post(
                f"{url}/api/v1/appointments/",
                json={"slot_id": slot, "reason": "contention"},
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            )
            latencies.append((time.perf_counter() - t0) * 1000)
            outcome.append(response.status_code)

        threads = [threading.Thread(target=attempt, args=(t,)) for t in tokens[:8]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for code in outcome:
            statuses[code] = statuses.get(code, 0) + 1
        winners += outcome.count(201) == 1
    result = Result(
        "POST book, 8 patients on one slot (x20)",
        len(latencies),
        sum(n for c, n in statuses.items() if c not in (201, 409)),
        time.monotonic() - started,
        latencies,
    )
    return result, statuses, winners


def seed(stack, state: Path) -> tuple[list[str], list[str]]:
    """Seed the doctors' schedules and the patients' accounts; return doctor ids and emails."""
    seeded = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "seed_schedule.py"), str(DOCTORS)],
        cwd=ROOT / "schedule_service",
        env=stack.env("schedule_service"),
        capture_output=True,
        text=True,
    )
    if seeded.returncode:
        raise SystemExit(f"seeding failed:\n{seeded.stderr}")
    doctors = [line.split()[1] for line in seeded.stdout.splitlines()[1:]]
    return doctors, seed_patients(stack, state)


def sign_in(auth: str, emails: list[str]) -> list[str]:
    """One access token per patient."""
    return [
        requests.post(
            f"{auth}/api/v1/auth/token", json={"email": e, "password": PASSWORD}, timeout=30
        ).json()["access"]
        for e in emails
    ]


def free_slots(schedule: str, doctors: list[str], tokens: list[str]) -> list[list[str]]:
    """For each patient, the free slot ids of their own doctor from 2 to 30 days ahead."""
    today = datetime.datetime.now(datetime.UTC).date()
    span = {
        "from": (today + datetime.timedelta(days=2)).isoformat(),
        "to": (today + datetime.timedelta(days=30)).isoformat(),
        "page_size": 100,
    }
    per_patient = []
    for index, doctor in enumerate(doctors[: len(tokens)]):
        free = requests.get(
            f"{schedule}/api/v1/doctors/{doctor}/slots/",
            params=span,
            headers={"Authorization": f"Bearer {tokens[index]}"},
            timeout=30,
        ).json()["results"]
        per_patient.append([s["id"] for s in free])
    return per_patient


def bench_booking(booking: str, tokens: list[str], per_patient: list[list[str]]) -> Result:
    """Patients book distinct slots of their own doctor as fast as they can."""
    # Up to 9 bookings per patient (the default cap is 10), each on its own doctor's slots.
    jobs = iter(
        [
            (tokens[p], slots[k])
            for k in range(9)
            for p, slots in enumerate(per_patient)
            if k < len(slots)
        ]
    )
    lock = threading.Lock()

    def book(c: int, n: int):
        with lock:
            token, slot = next(jobs)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        return (
            "POST",
            "/api/v1/appointments/",
            headers,
            json_body({"slot_id": slot, "reason": "bench"}),
        )

    total_jobs = sum(min(9, len(s)) for s in per_patient)
    return run(
        "POST book, distinct slots, 100 patients",
        booking,
        book,
        clients=CLIENTS,
        seconds=SECONDS,
        max_requests=total_jobs - CLIENTS,
        ok=lambda status: status == 201,
    )


def bench_listing(booking: str, tokens: list[str]) -> Result:
    """Patients in turn list their upcoming appointments."""
    lock = threading.Lock()
    cycle = itertools.cycle(tokens)

    def listing(c: int, n: int):
        with lock:
            token = next(cycle)
        return (
            "GET",
            "/api/v1/appointments/?status=upcoming",
            {"Authorization": f"Bearer {token}"},
            None,
        )

    return run(
        "GET the patient's upcoming appointments",
        booking,
        listing,
        clients=CLIENTS,
        seconds=SECONDS,
    )


def main() -> None:
    os.environ.setdefault("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
    with tempfile.TemporaryDirectory() as state_dir:
        state = Path(state_dir)
        stack = make_test_stack(
            state,
            ["auth_service", "user_service", "schedule_service", "appointment_service"],
            port_offset=700,
        )
        doctors, emails = seed(stack, state)
        stack.start()
        try:
            auth, schedule, booking = (
                stack.url(s) for s in ("auth_service", "schedule_service", "appointment_service")
            )
            tokens = sign_in(auth, emails)
            per_patient = free_slots(schedule, doctors, tokens)
            booked = bench_booking(booking, tokens, per_patient)
            listed = bench_listing(booking, tokens)
            contested_slots = [s[-1] for s in per_patient[-20:]]
            contested, statuses, winners = contention(booking, tokens[-8:], contested_slots)
            print(
                f"\n{CLIENTS} clients, {SECONDS:.0f} s each, gunicorn 2 sync workers per service, PostgreSQL\n"
            )
            for result in (booked, listed, contested):
                print(result.line())
            print(
                f"contention: {winners}/20 slots with exactly one 201; answers {dict(sorted(statuses.items()))}"
            )
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
