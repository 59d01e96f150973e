"""The cases of `make bench`: what each one sends, to which service, and what it expects.

Each case runs a warm-up that is not counted, then the measured run, with
pg_stat_statements reset in between. A case that writes takes its slots from
``Bench.slots`` for each run, so no request repeats another's slot.
"""

from __future__ import annotations

import http.client
import itertools
import json
import threading
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

import database
import openloop
import wrk
from helpers import service_token
from report import Figure
from requests import Session
from seed import Slots, next_monday, search_terms
from stack import Stack
from wrk import Request

# Distinct requests written per second of a writing case: above what it can serve.
WRITES_PER_SECOND = {"reserve": 1500, "book": 600}
STORM_SLOTS, STORM_PATIENTS = 20, 32


@dataclass
class Bench:
    """Everything the cases use: the stack, the reference, the seeded people and slots."""

    stack: Stack
    reference_url: str
    statements: database.Statements
    state: Path
    seconds: float
    warmup: float
    doctors: list[str]
    tokens: list[str]
    cookies: list[str]
    slots: Slots
    figures: dict[str, Figure] = field(default_factory=dict)

    def url(self, service: str) -> str:
        return self.reference_url if service == "reference" else self.stack.url(service)

    def bearer(self, n: int) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[n % len(self.tokens)]}"}


def closed(
    bench: Bench,
    case: str,
    service: str,
    requests: Callable[[float], Iterable[Request]],
    *,
    expected: frozenset[int] = frozenset({200}),
    before_measure: Callable[[], object] | None = None,
) -> Figure:
    """A closed-loop case: wrk, 32 clients; ``requests(seconds)`` the lines of one run."""
    url = bench.url(service)
    ready = "/" if service == "reference" else "/readyz"
    if bench.warmup > 0:
        warm = bench.state / f"{case}.warmup.txt"
        wrk.write_requests(warm, requests(bench.warmup))
        wrk.run(url, warm, seconds=bench.warmup)
        drain(url, ready)
    if before_measure is not None:
        before_measure()
    measured = bench.state / f"{case}.txt"
    wrk.write_requests(measured, requests(bench.seconds))
    bench.statements.reset()
    run = wrk.run(url, measured, seconds=bench.seconds)
    calls = bench.statements.calls()
    drain(url, ready)
    unexpected = sum(n for status, n in run.statuses.items() if status not in expected)
    unexpected += sum(run.socket_errors.values())
    notes = [f"socket errors {run.socket_errors}"] if run.socket_errors else []
    if run.requests == 0:
        unexpected += 1
        notes.append("no answer at all in the measured run")
    note = "; ".join(notes)
    return Figure(
        case=case,
        mode="closed, 32 clients",
        rps=run.rps,
        p50_ms=run.p50_ms,
        p99_ms=run.p99_ms,
        requests=run.requests,
        statuses=run.statuses,
        queries=database.per_request(calls, run.requests),
        unexpected=unexpected,
        note=note,
    )


def drain(url: str, path: str = "/readyz") -> None:
    """Wait until ``url``'s service has served what a finished run left queued.

    wrk stops by closing its connections, but a service's workers still serve
    the requests already accepted; they would count in the next run. A
    readiness request asked now is served after them (statements are read
    before: what the queue costs is not the run's).
    """
    with urllib.request.urlopen(url + path, timeout=300) as answer:  # noqa: S310
        answer.read()


def reference(bench: Bench) -> Figure:
    return closed(bench, "reference", "reference", lambda s: [Request("GET", "/")])


def me(bench: Bench) -> Figure:
    def requests(seconds: float) -> list[Request]:
        return [
            Request("GET", "/api/v1/auth/me", bench.bearer(n)) for n in range(len(bench.tokens))
        ]

    return closed(bench, "me", "auth_service", requests)


def search(bench: Bench) -> Figure:
    def requests(seconds: float) -> list[Request]:
        terms = search_terms()
        return [
            Request("GET", f"/api/v1/doctors/?search={quote(term)}", bench.bearer(n))
            for n, term in enumerate(terms * 3)
        ]

    return closed(bench, "search", "user_service", requests)


def _listing(bench: Bench, case: str, doctors: list[str]) -> Figure:
    today = time.strftime("%Y-%m-%d", time.gmtime())
    last = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 30 * 86400))

    def requests(seconds: float) -> list[Request]:
        return [
            Request(
                "GET",
                f"/api/v1/doctors/{doctor}/slots/?from={today}&to={last}",
                bench.bearer(n),
            )
            for n, doctor in enumerate(doctors)
        ]

    return closed(bench, case, "schedule_service", requests)


def slots(bench: Bench) -> Figure:
    """31 days of slots of the first half of the doctors (no past holds)."""
    return _listing(bench, "slots", bench.doctors[: len(bench.doctors) // 2])


def slots_past_holds(bench: Bench) -> Figure:
    """The same listing for the second half, each with a year of past holds (seeded)."""
    figure = _listing(bench, "slots_past_holds", bench.doctors[len(bench.doctors) // 2 :])
    figure.note = "the other half of the doctors, each with a year of past holds"
    return figure


def reserve(bench: Bench) -> Figure:
    def requests(seconds: float) -> list[Request]:
        with Session() as session:
            token = service_token(bench.stack, session, "appointment_service", "schedule_service")
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        return [
            Request(
                "POST",
                f"/internal/v1/slots/{slot}/reserve",
                headers,
                _json(appointment_id=str(uuid.uuid4())),
            )
            for slot in bench.slots.take(int(WRITES_PER_SECOND["reserve"] * seconds))
        ]

    return closed(bench, "reserve", "schedule_service", requests)


def _booking(bench: Bench, patient: int, slot: str, reason: str) -> Request:
    """The patient's booking of ``slot``, with its own Idempotency-Key."""
    return Request(
        "POST",
        "/api/v1/appointments/",
        {
            **bench.bearer(patient),
            "Content-Type": "application/json",
            "Idempotency-Key": str(uuid.uuid4()),
        },
        _json(slot_id=slot, reason=reason),
    )


def _bookings(bench: Bench, n: int) -> list[Request]:
    """``n`` bookings of distinct slots, each with its own Idempotency-Key."""
    return [_booking(bench, patient, slot, "bench") for slot, (patient,) in bench.slots.bookings(n)]


def _stale_time_zones(bench: Bench) -> None:
    database.make_time_zones_stale(bench.stack.database_urls["schedule_service"])


def book(bench: Bench) -> Figure:
    return closed(
        bench,
        "book",
        "appointment_service",
        lambda seconds: _bookings(bench, int(WRITES_PER_SECOND["book"] * seconds)),
        expected=frozenset({201}),
        before_measure=lambda: _stale_time_zones(bench),
    )


def book_open(bench: Bench) -> Figure:
    """Bookings at half the closed loop's rate, latency from the scheduled instant."""
    rate = max(1.0, bench.figures["book"].rps / 2)
    requests = _bookings(bench, int(rate * (bench.warmup + bench.seconds)) + 1)
    _stale_time_zones(bench)
    parts = urlsplit(bench.url("appointment_service"))
    bench.statements.reset()
    run = openloop.run(
        parts.hostname,
        parts.port,
        requests.__getitem__,
        rate=rate,
        seconds=bench.seconds,
        warmup=bench.warmup,
    )
    calls = bench.statements.calls()
    drain(bench.url("appointment_service"))
    sent = int(rate * (bench.warmup + bench.seconds))
    return Figure(
        case="book_open",
        mode=f"open, {rate:.1f}/s",
        rps=run.achieved_rate,
        p50_ms=run.p50_ms,
        p99_ms=run.p99_ms,
        requests=run.requests,
        statuses=run.statuses,
        queries=database.per_request(calls, sent),
        unexpected=sum(n for status, n in run.statuses.items() if status != 201),
        note=f"rate {rate:.1f}/s (half of book), achieved {run.achieved_rate:.1f}/s",
    )


def patient_list(bench: Bench) -> Figure:
    def requests(seconds: float) -> list[Request]:
        return [
            Request("GET", "/api/v1/appointments/?status=upcoming", bench.bearer(n))
            for n in range(len(bench.tokens))
        ]

    return closed(bench, "list", "appointment_service", requests)


def portal_week(bench: Bench) -> Figure:
    week = next_monday()

    def requests(seconds: float) -> list[Request]:
        return [
            Request("GET", f"/doctors/{doctor}?week={week}", {"Cookie": cookie})
            for doctor, cookie in zip(bench.doctors, itertools.cycle(bench.cookies), strict=False)
        ]

    return closed(bench, "portal_week", "portal", requests)


def _json(**values: str) -> str:
    return json.dumps(values)


def _storm_slot(host: str, port: int, attempts: list[Request]) -> list[tuple[int, float]]:
    """Send ``attempts`` at the same moment, one thread and connection each; (status, ms)."""
    barrier = threading.Barrier(len(attempts))
    answers: list[tuple[int, float]] = []
    lock = threading.Lock()

    def attempt(request: Request) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=60)
        conn.connect()
        barrier.wait()
        started = time.perf_counter()
        status = openloop.send(conn, request)
        conn.close()
        with lock:
            answers.append((status, (time.perf_counter() - started) * 1000))

    threads = [threading.Thread(target=attempt, args=(r,)) for r in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def storm(bench: Bench) -> Figure:
    """32 patients at once on each of 20 slots: one 201 per slot, every loser a 409."""
    parts = urlsplit(bench.url("appointment_service"))
    contested = list(bench.slots.bookings(STORM_SLOTS, per_slot=STORM_PATIENTS))
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    double = no_winner = 0
    bench.statements.reset()
    started = time.monotonic()
    for slot, patients in contested:
        attempts = [_booking(bench, p, slot, "storm") for p in patients]
        answers = _storm_slot(parts.hostname, parts.port, attempts)
        statuses.update(status for status, _ in answers)
        latencies += [ms for _, ms in answers]
        winners = sum(1 for status, _ in answers if status == 201)
        double += winners > 1
        no_winner += winners == 0
    elapsed = time.monotonic() - started
    calls = bench.statements.calls()
    unexpected = sum(n for status, n in statuses.items() if status not in (201, 409))
    return Figure(
        case="storm",
        mode=f"{STORM_PATIENTS} at once x {len(contested)} slots",
        rps=len(latencies) / elapsed,
        p50_ms=openloop.percentile(latencies, 50),
        p99_ms=openloop.percentile(latencies, 99),
        requests=len(latencies),
        statuses=dict(statuses),
        queries=database.per_request(calls, len(latencies)),
        unexpected=unexpected,
        note=f"{double} double bookings, {no_winner} slots without a winner, answers {dict(sorted(statuses.items()))}",
    )


# In the order they run.
CASES: dict[str, Callable[[Bench], Figure]] = {
    "reference": reference,
    "me": me,
    "search": search,
    "slots": slots,
    "slots_past_holds": slots_past_holds,
    "reserve": reserve,
    "book": book,
    "book_open": book_open,
    "list": patient_list,
    "storm": storm,
    "portal_week": portal_week,
}
