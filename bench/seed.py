"""The benchmark's data: doctors and patients in every service, signed-in tokens and sessions.

Doctors and patients share their ids between services as in the demo data: the
same people file feeds user_service's and auth_service's ``seed_demo`` commands
(only patients get accounts: nobody signs in as a bench doctor) and
bench/seed_schedule.py, which gives every doctor a week of rules and returns
the free slots; half of the doctors also get a year of past holds. ``Slots`` hands those out so that no patient is given two
slots that start at the same moment (the booking would rightly refuse one).
"""

from __future__ import annotations

import datetime
import json
import random
import re
import subprocess
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import database
import requests
from stack import PYTHON, ROOT, Stack

PASSWORD = "bench-password-2026"
ZONES = ["Europe/Berlin", "America/New_York", "Asia/Tokyo", "Europe/London", "America/Sao_Paulo"]
SPECIALTIES = ["cardiology", "dermatology", "family-medicine", "pediatrics", "neurology"]
FIRST = [
    "Anna",
    "Ben",
    "Carla",
    "David",
    "Elena",
    "Farid",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Kira",
    "Luis",
    "Maya",
    "Noah",
    "Olga",
]
LAST = [
    "Weber",
    "Carter",
    "Novak",
    "Silva",
    "Tanaka",
    "Okafor",
    "Martin",
    "Rossi",
    "Jensen",
    "Duarte",
    "Kowalski",
    "Haddad",
    "Moreau",
    "Schmidt",
    "Yilmaz",
    "Nakamura",
    "Petrov",
    "Costa",
    "Larsen",
    "Fischer",
]


def people(doctors: int, patients: int) -> dict:
    """A people file: ``doctors`` approved doctors and ``patients`` patients, fixed by a seed."""
    rng = random.Random(11)

    def new_id() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    return {
        "password": PASSWORD,
        "doctors": [
            {
                "id": new_id(),
                "email": f"bench-doctor-{i}@example.com",
                "full_name": f"Dr. {FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]} {i}",
                "specialty": SPECIALTIES[i % len(SPECIALTIES)],
                "timezone": ZONES[i % len(ZONES)],
                "bio": "Seeded for the benchmarks.",
            }
            for i in range(doctors)
        ],
        "patients": [
            {"id": new_id(), "email": f"bench-patient-{i}@example.com", "full_name": f"Patient {i}"}
            for i in range(patients)
        ],
    }


def search_terms() -> list[str]:
    """Doctor searches as people type them: names, parts of names, two words."""
    terms = [*LAST, *FIRST, *(name[:3] for name in LAST)]
    terms += [f"{first} {last}" for first, last in zip(FIRST, LAST, strict=False)]
    return terms


def seed(
    stack: Stack, state: Path, data: dict, past_holds_doctors: list[str]
) -> dict[str, list[tuple[str, str]]]:
    """Seed every service with ``data`` (the three at once); return each doctor's free slots.

    ``past_holds_doctors`` also get a year of past holds (database.PAST_HOLDS_SQL).
    """
    everyone = state / "bench_people.json"
    everyone.write_text(json.dumps(data))
    accounts = state / "bench_accounts.json"
    accounts.write_text(json.dumps({"password": PASSWORD, "patients": data["patients"]}))
    free_file = state / "bench_free_slots.json"
    manage = [PYTHON, "manage.py", "seed_demo", "--file"]
    commands = {
        "user_service": [*manage, str(everyone)],
        "auth_service": [*manage, str(accounts)],
        "schedule_service": [
            PYTHON,
            str(ROOT / "bench" / "seed_schedule.py"),
            str(everyone),
            str(free_file),
        ],
    }
    running = {
        service: subprocess.Popen(
            command,
            cwd=ROOT / service,
            env=stack.env(service),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for service, command in commands.items()
    }
    for service in ("schedule_service", "user_service", "auth_service"):
        process = running[service]
        out, err = process.communicate(timeout=600)
        if process.returncode:
            raise RuntimeError(f"seeding {service} failed:\n{err}")
        if service == "schedule_service":
            print(out.strip(), flush=True)
            # While the others still seed (auth_service hashes passwords).
            past = database.seed_past_holds(stack.database_urls[service], past_holds_doctors)
            print(f"{past} past holds for {len(past_holds_doctors)} doctors", flush=True)
    free = json.loads(free_file.read_text())
    return {
        doctor: [(slot_id, start) for slot_id, start in slots] for doctor, slots in free.items()
    }


def sign_in(auth: str, emails: list[str]) -> list[str]:
    """One access token per patient (each sign-in hashes with Argon2id: a few at a time)."""

    def token(email: str) -> str:
        answer = requests.post(
            f"{auth}/api/v1/auth/token", json={"email": email, "password": PASSWORD}, timeout=60
        )
        answer.raise_for_status()
        return answer.json()["access"]

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(token, emails))


def portal_cookie(portal: str, email: str) -> str:
    """The session cookie of a patient signed in through the portal's own form."""
    session = requests.Session()
    page = session.get(f"{portal}/sign-in", timeout=30).text
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    answer = session.post(
        f"{portal}/sign-in",
        data={"csrfmiddlewaretoken": csrf, "email": email, "password": PASSWORD},
        headers={"Referer": f"{portal}/sign-in"},
        timeout=30,
        allow_redirects=False,
    )
    if answer.status_code != 302:
        raise RuntimeError(f"signing {email} in to the portal answered {answer.status_code}")
    return f"clinic_session={session.cookies['clinic_session']}"


def next_monday() -> str:
    today = datetime.datetime.now(datetime.UTC).date()
    return (today + datetime.timedelta(days=7 - today.weekday())).isoformat()


class Slots:
    """The free slots, each handed out once, to patients who have nothing at that time."""

    def __init__(self, free: dict[str, list[tuple[str, str]]], patients: int):
        rng = random.Random(7)
        self._free = [slot for slots in free.values() for slot in slots]
        rng.shuffle(self._free)
        self._busy: list[set[str]] = [set() for _ in range(patients)]
        self._turn = 0

    def __len__(self) -> int:
        return len(self._free)

    def take(self, n: int) -> list[str]:
        """``n`` slot ids (fewer when the free slots run out)."""
        taken, self._free = self._free[:n], self._free[n:]
        return [slot_id for slot_id, _ in taken]

    def bookings(self, n: int, *, per_slot: int = 1) -> Iterator[tuple[str, list[int]]]:
        """``n`` slots, each with ``per_slot`` patients (by index) free at its start.

        A slot that not enough patients are free for is kept for later.
        """
        given, kept = 0, []
        while given < n and self._free:
            slot_id, start = self._free.pop()
            order = [(self._turn + k) % len(self._busy) for k in range(len(self._busy))]
            patients = [i for i in order if start not in self._busy[i]][:per_slot]
            if len(patients) < per_slot:
                kept.append((slot_id, start))
                continue
            self._turn = (patients[-1] + 1) % len(self._busy)
            for index in patients:
                self._busy[index].add(start)
            given += 1
            yield slot_id, patients
        self._free.extend(kept)
