"""`make bench`: every hot path of the platform measured against a reference, in one run.

Starts a PostgreSQL cluster of its own (pg_stat_statements loaded, default
settings otherwise), every service under gunicorn as compose runs them
(scripts/stack.py, scripts/registry.py's workers unless --worker says
otherwise), and a reference: a one-view Django project (bench/reference/)
under gunicorn with 2 sync workers. Redis is the one at TEST_REDIS_URL
(default redis://127.0.0.1:6379/0), under a key prefix of this run's own.
The services listen on INTEGRATION_BASE_PORT + 900 and up (18900 by default).

Closed-loop cases run wrk (2 threads, 32 connections; bench/lua/requests.lua)
after a warm-up that is not counted; `book_open` sends bookings at half of
`book`'s throughput at fixed instants (bench/openloop.py). Each figure is
printed with its ratio to the reference's req/s and the statements per
request per service database (pg_stat_statements), then one table with the
targets. The exit status is 0 whatever the targets; 1 when a case saw
answers it should not (such as 5xx) or the harness failed.

    .venv/bin/python bench/run.py --seconds 10 --cases reference,me --worker appointment_service=gthread:4
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))
# tests/helpers.py: asking for a service token, as the integration tests do.
sys.path.insert(0, str(ROOT / "tests"))

import cases  # noqa: E402
import database  # noqa: E402
import report  # noqa: E402
import seed  # noqa: E402
from pgcluster import free_port  # noqa: E402
from registry import BY_NAME  # noqa: E402
from stack import PYTHON, Stack, make_test_stack  # noqa: E402

DOCTORS, PATIENTS, PORTAL_SESSIONS = 500, 40, 8
# The environment of the services for the run: per-patient caps and the booking throttle out
# of the way (a patient books many times here), people's tokens valid for the whole run, and
# service tokens short-lived so that each caller renews its own during every case (renewal
# starts 30 s before expiry).
BENCH_ENV = {
    "MAX_UPCOMING_APPOINTMENTS": "100000",
    "MAX_UPCOMING_APPOINTMENTS_PER_DOCTOR": "100000",
    "THROTTLE_BOOKING": "1000000/hour",
    "ACCESS_TOKEN_SECONDS": "3600",
    "SERVICE_TOKEN_SECONDS": "35",
    # compose's and the services' default (the test stacks shorten it).
    "SERVICE_HTTP_READ_TIMEOUT": "3",
}


CASES_HELP = """cases, in the order they run:
  reference         GET / of bench/reference/ (every ratio is to its req/s)
  me                GET /api/v1/auth/me, a different patient's token each time
  search            GET /api/v1/doctors/?search=... over 500 approved doctors
  slots             GET 31 days of slots, 250 doctors with a weekly schedule
  slots_past_holds  the same for 250 more, each with a year of past holds
  reserve           POST /internal/v1/slots/{id}/reserve, distinct slots, service token
  book              POST /api/v1/appointments/, distinct slots, Idempotency-Key, stale
                    doctors' time zones, service tokens renewed during the run
  book_open         the same at a fixed rate, half of book's req/s
  list              GET /api/v1/appointments/?status=upcoming
  storm             32 patients at once on each of 20 slots
  portal_week       the portal's doctor week page, signed-in sessions
"""


def worker_args(value: str) -> tuple[str, tuple[str, ...]]:
    """``SERVICE=sync`` or ``SERVICE=gthread:N`` as (service, gunicorn's worker options)."""
    service, _, kind = value.partition("=")
    if service not in BY_NAME:
        raise argparse.ArgumentTypeError(f"no service {service!r}")
    if kind == "sync":
        return service, ("--worker-class", "sync")
    if kind.startswith("gthread:") and kind[8:].isdigit() and int(kind[8:]) > 0:
        return service, ("--worker-class", "gthread", "--threads", kind[8:])
    raise argparse.ArgumentTypeError(f"{value!r}: expected SERVICE=sync or SERVICE=gthread:N")


def case_names(value: str) -> list[str]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in cases.CASES]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown cases {unknown}; known: {', '.join(cases.CASES)}"
        )
    return names


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark the platform's hot paths against a reference Django view.",
        epilog=CASES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--seconds", type=float, default=10, help="measured seconds per case (10)")
    parser.add_argument(
        "--warmup", type=float, default=3, help="warm-up seconds per case, not counted (3)"
    )
    parser.add_argument(
        "--cases",
        type=case_names,
        default=list(cases.CASES),
        help="comma-separated subset of the cases (with the reference, and book for "
        "book_open, slots for slots_past_holds)",
    )
    parser.add_argument(
        "--worker",
        type=worker_args,
        action="append",
        default=[],
        metavar="SERVICE=sync|gthread:N",
        help="gunicorn worker class (and threads) of a service for this run; repeatable "
        "(default: scripts/registry.py's, as compose runs it)",
    )
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    parser.add_argument(
        "--logs", type=Path, help="keep the services' and PostgreSQL's logs in this folder"
    )
    return parser.parse_args(argv)


def chosen_cases(names: list[str]) -> list[str]:
    """``names`` in run order, with the reference (and book before book_open) added."""
    wanted = {"reference", *names}
    if "book_open" in wanted:
        wanted.add("book")
    if "slots_past_holds" in wanted:
        wanted.add("slots")
    return [name for name in cases.CASES if name in wanted]


def start_reference(state: Path, *, workers: int = 2) -> tuple[subprocess.Popen, str]:
    """The reference app under gunicorn, 2 sync workers like the services; (process, URL)."""
    port = free_port()
    process = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "app:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
        ],
        cwd=ROOT / "bench" / "reference",
        stdout=open(state / "reference.log", "ab"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the reference exited with {process.returncode}")
        try:
            subprocess.run(
                ["curl", "-sf", f"http://127.0.0.1:{port}/"], check=True, capture_output=True
            )
            return process, f"http://127.0.0.1:{port}"
        except subprocess.CalledProcessError:
            time.sleep(0.2)
    raise RuntimeError("the reference did not start in 30 s")


def prepare(
    state: Path, cluster_url: str, workers: list[tuple[str, tuple[str, ...]]]
) -> tuple[Stack, dict]:
    """The stack, migrated and seeded, with the run's environment (not started)."""
    os.environ.setdefault("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    began = time.monotonic()
    stack = make_test_stack(state, port_offset=900, postgres_url=cluster_url)
    print(f"services migrated and demo data seeded in {time.monotonic() - began:.0f} s", flush=True)
    stack.extra_env.update(BENCH_ENV)
    stack.worker_args.update(dict(workers))
    began = time.monotonic()
    people = seed.people(DOCTORS, PATIENTS)
    doctors = [d["id"] for d in people["doctors"]]
    free = seed.seed(stack, state, people, doctors[len(doctors) // 2 :])
    print(f"bench data seeded in {time.monotonic() - began:.0f} s", flush=True)
    return stack, {"people": people, "free": free}


def signed_in(stack: Stack, people: dict) -> tuple[list[str], list[str]]:
    """Every patient's access token, and portal sessions of the first few."""
    began = time.monotonic()
    emails = [p["email"] for p in people["patients"]]
    tokens = seed.sign_in(stack.url("auth_service"), emails)
    cookies = [seed.portal_cookie(stack.url("portal"), e) for e in emails[:PORTAL_SESSIONS]]
    print(f"{len(tokens)} patients signed in in {time.monotonic() - began:.0f} s", flush=True)
    return tokens, cookies


def measure(bench: cases.Bench, names: list[str]) -> bool:
    """Run the cases; print each figure as it comes. False when one saw unexpected answers."""
    clean = True
    for name in names:
        started = time.monotonic()
        figure = cases.CASES[name](bench)
        bench.figures[name] = figure
        report.add_ratios(list(bench.figures.values()))
        print(
            f"{name:<17} {figure.rps:9.1f} req/s  p50 {figure.p50_ms:7.1f} ms  "
            f"p99 {figure.p99_ms:7.1f} ms  ratio {figure.ratio:.4f}  "
            f"queries/request {report.queries_text(figure)}  "
            f"statuses {dict(sorted(figure.statuses.items()))}  ({time.monotonic() - started:.0f} s)",
            flush=True,
        )
        if figure.unexpected:
            print(f"  {figure.unexpected} unexpected answers in {name}", flush=True)
            clean = False
    return clean


def keep_logs(state: Path, logs: Path | None) -> None:
    if logs is not None:
        logs.mkdir(parents=True, exist_ok=True)
        for log in state.glob("*.log"):
            shutil.copy(log, logs / log.name)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    names = chosen_cases(args.cases)
    began = time.monotonic()
    cluster = database.start_cluster()
    reference = None
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        state = Path(tmp)
        stack, data = prepare(state, cluster.url, args.worker)
        try:
            reference, reference_url = start_reference(state)
            started = time.monotonic()
            stack.start()
            print(f"services started in {time.monotonic() - started:.0f} s", flush=True)
            tokens, cookies = signed_in(stack, data["people"])
            bench = cases.Bench(
                stack=stack,
                reference_url=reference_url,
                statements=database.Statements(cluster.url, stack.database_urls),
                state=state,
                seconds=args.seconds,
                warmup=args.warmup,
                doctors=[d["id"] for d in data["people"]["doctors"]],
                tokens=tokens,
                cookies=cookies,
                slots=seed.Slots(data["free"], len(tokens)),
            )
            print(
                f"ready in {time.monotonic() - began:.0f} s: {len(bench.slots)} free slots",
                flush=True,
            )
            clean = measure(bench, names)
        finally:
            stack.stop()
            if reference is not None:
                reference.terminate()
                reference.wait(timeout=10)
            keep_logs(state, args.logs)
            cluster.destroy(keep_log_in=args.logs)
    figures = list(bench.figures.values())
    report.evaluate(figures)
    workers = {s: " ".join(a) for s, a in stack.worker_args.items() if s in stack.ports}
    print(
        f"\n{args.seconds:.0f} s per case after {args.warmup:.0f} s of warm-up; gunicorn 2 workers per service: {workers}"
    )
    print(report.table(figures))
    print(f"\nwhole run: {time.monotonic() - began:.0f} s")
    if args.json:
        meta = {"seconds": args.seconds, "warmup": args.warmup, "workers": workers, "cases": names}
        report.write_json(args.json, figures, meta)
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
