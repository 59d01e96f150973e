"""Infrastructure faults under load: PostgreSQL sessions killed or the server stopped, Redis gone,
auth_service down. Real processes, no mocks.

The stack (all five services) runs on a PostgreSQL cluster and a Redis server of
this module's own (``infra``), so that they can be stopped and abused. Each
test starts from a healthy stack (``healthy`` puts back whatever an earlier
failure left stopped) and restores what it breaks.
"""

from __future__ import annotations

import itertools
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import requests
from conftest import unique_email
from helpers import (
    PASSWORD,
    approve,
    assert_no_orphans,
    publish_weekly_hours,
    register,
    sign_in,
)
from infra import Answer, Load, PostgresCluster, RedisServer, call, describe, free_port, wait_until
from stack import TEST_BASE_PORT, make_test_stack

SERVICES = ["auth_service", "user_service", "schedule_service", "appointment_service", "portal"]
API_SERVICES = SERVICES[:4]
PORT_OFFSET = 1500
# make_test_stack names the databases it<base port + offset>_<service>.
DATABASE_PREFIX = f"it{TEST_BASE_PORT + PORT_OFFSET}_"
POOL_TIMEOUT = 2  # DB_POOL_TIMEOUT of the stack: seconds a request waits for a connection
LOGIN_LIMIT = 5  # LOGIN_FAILURES_PER_ACCOUNT
SERVICE_TOKEN_SECONDS = 45
CACHE_RETRY_SECONDS = 5  # the services' default: Redis is tried again after this long


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("infra-faults")


@pytest.fixture(scope="module")
def postgres(state_dir):
    cluster = PostgresCluster()
    cluster.start()
    yield cluster
    cluster.destroy(keep_log_in=state_dir)


@pytest.fixture(scope="module")
def redis_server(state_dir):
    server = RedisServer(state_dir)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def stack(state_dir, postgres, redis_server):
    stack = make_test_stack(state_dir, SERVICES, port_offset=PORT_OFFSET, postgres_url=postgres.url)
    stack.cache_url = redis_server.url
    stack.extra_env.update(
        {
            "DB_POOL_TIMEOUT": str(POOL_TIMEOUT),
            "SERVICE_TOKEN_SECONDS": str(SERVICE_TOKEN_SECONDS),
            "LOGIN_FAILURES_PER_ACCOUNT": str(LOGIN_LIMIT),
            "CACHE_RETRY_SECONDS": str(CACHE_RETRY_SECONDS),
            # Load, not limits, is the subject here: every booking and token is let through.
            "THROTTLE_BOOKING": "100000/hour",
            "THROTTLE_SERVICE_TOKEN": "100000/minute",
            "MAX_UPCOMING_APPOINTMENTS": "1000",
            "MAX_UPCOMING_APPOINTMENTS_PER_DOCTOR": "1000",
        }
    )
    stack.start()
    yield stack
    stack.stop()


@pytest.fixture(autouse=True)
def healthy(stack, postgres, redis_server):
    """Every test starts with PostgreSQL, Redis and all five services up and ready."""
    if not postgres.running():
        postgres.start()
    if not redis_server.running():
        redis_server.start()
    stack.cache_url = redis_server.url
    for service in SERVICES:
        if service in stack.processes:
            stack.wait_healthy(service)
        else:
            stack.start_service(service)


class Clinic:
    """A doctor of one's own, available every day 08:00-18:00, whose slots are handed out once."""

    def __init__(self, stack):
        self.stack = stack
        with requests.Session() as http:
            email = unique_email("infra-doc")
            self.doctor_id = register(
                stack,
                http,
                email=email,
                role="doctor",
                full_name="Dr. Infra Structure",
                specialty="cardiology",
                timezone="Europe/London",
            )
            approve(stack, http, self.doctor_id)
            self.doctor = sign_in(stack, http, email)
            publish_weekly_hours(stack, http, self.doctor)
            today = datetime.now(UTC).date()
            response = http.get(
                f"{stack.url('schedule_service')}/api/v1/doctors/{self.doctor_id}/slots/",
                params={
                    "from": today.isoformat(),
                    "to": (today + timedelta(days=27)).isoformat(),
                    "page_size": 1000,
                },
                headers=self.doctor,
                timeout=10,
            )
            response.raise_for_status()
        later = (datetime.now(UTC) + timedelta(days=1)).isoformat().replace("+00:00", "Z")
        self._slots = iter([s["id"] for s in response.json()["results"] if s["start"] > later])
        # The read of the load tests: the doctor's first 20 bookable slots.
        self.slot_list_url = response.url.replace("page_size=1000", "page_size=20")

    def take_slot(self) -> str:
        """A free slot no other caller of this clinic got (``next`` on an iterator is atomic)."""
        return next(self._slots)

    def patients(self, count: int) -> list[dict[str, str]]:
        """``count`` new patients, signed in: their Authorization headers."""
        headers = []
        with requests.Session() as http:
            for _ in range(count):
                email = unique_email("infra-pat")
                register(self.stack, http, email=email, role="patient", full_name="Pat Infra")
                headers.append(sign_in(self.stack, http, email))
        return headers


@pytest.fixture
def clinic(stack):
    return Clinic(stack)


def book(stack, session, patient, slot_id, key=None) -> Answer:
    return call(
        session,
        "POST",
        f"{stack.url('appointment_service')}/api/v1/appointments/",
        label="book",
        json={"slot_id": slot_id, "reason": "Routine check"},
        headers={**patient, "Idempotency-Key": key or str(uuid.uuid4())},
        timeout=30,
    )


def read_urls(stack, clinic) -> dict[str, str]:
    """One read of each API service with a person's token (label: URL)."""
    return {
        "auth me": f"{stack.url('auth_service')}/api/v1/auth/me",
        "user profile me": f"{stack.url('user_service')}/api/v1/profiles/me/",
        "slot list": clinic.slot_list_url,
        "appointment list": f"{stack.url('appointment_service')}/api/v1/appointments/?page_size=20",
    }


def proper_503(answer: Answer, code: str | None = None) -> bool:
    """A 503 problem+json with a request id (and, for a database fault, Retry-After)."""
    problem = answer.problem()
    return (
        answer.status == 503
        and problem is not None
        and bool(problem.get("request_id"))
        and (code is None or problem.get("code") == code)
        and (problem.get("code") != "database-unavailable" or "retry-after" in answer.headers)
    )


def reconcile(stack) -> None:
    """Repair what failed bookings left (README, "Reconciliation"): held slots, pending rows."""
    stack.manage("appointment_service", "reconcile_appointments", "--grace", "0")


def warm_up(stack, patients, urls, clinic) -> None:
    """Eight clients at once read and book, so that every worker holds JWKS and a service token."""

    def client(index: int) -> list[Answer]:
        patient = patients[index % len(patients)]
        with requests.Session() as session:
            answers = [call(session, "GET", url, headers=patient) for url in urls.values()]
            return [*answers, book(stack, session, patient, clinic.take_slot())]

    with ThreadPoolExecutor(8) as pool:
        answers = [a for batch in pool.map(client, range(8)) for a in batch]
    bad = [a for a in answers if not a.ok]
    assert not bad, describe(answers, unexpected=bad)


def portal_form(stack, browser: requests.Session, path: str, label: str, fields: dict) -> Answer:
    """GET a portal form, POST ``fields`` with its CSRF token; the answer to the POST (not followed)."""
    url = f"{stack.url('portal')}{path}"
    page = browser.get(url, timeout=10)
    assert page.status_code == 200, page.text[:300]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return call(
        browser,
        "POST",
        url,
        label=label,
        data={"csrfmiddlewaretoken": token, **fields},
        headers={"Referer": url},
        allow_redirects=False,
    )


def portal_sign_in(stack, browser: requests.Session, email: str) -> Answer:
    fields = {"email": email, "password": PASSWORD}
    return portal_form(stack, browser, "/sign-in", "portal sign-in", fields)


def portal_register(stack) -> Answer:
    fields = {
        "full_name": "Portal Outage",
        "email": unique_email("infra-portal"),
        "password": PASSWORD,
    }
    with requests.Session() as browser:
        return portal_form(stack, browser, "/register", "portal register", fields)


def assert_portal_signs_in(stack, email: str) -> None:
    with requests.Session() as browser:
        answer = portal_sign_in(stack, browser, email)
        assert answer.status == 302, answer
        landing = browser.get(
            stack.url("portal") + answer.headers["location"], timeout=10, allow_redirects=False
        )
        assert landing.status_code == 200, (landing.status_code, landing.text[:300])
        mine = browser.get(f"{stack.url('portal')}/appointments", timeout=10, allow_redirects=False)
        assert mine.status_code == 200, (mine.status_code, mine.headers.get("Location"))


def sign_in_answer(stack, session, email, password) -> Answer:
    return call(
        session,
        "POST",
        f"{stack.url('auth_service')}/api/v1/auth/token",
        label="sign-in" if password == PASSWORD else "wrong password",
        json={"email": email, "password": password},
        timeout=15,
    )


def wrong_passwords_until_429(stack, email) -> list[Answer]:
    """Wrong passwords for ``email`` until a 429, at most 2 x limit + 1 attempts."""
    answers = []
    with requests.Session() as session:
        for _ in range(2 * LOGIN_LIMIT + 1):
            answers.append(sign_in_answer(stack, session, email, "not-the-password-at-all"))
            if answers[-1].status != 401:
                break
    return answers


def assert_throttled_in_time(answers: list[Answer]) -> None:
    """Each worker counts alone while Redis is away: up to 2 x limit 401s, then a 429."""
    statuses = [a.status for a in answers]
    assert statuses[-1] == 429 and set(statuses[:-1]) <= {401}, describe(
        answers, unexpected=[a for a in answers if a.status not in (401, 429)]
    )


# -- a. PostgreSQL sessions killed under read load ---------------------------------------------


def test_killing_every_database_session_under_read_load_fails_no_read(stack, postgres, clinic):
    """Reads whose pooled connection is killed (pg_terminate_backend) are retried: all 2xx.

    Six threads read a profile, a slot list, an appointment list and the
    account for six seconds while every session of the stack's databases is
    ended twice, a second apart; every answer is 2xx, and reads go on after.
    """
    patient = clinic.patients(1)[0]
    urls = itertools.cycle(read_urls(stack, clinic).items())

    def read(session, _index):
        label, url = next(urls)
        return call(session, "GET", url, label=label, headers=patient, timeout=15)

    started = time.monotonic()
    with Load(6, read) as load:
        load.wait_for(lambda answers: len(answers) >= 30, timeout=10, what="30 reads")
        killed = [postgres.terminate_backends(DATABASE_PREFIX)]
        time.sleep(1)  # the second kill comes a second after the first, by design
        killed.append(postgres.terminate_backends(DATABASE_PREFIX))
        last_kill = time.monotonic()
        load.wait_for(
            lambda answers: (
                sum(a.started > last_kill for a in answers) >= 30
                and time.monotonic() - started >= 6
            ),
            timeout=15,
            what="30 reads after the kills, 6 s of load",
        )
    answers = load.answers
    failed = [a for a in answers if not a.ok]
    assert killed[0] > 0, f"no session to kill: {killed}"
    assert not failed, f"killed {killed}\n" + describe(answers, unexpected=failed)
    assert sum(a.started > last_kill for a in answers) >= 30, describe(answers)


# -- b. PostgreSQL sessions killed under booking load ------------------------------------------


def test_killing_every_database_session_under_booking_load_answers_clearly_and_leaves_no_orphan(
    stack, postgres, clinic
):
    """Bookings whose sessions are killed answer 201, 409 or a 503 problem, never a 500.

    Four patients book distinct slots of one doctor while every session is
    ended three times; afterwards (and after the reconciliation the README
    prescribes for failed bookings) every hold has its appointment and back.
    """
    patients = clinic.patients(4)

    def book_one(session, index):
        return book(stack, session, patients[index], clinic.take_slot())

    with Load(4, book_one, pace=0.25) as load:
        load.wait_for(
            lambda answers: sum(a.status == 201 for a in answers) >= 4, timeout=15, what="4 booked"
        )
        killed = []
        for _ in range(3):
            killed.append(postgres.terminate_backends(DATABASE_PREFIX))
            time.sleep(0.7)  # spacing of the kills, by design
        last_kill = time.monotonic()
        load.wait_for(
            lambda answers: sum(a.started > last_kill for a in answers) >= 8,
            timeout=15,
            what="8 bookings after the kills",
        )
    answers = load.answers
    wrong = [
        a
        for a in answers
        if a.status not in (201, 409, 503) or a.status == 503 and not proper_503(a)
    ]
    assert not wrong, f"killed {killed}\n" + describe(answers, unexpected=wrong)
    assert any(a.status == 201 and a.started > last_kill for a in answers), describe(answers)
    reconcile(stack)
    with requests.Session() as http:
        assert_no_orphans(stack, http, clinic.doctor_id, clinic.doctor)


# -- c. PostgreSQL stopped, then started -------------------------------------------------------


def test_postgres_stopped_under_booking_load_answers_503_quickly_and_recovers_without_restart(
    stack, postgres, clinic
):
    """PostgreSQL down for 10 s: every request a quick 503 problem, /readyz 503, /healthz 200.

    While it is down each booking and each read answers 503
    ``database-unavailable`` (with Retry-After and a request id) within
    DB_POOL_TIMEOUT + 2 s, and every API service's /readyz answers 503 and
    /healthz 200; once it is back, every API service reads again within 5 s
    with no restart, a booking succeeds, and no hold or appointment is left
    orphaned.

    One thread books; one more per API service asks its /readyz, /healthz and
    a read in turn. So no service has more requests at once than its two
    workers, and a time measured is the service's own, not a wait in its queue.
    """
    patient = clinic.patients(1)[0]
    reads = read_urls(stack, clinic)
    probes = [
        [
            (f"{service} readyz", f"{stack.url(service)}/readyz"),
            (f"{service} healthz", f"{stack.url(service)}/healthz"),
            (label, url),
        ]
        for service, (label, url) in zip(API_SERVICES, reads.items(), strict=True)
    ]
    turns = [itertools.cycle(p) for p in probes]
    quick = POOL_TIMEOUT + 2

    def step(session, index):
        if index == 0:
            return book(stack, session, patient, clinic.take_slot())
        label, url = next(turns[index - 1])
        return call(session, "GET", url, label=label, headers=patient, timeout=15)

    labels = {"book"} | {label for p in probes for label, _ in p}
    stopped = float("inf")

    def outage_covered(answers) -> bool:
        within = {a.label for a in answers if a.started >= stopped}
        return time.monotonic() - stopped >= 10 and within == labels

    with Load(1 + len(probes), step, pace=0.2) as load:
        load.wait_for(
            lambda answers: {a.label for a in answers if a.ok} == labels,
            timeout=15,
            what="every request answered before the outage",
        )
        postgres.stop()
        stopped = time.monotonic()
        load.wait_for(outage_covered, timeout=20, what="10 s down, every request asked")
    # The load has ended: every answer came while PostgreSQL was down or before.
    postgres.start()
    back = time.monotonic()
    answers = load.answers

    def expected(answer: Answer, *, down: bool) -> bool:
        if answer.label.endswith("healthz"):
            return answer.status == 200
        if answer.label.endswith("readyz"):
            return answer.status == 503 if down else answer.status in (200, 503)
        if down:
            return proper_503(answer, "database-unavailable")
        allowed = (201, 409, 503) if answer.label == "book" else (200, 503)
        return answer.status in allowed and (answer.status != 503 or proper_503(answer))

    down = [a for a in answers if a.started >= stopped]
    wrong = [a for a in down if not expected(a, down=True) or a.took > quick]
    assert not wrong, describe(down, unexpected=wrong)
    before = [a for a in answers if a.started < stopped]
    unclear = [a for a in before if not expected(a, down=False)]
    assert not unclear, describe(before, unexpected=unclear)

    with requests.Session() as http:
        recovered = wait_until(
            lambda: all(
                call(http, "GET", url, headers=patient, timeout=5).ok for url in reads.values()
            ),
            timeout=5,
            interval=0.1,
            what="every API service reads again after PostgreSQL is back",
        )
        recovered_in = time.monotonic() - back
        assert recovered and recovered_in <= 5, f"read again after {recovered_in:.1f}s"
        key, slot = str(uuid.uuid4()), clinic.take_slot()
        tries: list[Answer] = []
        wait_until(
            lambda: tries.append(book(stack, http, patient, slot, key)) or tries[-1].status == 201,
            timeout=10,
            interval=0.5,
            what="a booking after PostgreSQL is back",
        )
        unclear = [
            a for a in tries if a.status not in (201, 503) or a.status == 503 and not proper_503(a)
        ]
        assert not unclear, describe(tries, unexpected=unclear)
        reconcile(stack)
        assert_no_orphans(stack, http, clinic.doctor_id, clinic.doctor)


# -- d. Redis stopped ----------------------------------------------------------------------------


def test_redis_stopped_mid_run_sign_in_goes_on_and_failures_are_still_throttled(
    stack, redis_server
):
    """Redis stopped: sign-in keeps answering 200, wrong passwords still reach 429, the portal
    signs people in; Redis started again: sign-in still works and the cache is Redis again.
    """
    email, victim = unique_email("infra-redis"), unique_email("infra-victim")
    with requests.Session() as http:
        for address in (email, victim):
            register(stack, http, email=address, role="patient", full_name="Red Is")
        probe = sign_in_answer(stack, http, unique_email("nobody"), "no-such-account-here")
    assert probe.status == 401, probe
    assert redis_server.key_count() > 0, "auth_service does not count sign-in failures in Redis"

    def sign_in_once(session, _index):
        return sign_in_answer(stack, session, email, PASSWORD)

    with Load(2, sign_in_once, pace=0.2) as load:
        load.wait_for(lambda answers: len(answers) >= 4, timeout=10, what="4 sign-ins")
        redis_server.stop()
        stopped = time.monotonic()
        wrong = wrong_passwords_until_429(stack, victim)
        assert_portal_signs_in(stack, email)
        # Past CACHE_RETRY_SECONDS, so that a retry of the dead Redis happens during the outage.
        load.wait_for(
            lambda answers: (
                sum(a.started > stopped for a in answers) >= 6
                and time.monotonic() - stopped > CACHE_RETRY_SECONDS + 1
            ),
            timeout=20,
            what="sign-ins during the outage",
        )
        redis_server.start()
        restarted = time.monotonic()
        load.wait_for(
            lambda answers: (
                sum(a.started > restarted + CACHE_RETRY_SECONDS + 1 for a in answers) >= 4
            ),
            timeout=20,
            what="sign-ins once Redis is tried again",
        )
        back_in_redis = wait_until(
            redis_server.key_count, timeout=CACHE_RETRY_SECONDS + 5, what="keys in Redis again"
        )
    answers = load.answers
    failed = [a for a in answers if a.status != 200]
    assert not failed, describe(answers, unexpected=failed)
    assert sum(stopped < a.started and a.ended < restarted for a in answers) >= 4, describe(answers)
    assert_throttled_in_time(wrong)
    assert back_in_redis


# -- e. Redis at a dead address ----------------------------------------------------------------


def test_auth_service_with_redis_at_a_dead_port_signs_in_and_throttles(stack, redis_server):
    """auth_service started with CACHE_URL at a port nobody listens on: sign-in works, 429 comes."""
    email, victim = unique_email("infra-dead"), unique_email("infra-dead-victim")
    with requests.Session() as http:
        for address in (email, victim):
            register(stack, http, email=address, role="patient", full_name="Dead Port")
    # Stack.env puts cache_url last, over extra_env: the dead address goes there.
    stack.cache_url = f"redis://127.0.0.1:{free_port()}/0"
    stack.stop_service("auth_service")
    try:
        stack.start_service("auth_service")
        with requests.Session() as http:
            signed_in = [sign_in_answer(stack, http, email, PASSWORD) for _ in range(3)]
        wrong = wrong_passwords_until_429(stack, victim)
    finally:
        stack.cache_url = redis_server.url
        stack.stop_service("auth_service")
        stack.start_service("auth_service")
    assert [a.status for a in signed_in] == [200, 200, 200], describe(signed_in)
    assert_throttled_in_time(wrong)
    with requests.Session() as http:
        sign_in(stack, http, email)


# -- f. auth_service stopped -------------------------------------------------------------------


def test_auth_service_down_reads_go_on_bookings_last_while_the_service_token_does(stack, clinic):
    """auth_service stopped: people's tokens are still verified (cached keys), bookings go on
    while the caller's service token is valid and then answer 503 (never 500); the portal's
    sign-in and registration answer 503; auth_service back, a booking succeeds within 10 s.

    Service tokens live SERVICE_TOKEN_SECONDS (45 s) and are renewed once less
    than 30 s is left, so right after the warm-up every worker's token has
    about 30 s or more to go: bookings must go on for at least 20 s after the
    stop, and fail (503) within 50 s.
    """
    patients = clinic.patients(2)
    urls = read_urls(stack, clinic)
    del urls["auth me"]  # auth_service's own
    warm_up(stack, patients, urls, clinic)
    stack.stop_service("auth_service")
    stopped = time.monotonic()
    reads: list[Answer] = []
    bookings: list[Answer] = []
    try:
        with requests.Session() as http:

            def read_all() -> None:
                reads.extend(
                    call(http, "GET", url, label=label, headers=patients[0])
                    for label, url in urls.items()
                )

            read_all()
            bookings.append(book(stack, http, patients[0], clinic.take_slot()))
            with requests.Session() as browser:
                portal = portal_sign_in(stack, browser, unique_email("nobody"))
            registration = portal_register(stack)
            while bookings[-1].status == 201 and time.monotonic() - stopped < 50:
                time.sleep(2)  # the pace of the poll: a booking every 2 s
                read_all()
                bookings.append(book(stack, http, patients[1], clinic.take_slot()))
    finally:
        stack.start_service("auth_service")
    started = time.monotonic()
    after: list[Answer] = []
    with requests.Session() as http:
        key, slot = str(uuid.uuid4()), clinic.take_slot()
        while time.monotonic() - started < 10:
            after.append(book(stack, http, patients[0], slot, key))
            if after[-1].status == 201:
                break
            time.sleep(0.5)
        summary = describe(reads + bookings + after)
        failed_at = bookings[-1].started - stopped
        bad_reads = [a for a in reads if a.status != 200]
        assert not bad_reads, describe(reads, unexpected=bad_reads)
        assert {a.status for a in bookings[:-1]} == {201}, summary
        assert proper_503(bookings[-1]), describe(bookings, unexpected=bookings[-1:])
        assert 20 <= failed_at <= 50, f"the first 503 came {failed_at:.0f}s after the stop"
        assert portal.status == 503, portal
        assert registration.status == 503, registration
        assert after[-1].status == 201, describe(after, unexpected=after[-1:])
        assert all(a.status in (201, 503) for a in after), describe(after)
        assert_no_orphans(stack, http, clinic.doctor_id, clinic.doctor)
