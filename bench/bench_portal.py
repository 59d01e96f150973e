"""Benchmark the portal's pages over HTTP: every service under gunicorn, PostgreSQL and Redis.

A doctor's week page (one call to user_service, one to schedule_service) and
"My appointments" (one call to appointment_service, one batch name look-up in
user_service), each signed in as demo patients with a few appointments. The
portal runs first with gthread workers (2 x 8 threads, what compose and
`make run` use), then with 2 sync workers, to show why. Traffic goes to
127.0.0.1 only, bounded in time and count.

    TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432 .venv/bin/python bench/bench_portal.py
"""

from __future__ import annotations

import datetime
import os
import re
import sys
import tempfile
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))

from loadgen import Result, run, summary  # noqa: E402
from stack import make_test_stack  # noqa: E402

SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
PASSWORD = "demo-clinic-2026"
PATIENTS = ["ana.lima@demo.clinic", "ben.okafor@demo.clinic", "chloe.martin@demo.clinic"]
WEBER = "2b2d6c70-9d5d-5544-a0f3-a2a8aee6ac4f"
CARTER = "8f62b010-96db-5b3e-87ba-9c523b26c88f"
BOOKINGS_EACH = 4


def sign_in(portal: str, email: str) -> requests.Session:
    """A browser-like session signed in through the portal's own form."""
    session = requests.Session()
    page = session.get(f"{portal}/sign-in", timeout=10).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    answer = session.post(
        f"{portal}/sign-in",
        data={"csrfmiddlewaretoken": token, "email": email, "password": PASSWORD},
        headers={"Referer": f"{portal}/sign-in"},
        timeout=10,
        allow_redirects=False,
    )
    if answer.status_code != 302:
        raise RuntimeError(f"signing in {email} answered {answer.status_code}")
    return session


def book_some(stack, email: str, offset: int) -> None:
    """A few upcoming appointments with Dr. Carter, booked through the API."""
    auth, schedule, appointment = (
        stack.url("auth_service"),
        stack.url("schedule_service"),
        stack.url("appointment_service"),
    )
    token = requests.post(
        f"{auth}/api/v1/auth/token", json={"email": email, "password": PASSWORD}, timeout=10
    ).json()["access"]
    bearer = {"Authorization": f"Bearer {token}"}
    slots = requests.get(
        f"{schedule}/api/v1/doctors/{CARTER}/slots/",
        params={"page_size": 100},
        headers=bearer,
        timeout=10,
    ).json()["results"]
    for slot in slots[offset * 10 :: 3][:BOOKINGS_EACH]:
        requests.post(
            f"{appointment}/api/v1/appointments/",
            json={"slot_id": slot["id"], "reason": "Annual check-up"},
            headers=bearer,
            timeout=15,
        ).raise_for_status()


def measure(stack, cookies: list[str], label: str) -> list[Result]:
    portal = stack.url("portal")
    today = datetime.datetime.now(datetime.UTC).date()
    week = (today + datetime.timedelta(days=7 - today.weekday())).isoformat()

    def page(path: str):
        def make(client: int, n: int):
            return "GET", path, {"Cookie": cookies[client % len(cookies)]}, None

        return make

    cases = [
        (f"{label}: doctor's week page", f"/doctors/{WEBER}?week={week}"),
        (f"{label}: my appointments", "/appointments?status=upcoming"),
    ]
    results = []
    for name, path in cases:
        for _ in range(2):  # warm-up: templates compiled, connections open, JWKS cached
            run(name, portal, page(path), clients=CLIENTS, seconds=1)
        results.append(run(name, portal, page(path), clients=CLIENTS, seconds=SECONDS))
        print(results[-1].line(), flush=True)
    return results


def main() -> int:
    os.environ.setdefault("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
    os.environ.setdefault("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
    with tempfile.TemporaryDirectory() as tmp:
        stack = make_test_stack(Path(tmp), port_offset=600)
        stack.start()
        try:
            for i, email in enumerate(PATIENTS):
                book_some(stack, email, i)
            sessions = [sign_in(stack.url("portal"), email) for email in PATIENTS]
            cookies = [f"clinic_session={s.cookies['clinic_session']}" for s in sessions]
            body = sessions[0].get(f"{stack.url('portal')}/appointments", timeout=10).text
            if body.count('class="card"') != BOOKINGS_EACH:
                raise RuntimeError("My appointments does not list what was booked")

            results = measure(stack, cookies, "gthread 2x8")
            stack.stop_service("portal")
            stack.worker_args["portal"] = ("--worker-class", "sync")
            stack.start_service("portal")
            results += measure(stack, cookies, "sync 2")
        finally:
            stack.stop()
    print()
    print(summary(results))
    return 1 if any(r.errors for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
