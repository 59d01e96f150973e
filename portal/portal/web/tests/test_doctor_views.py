"""The doctors' pages, with every service faked at the HTTP boundary by one real stub server.

Doctors sign in through the real ``/sign-in`` view (the stub answers the token and
profile calls); their profile time zone is Europe/Berlin, so times on the pages
are Berlin wall times (UTC+1 in winter). Fixed dates lie in 2030 so that their
words do not depend on the day the tests run.
"""

from __future__ import annotations

import datetime
import json
import re
import uuid
from collections import Counter
from typing import Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from common.http import default_token_provider
from common.testing import StubServer, user_token
from portal.web import clients, timefmt
from portal.web.views.doctor import policy as policy_views
from portal.web.views.doctor import time_off as time_off_views

pytestmark = pytest.mark.django_db

ZONE = "Europe/Berlin"
BERLIN = ZoneInfo(ZONE)
UTC = datetime.UTC
DOCTOR_ID = uuid.UUID("0b8f5a7e-3c1d-4a8e-9f6b-2d4c6e8a0b1c")
PATIENT_ID = uuid.UUID("5e1c9d2a-7b3f-4c6d-8e9a-1b2c3d4e5f60")
OTHER_PATIENT_ID = uuid.UUID("9a1f3c5e-2b90-4c2b-8e9a-417d1f3c5e2b")
MONDAY = datetime.date(2030, 1, 7)  # winter: Berlin is UTC+1

APPOINTMENTS = "/api/v1/appointments/"
PROFILES = "/internal/v1/profiles/"
RULES = "/api/v1/availability/"
TIME_OFF = "/api/v1/time-off/"
POLICY = "/api/v1/policy/"
SLOTS = f"/api/v1/doctors/{DOCTOR_ID}/slots/"


# The stub services


class FakeServiceTokens:
    """The portal's service-token provider in these tests: a fixed token, no auth_service."""

    def get_token(self, audience: str) -> str:
        return "portal-service-token"

    def invalidate(self, audience: str) -> None:
        pass


def _forget_clients() -> None:
    clients._client.cache_clear()
    clients._service_client.cache_clear()
    default_token_provider.cache_clear()


@pytest.fixture(scope="module")
def shared_stub() -> StubServer:
    """One stub server for the module: stopping a server takes half a second."""
    server = StubServer()
    yield server
    server.stop()


def _point_at(url: str, settings) -> None:
    settings.SERVICE_URLS = dict.fromkeys(("auth", "user", "schedule", "appointment"), url)
    _forget_clients()


@pytest.fixture
def stub(shared_stub: StubServer, settings) -> StubServer:
    """Every service URL points at the stub, which starts with no routes and no requests."""
    shared_stub.routes.clear()
    _forget_requests(shared_stub)
    settings.SERVICE_TOKEN_PROVIDER = f"{__name__}.FakeServiceTokens"
    _point_at(shared_stub.url, settings)
    yield shared_stub
    _forget_clients()


@pytest.fixture
def services_down(stub_server: StubServer, settings) -> None:
    """Every service URL points at a stub server that has stopped."""
    stub_server.stop()
    _point_at(stub_server.url, settings)


def _forget_requests(stub: StubServer) -> None:
    stub.requests.clear()
    stub.queries.clear()


def _sign_in(
    stub: StubServer, role: str, person_id: uuid.UUID, client: Client | None = None
) -> Client:
    client = client or Client()
    stub.route(
        "POST",
        "/api/v1/auth/token",
        json={"access": user_token(person_id, role), "refresh": f"refresh-{uuid.uuid4().hex}"},
    )
    stub.route(
        "GET",
        "/api/v1/profiles/me/",
        json={
            "full_name": "Dr Grace Hopper" if role == "doctor" else "Ada Lovelace",
            "timezone": ZONE if role == "doctor" else None,
        },
    )
    response = client.post(
        "/sign-in", {"email": f"{role}@example.com", "password": "a long secret"}
    )
    assert response.status_code == 302
    _forget_requests(stub)
    return client


@pytest.fixture
def doctor(stub: StubServer) -> Client:
    return _sign_in(stub, "doctor", DOCTOR_ID)


@pytest.fixture
def patient(stub: StubServer) -> Client:
    return _sign_in(stub, "patient", PATIENT_ID)


def service_of(path: str) -> str:
    if path.startswith("/api/v1/appointments"):
        return "appointment"
    if path.startswith(("/internal/v1/profiles", "/api/v1/profiles")):
        return "user"
    if path.startswith("/api/v1/auth"):
        return "auth"
    return "schedule"


def calls(stub: StubServer) -> Counter:
    """How many requests each service received."""
    return Counter(service_of(path) for _, path, _, _ in stub.requests)


def sent(stub: StubServer, method: str, path: str) -> list[tuple[dict[str, str], Any]]:
    """(query parameters, JSON body) of each request ``method path``."""
    out = []
    for (m, p, _, body), query in zip(stub.requests, stub.queries, strict=True):
        if (m, p) == (method, path):
            params = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
            out.append((params, json.loads(body) if body else None))
    return out


# Answers shaped like the services'


def iso(value: datetime.datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def berlin(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=BERLIN)


def paginated(
    results: list[Any], *, next_url: str | None = None, previous_url: str | None = None
) -> dict:
    return {"count": len(results), "next": next_url, "previous": previous_url, "results": results}


def appointment_body(
    start: datetime.datetime,
    *,
    appointment_id: uuid.UUID | None = None,
    patient_id: uuid.UUID = PATIENT_ID,
    status: str = "upcoming",
    outcome: str | None = None,
    reason: str = "Chest pain when climbing stairs",
) -> dict[str, Any]:
    return {
        "id": str(appointment_id or uuid.uuid4()),
        "patient_id": str(patient_id),
        "doctor_id": str(DOCTOR_ID),
        "slot_id": str(uuid.uuid4()),
        "start": iso(start),
        "end": iso(start + datetime.timedelta(minutes=30)),
        "status": status,
        "outcome": outcome,
        "reason": reason,
        "cancel_reason": "",
        "late_cancellation": False,
        "reschedule_count": 0,
        "cancel_cutoff_hours": 24,
        "reschedule_cutoff_hours": 12,
        "created_at": "2026-11-20T18:04:11Z",
        "updated_at": "2026-11-20T18:04:12Z",
    }


def profile_body(user_id: uuid.UUID, full_name: str) -> dict[str, Any]:
    return {
        "user_id": str(user_id),
        "role": "patient",
        "full_name": full_name,
        "timezone": None,
        "specialty": None,
    }


def rule_body(
    rule_id: int = 7,
    *,
    weekday: int = 0,
    start: str = "09:00",
    end: str = "12:00",
    minutes: int = 30,
    valid_from: str | None = None,
    valid_until: str | None = None,
) -> dict[str, Any]:
    return {
        "id": rule_id,
        "weekday": weekday,
        "start_time": start,
        "end_time": end,
        "slot_minutes": minutes,
        "valid_from": valid_from,
        "valid_until": valid_until,
        "timezone": ZONE,
    }


def time_off_body(
    start: datetime.datetime,
    end: datetime.datetime,
    *,
    time_off_id: int = 3,
    reason: str = "",
    held: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    body = {
        "id": time_off_id,
        "start": iso(start),
        "end": iso(end),
        "reason": reason,
        "created_at": "2026-11-20T10:00:00Z",
    }
    if held is not None:
        body["overlapping_held_slots"] = held
    return body


def policy_body(**changes: int) -> dict[str, Any]:
    return {
        "doctor_id": str(DOCTOR_ID),
        "timezone": ZONE,
        "min_notice_minutes": 60,
        "horizon_days": 90,
        "buffer_minutes": 10,
        "cancel_cutoff_hours": 24,
        "reschedule_cutoff_hours": 12,
        "updated_at": "2026-11-20T10:00:00Z",
        **changes,
    }


def slot_body(start: datetime.datetime, *, appointment_id: uuid.UUID | None = None) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "doctor_id": str(DOCTOR_ID),
        "start": iso(start),
        "end": iso(start + datetime.timedelta(minutes=30)),
        "held": appointment_id is not None,
        "appointment_id": str(appointment_id) if appointment_id else None,
    }


def problem_body(status: int, code: str, errors: list[dict[str, str]] | None = None) -> dict:
    body: dict[str, Any] = {
        "type": f"https://clinic.example/problems/{code}",
        "title": code,
        "status": status,
        "detail": code,
        "code": code,
    }
    if errors:
        body["errors"] = errors
    return body


# Reading pages


def text(response) -> str:
    return response.content.decode()


def title(response) -> str:
    match = re.search(r"<title>(.*?)</title>", text(response), re.S)
    assert match
    return " ".join(match.group(1).split())


def h1_count(response) -> int:
    return len(re.findall(r"<h1[ >]", text(response)))


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def today_in_berlin() -> datetime.date:
    return datetime.datetime.now(BERLIN).date()


# My day


def _day_routes(stub: StubServer, appointments: list[dict], names: dict[uuid.UUID, str]) -> None:
    stub.route("GET", APPOINTMENTS, json=paginated(appointments))
    stub.route(
        "GET",
        PROFILES,
        json=paginated([profile_body(pid, name) for pid, name in names.items()]),
    )


def test_day_shows_the_days_appointments_with_names_and_marking(doctor, stub):
    now = datetime.datetime.now(UTC)
    started = appointment_body(now - datetime.timedelta(minutes=10))
    later = appointment_body(now + datetime.timedelta(hours=2), patient_id=OTHER_PATIENT_ID)
    missed = appointment_body(
        now - datetime.timedelta(hours=3), status="completed", outcome="no_show"
    )
    cancelled = appointment_body(now + datetime.timedelta(hours=4), status="cancelled")
    _day_routes(
        stub,
        [started, later, missed, cancelled],
        {PATIENT_ID: "Jane Smith", OTHER_PATIENT_ID: "Tom Jones"},
    )

    response = doctor.get("/doctor/day", {"date": MONDAY.isoformat()})

    assert response.status_code == 200
    page = text(response)
    assert title(response).startswith("My day: Monday 7 January 2030 – ")
    assert "<h1>Monday 7 January 2030</h1>" in page
    assert h1_count(response) == 1
    assert "3 appointments (1 more cancelled)." in page
    assert "Jane Smith" in page and "Tom Jones" in page
    assert "Chest pain when climbing stairs" in page
    assert f'action="/doctor/appointments/{started["id"]}/complete"' in page
    assert 'name="outcome" value="completed"' in page
    assert 'name="outcome" value="no_show"' in page
    assert '<input type="hidden" name="next" value="/doctor/day?date=2030-01-07">' in page
    assert page.count("Mark as completed<span") == 1
    assert "You can mark it once it has started." in page
    assert ">No-show</strong>" in page
    assert "Mark as completed instead" in page  # a no-show can be corrected
    assert 'href="?date=2030-01-06">Previous day<span class="vh">: Sunday 6 January 2030' in page
    assert 'href="?date=2030-01-08">Next day<span class="vh">: Tuesday 8 January 2030' in page
    assert '<a href="/doctor/day" aria-current="page">My day</a>' in page


def test_day_asks_for_the_local_day_in_one_call_to_each_service(doctor, stub):
    _day_routes(stub, [appointment_body(berlin(MONDAY, 9))], {PATIENT_ID: "Jane Smith"})

    doctor.get("/doctor/day", {"date": MONDAY.isoformat()})

    assert calls(stub) == Counter({"appointment": 1, "user": 1})
    ((params, _),) = sent(stub, "GET", APPOINTMENTS)
    assert params == {
        "from": "2030-01-06T23:00:00+00:00",
        "to": "2030-01-07T23:00:00+00:00",
        "page": "1",
        "page_size": "100",
    }
    ((names, _),) = sent(stub, "GET", PROFILES)
    assert names["ids"] == str(PATIENT_ID)
    assert stub.requests[-1][2]["Authorization"] == "Bearer portal-service-token"


def test_day_shows_times_in_the_doctors_zone(doctor, stub):
    _day_routes(stub, [appointment_body(berlin(MONDAY, 9))], {PATIENT_ID: "Jane Smith"})

    page = text(doctor.get("/doctor/day", {"date": MONDAY.isoformat()}))

    assert "9am to 9:30am" in page
    assert "Times are in Berlin time (UTC+1)." in page


@pytest.mark.parametrize("value", [None, "not-a-date", "2030-02-30", "0001-01-01"])
def test_day_defaults_to_today_in_the_doctors_zone(doctor, stub, value):
    _day_routes(stub, [], {})
    today = today_in_berlin()

    response = doctor.get("/doctor/day", {"date": value} if value else {})

    assert response.status_code == 200
    assert f"<h1>{timefmt.date_label(today)}</h1>" in text(response)
    assert "No appointments on this day." in text(response)
    ((params, _),) = sent(stub, "GET", APPOINTMENTS)
    start, end = timefmt.day_bounds(today, ZONE)
    assert (params["from"], params["to"]) == (start.isoformat(), end.isoformat())


def test_empty_day_says_so_and_links_coming_appointments(doctor, stub):
    _day_routes(stub, [], {})

    response = doctor.get("/doctor/day", {"date": MONDAY.isoformat()})

    page = text(response)
    assert "No appointments on this day." in page
    assert '<a href="/doctor/appointments">See your coming appointments</a>' in page
    assert 'href="/doctor/day">Today</a>' in page
    assert calls(stub) == Counter({"appointment": 1})  # no names to look up


def test_day_escapes_what_people_typed(doctor, stub):
    _day_routes(
        stub,
        [appointment_body(berlin(MONDAY, 9), reason="<script>alert('reason')</script>")],
        {PATIENT_ID: "<b>Jane</b> Smith"},
    )

    page = text(doctor.get("/doctor/day", {"date": MONDAY.isoformat()}))

    assert "<script>alert(" not in page
    assert "&lt;script&gt;alert(&#x27;reason&#x27;)&lt;/script&gt;" in page
    assert "<b>Jane</b>" not in page
    assert "&lt;b&gt;Jane&lt;/b&gt; Smith" in page


def test_day_with_more_than_a_page_says_so(doctor, stub):
    stub.route(
        "GET",
        APPOINTMENTS,
        json=paginated([appointment_body(berlin(MONDAY, 9))], next_url="http://x/?page=2"),
    )
    stub.route("GET", PROFILES, json=paginated([]))

    page = text(doctor.get("/doctor/day", {"date": MONDAY.isoformat()}))

    assert "Only the first 1 appointments of this day are shown." in page
    assert ">Patient</p>" in page  # a profile that is missing


# Coming appointments


def test_coming_appointments_are_grouped_by_day(doctor, stub):
    tuesday = MONDAY + datetime.timedelta(days=1)
    first = appointment_body(berlin(MONDAY, 9))
    second = appointment_body(berlin(MONDAY, 14, 30), patient_id=OTHER_PATIENT_ID)
    third = appointment_body(berlin(tuesday, 0, 30))  # 23:30 UTC on Monday
    stub.route(
        "GET",
        APPOINTMENTS,
        json={
            **paginated(
                [first, second, third], next_url="http://x/?page=3", previous_url="http://x/"
            ),
            "count": 45,
        },
    )
    stub.route(
        "GET",
        PROFILES,
        json=paginated(
            [profile_body(PATIENT_ID, "Jane Smith"), profile_body(OTHER_PATIENT_ID, "Tom Jones")]
        ),
    )

    response = doctor.get("/doctor/appointments", {"page": "2"})

    assert response.status_code == 200
    page = text(response)
    assert title(response).startswith("Coming appointments (page 2) – ")
    assert h1_count(response) == 1
    assert "45 upcoming appointments." in page
    headings = re.findall(r"<h2 id=\"[0-9-]+-h\">(.*?)</h2>", page)
    assert headings == ["Monday 7 January 2030", "Tuesday 8 January 2030"]
    assert page.index("2:30pm to 3pm") < page.index("Tuesday 8 January 2030</h2>")
    assert "12:30am to 1am" in page
    assert f'href="/appointments/{first["id"]}"' in page
    assert "Jane Smith" in page and "Tom Jones" in page
    assert 'href="/doctor/day?date=2030-01-08">Open this day' in page
    assert 'href="?page=1#results">Previous page</a>' in page
    assert 'href="?page=3#results">Next page</a>' in page
    assert '<a href="/doctor/appointments" aria-current="page">' in page
    assert calls(stub) == Counter({"appointment": 1, "user": 1})
    ((params, _),) = sent(stub, "GET", APPOINTMENTS)
    assert params == {"status": "upcoming", "page": "2", "page_size": "20"}


def test_no_coming_appointments(doctor, stub):
    stub.route("GET", APPOINTMENTS, json=paginated([]))

    response = doctor.get("/doctor/appointments", {"page": "nonsense"})

    assert response.status_code == 200
    assert "No upcoming appointments." in text(response)
    assert sent(stub, "GET", APPOINTMENTS)[0][0]["page"] == "1"


def test_a_page_past_the_end_is_not_found(doctor, stub):
    stub.route("GET", APPOINTMENTS, status=404, json=problem_body(404, "not-found"))

    response = doctor.get("/doctor/appointments", {"page": "9"})

    assert response.status_code == 404
    assert "Page not found" in text(response)


# Marking an appointment


def _complete_path(appointment_id: uuid.UUID) -> str:
    return f"/api/v1/appointments/{appointment_id}/complete"


@pytest.mark.parametrize(
    ("outcome", "words"), [("completed", "as completed."), ("no_show", "as a no-show.")]
)
def test_marking_says_whose_appointment_and_goes_to_its_day(doctor, stub, outcome, words):
    appointment_id = uuid.uuid4()
    stub.route(
        "POST",
        _complete_path(appointment_id),
        json=appointment_body(
            berlin(MONDAY, 9), appointment_id=appointment_id, status="completed", outcome=outcome
        ),
    )
    stub.route("GET", PROFILES, json=paginated([profile_body(PATIENT_ID, "Jane Smith")]))

    response = doctor.post(f"/doctor/appointments/{appointment_id}/complete", {"outcome": outcome})

    assert response.status_code == 302
    assert response["Location"] == "/doctor/day?date=2030-01-07"
    assert messages_of(response) == [f"Marked Jane Smith's 9am appointment {words}"]
    assert sent(stub, "POST", _complete_path(appointment_id))[0][1] == {"outcome": outcome}
    assert calls(stub) == Counter({"appointment": 1, "user": 1})


@pytest.mark.parametrize(
    ("next_url", "location"),
    [
        ("/doctor/day?date=2030-01-06", "/doctor/day?date=2030-01-06"),
        ("https://evil.example/phish", "/doctor/day?date=2030-01-07"),
        ("//evil.example/phish", "/doctor/day?date=2030-01-07"),
    ],
)
def test_marking_goes_back_only_to_a_page_of_ours(doctor, stub, next_url, location):
    appointment_id = uuid.uuid4()
    stub.route(
        "POST",
        _complete_path(appointment_id),
        json=appointment_body(berlin(MONDAY, 9), appointment_id=appointment_id, status="completed"),
    )
    stub.route("GET", PROFILES, json=paginated([profile_body(PATIENT_ID, "Jane Smith")]))

    response = doctor.post(
        f"/doctor/appointments/{appointment_id}/complete",
        {"outcome": "completed", "next": next_url},
    )

    assert response["Location"] == location


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("appointment-not-started", "You can mark an appointment only once it has started."),
        ("appointment-cancelled", "This appointment was cancelled, so it cannot be marked."),
    ],
)
def test_a_refused_mark_says_why_on_the_page_it_came_from(doctor, stub, code, message):
    appointment_id = uuid.uuid4()
    stub.route("POST", _complete_path(appointment_id), status=409, json=problem_body(409, code))
    _day_routes(stub, [], {})

    response = doctor.post(
        f"/doctor/appointments/{appointment_id}/complete",
        {"outcome": "completed", "next": "/doctor/day?date=2030-01-07"},
        follow=True,
    )

    assert response.redirect_chain == [("/doctor/day?date=2030-01-07", 302)]
    page = text(response)
    assert f'<div class="banner banner--error" role="alert">\n            <p>{message}</p>' in page


def test_marking_an_unknown_appointment_is_not_found(doctor, stub):
    appointment_id = uuid.uuid4()
    stub.route(
        "POST",
        _complete_path(appointment_id),
        status=404,
        json=problem_body(404, "appointment-not-found"),
    )

    response = doctor.post(
        f"/doctor/appointments/{appointment_id}/complete", {"outcome": "no_show"}
    )

    assert response.status_code == 404


def test_marking_with_no_outcome_sends_nothing(doctor, stub):
    response = doctor.post(
        f"/doctor/appointments/{uuid.uuid4()}/complete", {"outcome": "maybe", "next": "/doctor/day"}
    )

    assert response["Location"] == "/doctor/day"
    assert messages_of(response) == ["Choose whether the appointment was completed or a no-show."]
    assert stub.requests == []


def test_a_missing_name_does_not_undo_a_successful_mark(doctor, stub):
    appointment_id = uuid.uuid4()
    stub.route(
        "POST",
        _complete_path(appointment_id),
        json=appointment_body(
            berlin(MONDAY, 14), appointment_id=appointment_id, status="completed"
        ),
    )
    stub.route("GET", PROFILES, status=503, json=problem_body(503, "unavailable"))

    response = doctor.post(
        f"/doctor/appointments/{appointment_id}/complete", {"outcome": "completed"}
    )

    assert response.status_code == 302
    assert messages_of(response) == ["Marked the patient's 2pm appointment as completed."]


def test_marking_is_post_only(doctor, stub):
    assert doctor.get(f"/doctor/appointments/{uuid.uuid4()}/complete").status_code == 405


# Weekly hours


def test_weekly_hours_are_listed_by_weekday(doctor, stub):
    stub.route(
        "GET",
        RULES,
        json=paginated(
            [
                rule_body(9, weekday=0, start="13:00", end="17:30", minutes=20),
                rule_body(7, valid_from="2030-01-01", valid_until="2030-06-30"),
                rule_body(8, weekday=2, start="08:00", end="12:00", valid_until="2026-06-30"),
            ]
        ),
    )

    response = doctor.get("/doctor/availability")

    assert response.status_code == 200
    page = text(response)
    assert title(response).startswith("Weekly hours – ")
    assert h1_count(response) == 1
    assert "9am to midday, 30-minute appointments, from 1 January 2030 until 30 June 2030" in page
    assert "1pm to 5:30pm, 20-minute appointments" in page
    assert "8am to midday, 30-minute appointments, ended 30 June 2026" in page
    assert page.index("9am to midday") < page.index("1pm to 5:30pm") < page.index("8am to midday")
    assert (
        '<a href="/doctor/availability/7">Change<span class="vh"> Monday 9am to midday</span></a>'
        in page
    )
    assert (
        '<a href="/doctor/availability/7/remove">Remove<span class="vh"> Monday 9am to midday'
        in page
    )
    assert "<dt>Tuesday</dt>" in page and "No hours" in page
    assert "Save hours</button>" in page
    assert '<a href="/doctor/availability" aria-current="page">' in page
    assert calls(stub) == Counter({"schedule": 1})


def test_no_weekly_hours_yet(doctor, stub):
    stub.route("GET", RULES, json=paginated([]))

    page = text(doctor.get("/doctor/availability"))

    assert "Patients cannot book you until you add hours." in page
    assert "<dt>Monday</dt>" not in page


RULE_FORM = {
    "weekday": "0",
    "start_time": "09:00",
    "end_time": "17:00",
    "slot_minutes": "30",
    "valid_from": "",
    "valid_until": "",
}


def test_adding_hours_saves_them_and_says_which(doctor, stub):
    stub.route("POST", RULES, status=201, json=rule_body(12, start="09:00", end="17:00"))

    response = doctor.post("/doctor/availability", RULE_FORM)

    assert response.status_code == 302
    assert response["Location"] == "/doctor/availability"
    assert messages_of(response) == ["Hours added: Monday 9am to 5pm."]
    ((_, body),) = sent(stub, "POST", RULES)
    assert body == {
        "weekday": 0,
        "start_time": "09:00",
        "end_time": "17:00",
        "slot_minutes": 30,
        "valid_from": None,
        "valid_until": None,
    }


def test_hours_the_form_refuses_are_not_sent(doctor, stub):
    stub.route("GET", RULES, json=paginated([]))

    response = doctor.post(
        "/doctor/availability",
        {**RULE_FORM, "end_time": "08:00", "valid_from": "2030-02-01", "valid_until": "2030-01-01"},
    )

    assert response.status_code == 400
    page = text(response)
    assert title(response).startswith("Error: Weekly hours")
    assert '<a href="#id_end_time">End time must be after the start time</a>' in page
    assert "The last date must be on or after the first date" in page
    assert sent(stub, "POST", RULES) == []


def test_overlapping_hours_name_the_hours_they_overlap(doctor, stub):
    stub.route(
        "POST",
        RULES,
        status=400,
        json=problem_body(
            400,
            "rule-overlap",
            [{"field": "start_time", "code": "rule-overlap", "detail": "It overlaps rule 7."}],
        ),
    )
    stub.route(
        "GET",
        RULES,
        json=paginated([rule_body(6, weekday=1), rule_body(7, valid_until="2031-01-01")]),
    )

    response = doctor.post("/doctor/availability", {**RULE_FORM, "start_time": "11:00"})

    assert response.status_code == 400
    page = text(response)
    message = (
        "These hours overlap Monday 9am to midday. Change the times or remove the other hours."
    )
    assert f'<a href="#id_start_time">{message}</a>' in page
    assert f'<span class="vh">Error:</span> {message}' in page
    assert 'value="11:00"' in page  # what was typed stays


def test_an_overlap_not_in_the_list_gets_the_general_words(doctor, stub):
    stub.route(
        "POST",
        RULES,
        status=400,
        json=problem_body(
            400, "rule-overlap", [{"field": "start_time", "code": "rule-overlap", "detail": "x"}]
        ),
    )
    stub.route(
        "GET", RULES, json=paginated([rule_body(7, valid_until="2029-12-31")])
    )  # dates do not meet

    response = doctor.post("/doctor/availability", {**RULE_FORM, "valid_from": "2030-01-01"})

    assert "These hours overlap hours you already have on this day." in text(response)


def test_too_many_hours_and_other_field_problems_go_next_to_their_fields(doctor, stub):
    stub.route(
        "POST",
        RULES,
        status=400,
        json=problem_body(
            400,
            "invalid",
            [
                {"field": "weekday", "code": "too-many-rules", "detail": "x"},
                {"field": "start_time", "code": "whole-minutes", "detail": "Use whole minutes."},
            ],
        ),
    )
    stub.route("GET", RULES, json=paginated([]))

    page = text(doctor.post("/doctor/availability", RULE_FORM))

    assert '<a href="#id_weekday">You have as many sets of hours as allowed.' in page
    assert '<a href="#id_start_time">Use whole minutes.</a>' in page


def test_a_doctor_without_a_profile_is_told_why(doctor, stub):
    stub.route("GET", RULES, status=409, json=problem_body(409, "doctor-profile-missing"))

    response = doctor.get("/doctor/availability")

    assert response.status_code == 409
    assert "Your doctor profile could not be found" in text(response)
    assert h1_count(response) == 1


def test_a_forbidden_answer_is_not_found(doctor, stub):
    stub.route("GET", TIME_OFF, status=403, json=problem_body(403, "permission-denied"))

    assert doctor.get("/doctor/time-off").status_code == 404


def test_a_refused_add_without_field_errors_goes_in_the_summary(doctor, stub):
    stub.route("POST", RULES, status=409, json=problem_body(409, "doctor-profile-missing"))
    stub.route("GET", RULES, json=paginated([]))

    response = doctor.post("/doctor/availability", RULE_FORM)

    assert response.status_code == 409
    assert "<li>Your doctor profile could not be found" in text(response)


def test_a_form_kept_when_the_sign_in_ended_is_filled_in_again(doctor, stub):
    stub.route("POST", RULES, status=401, json=problem_body(401, "not-authenticated"))
    stub.route("POST", "/api/v1/auth/token/refresh", status=401, json={})

    response = doctor.post("/doctor/availability", {**RULE_FORM, "start_time": "07:15"})

    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in?next=%2Fdoctor%2Favailability")
    _sign_in(stub, "doctor", DOCTOR_ID, client=doctor)
    stub.route("GET", RULES, json=paginated([]))
    assert 'value="07:15"' in text(doctor.get("/doctor/availability"))


# Changing and removing hours


def test_changing_hours_starts_from_what_they_are(doctor, stub):
    stub.route("GET", f"{RULES}7/", json=rule_body(7, minutes=25, valid_from="2030-01-01"))

    response = doctor.get("/doctor/availability/7")

    assert response.status_code == 200
    page = text(response)
    assert title(response).startswith("Change hours: Monday 9am to midday – ")
    assert h1_count(response) == 1
    assert 'value="09:00"' in page and 'value="12:00"' in page
    assert '<option value="25" selected>25 minutes</option>' in page
    assert 'value="2030-01-01"' in page
    assert "Save hours</button>" in page


def test_changing_unknown_hours_is_not_found(doctor, stub):
    stub.route("GET", f"{RULES}99/", status=404, json=problem_body(404, "rule-not-found"))

    assert doctor.get("/doctor/availability/99").status_code == 404


def test_changed_hours_are_saved(doctor, stub):
    stub.route("PATCH", f"{RULES}7/", json=rule_body(7, start="10:00", end="13:00", minutes=25))

    response = doctor.post(
        "/doctor/availability/7",
        {**RULE_FORM, "start_time": "10:00", "end_time": "13:00", "slot_minutes": "25"},
    )

    assert response.status_code == 302
    assert messages_of(response) == ["Hours changed: Monday 10am to 1pm."]
    ((_, body),) = sent(stub, "PATCH", f"{RULES}7/")
    assert body["start_time"] == "10:00"
    assert body["slot_minutes"] == 25


def test_changed_hours_that_overlap_others_name_them_but_not_themselves(doctor, stub):
    stub.route(
        "PATCH",
        f"{RULES}7/",
        status=400,
        json=problem_body(
            400, "rule-overlap", [{"field": "start_time", "code": "rule-overlap", "detail": "x"}]
        ),
    )
    stub.route(
        "GET",
        RULES,
        json=paginated([rule_body(7), rule_body(8, start="13:00", end="17:00")]),
    )

    response = doctor.post("/doctor/availability/7", {**RULE_FORM, "end_time": "14:00"})

    assert response.status_code == 400
    page = text(response)
    assert "These hours overlap Monday 1pm to 5pm." in page
    assert "<h1>Change hours: Monday 9am to midday</h1>" in page


def test_changing_hours_with_a_mistake_keeps_the_page(doctor, stub):
    stub.route("GET", RULES, json=paginated([rule_body(7)]))

    response = doctor.post("/doctor/availability/7", {**RULE_FORM, "start_time": "nine"})

    assert response.status_code == 400
    assert "Enter a start time like 09:00" in text(response)
    assert sent(stub, "PATCH", f"{RULES}7/") == []


def test_changing_hours_that_were_removed_meanwhile_is_not_found(doctor, stub):
    stub.route("PATCH", f"{RULES}7/", status=404, json=problem_body(404, "rule-not-found"))
    stub.route("GET", RULES, json=paginated([]))

    assert doctor.post("/doctor/availability/7", RULE_FORM).status_code == 404
    assert doctor.post("/doctor/availability/7", {**RULE_FORM, "weekday": ""}).status_code == 404


def test_removing_hours_asks_first(doctor, stub):
    stub.route("GET", f"{RULES}7/", json=rule_body(7))

    response = doctor.get("/doctor/availability/7/remove")

    assert response.status_code == 200
    page = text(response)
    assert "<h1>Remove Monday 9am to midday?</h1>" in page
    assert h1_count(response) == 1
    assert "Appointments already booked in them are kept." in page
    assert 'class="button button--danger" data-prevent-double-click>Yes, remove these hours' in page
    assert '<a href="/doctor/availability">No, keep them</a>' in page
    assert sent(stub, "DELETE", f"{RULES}7/") == []


def test_removing_unknown_hours_is_not_found(doctor, stub):
    stub.route("GET", f"{RULES}99/", status=404, json=problem_body(404, "rule-not-found"))

    assert doctor.get("/doctor/availability/99/remove").status_code == 404


def test_removed_hours_are_deleted(doctor, stub):
    stub.route("DELETE", f"{RULES}7/", status=204)

    response = doctor.post("/doctor/availability/7/remove")

    assert response.status_code == 302
    assert response["Location"] == "/doctor/availability"
    assert messages_of(response) == [
        "Hours removed. Appointments already booked in those hours are kept."
    ]
    assert len(sent(stub, "DELETE", f"{RULES}7/")) == 1


# Time off


def test_time_off_lists_coming_periods_in_words(doctor, stub):
    now = datetime.datetime.now(UTC)
    christmas = datetime.date(2030, 12, 24)
    stub.route(
        "GET",
        TIME_OFF,
        json=paginated(
            [
                time_off_body(
                    now - datetime.timedelta(days=9),
                    now - datetime.timedelta(days=8),
                    time_off_id=1,
                ),
                time_off_body(
                    berlin(christmas, 0),
                    berlin(christmas + datetime.timedelta(days=3), 0),
                    time_off_id=2,
                    reason="<i>Holidays</i>",
                ),
                time_off_body(
                    berlin(datetime.date(2030, 3, 5), 13),
                    berlin(datetime.date(2030, 3, 5), 17),
                    time_off_id=3,
                ),
            ]
        ),
    )

    response = doctor.get("/doctor/time-off")

    assert response.status_code == 200
    page = text(response)
    assert title(response).startswith("Time off – ")
    assert h1_count(response) == 1
    assert "/doctor/time-off/1/remove" not in page  # over already
    assert page.index("5 March 2030, 1pm to 5pm") < page.index("24 to 26 December 2030")
    assert 'action="/doctor/time-off/2/remove"' in page
    assert ">Remove time off from 24 to 26 December 2030</button>" in page
    assert ">Remove time off on 5 March 2030 from 1pm to 5pm</button>" in page
    assert "&lt;i&gt;Holidays&lt;/i&gt;" in page
    assert "Add time off</button>" in page
    assert '<a href="/doctor/time-off" aria-current="page">' in page
    assert calls(stub) == Counter({"schedule": 1})


def test_no_coming_time_off(doctor, stub):
    stub.route("GET", TIME_OFF, json=paginated([]))

    assert "You have no time off coming up." in text(doctor.get("/doctor/time-off"))


def test_adding_time_off_sends_whole_local_days(doctor, stub):
    christmas = datetime.date(2030, 12, 24)
    stub.route(
        "POST",
        TIME_OFF,
        status=201,
        json=time_off_body(
            berlin(christmas, 0), berlin(christmas + datetime.timedelta(days=3), 0), held=[]
        ),
    )

    response = doctor.post(
        "/doctor/time-off",
        {"first_day": "2030-12-24", "last_day": "2030-12-26", "reason": "Holidays"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/doctor/time-off"
    assert messages_of(response) == ["Time off added from 24 to 26 December 2030."]
    ((_, body),) = sent(stub, "POST", TIME_OFF)
    assert body == {
        "start": "2030-12-24T00:00:00+01:00",
        "end": "2030-12-27T00:00:00+01:00",
        "reason": "Holidays",
    }
    assert time_off_views.HELD_KEY not in doctor.session


def test_booked_times_inside_new_time_off_are_listed_once(doctor, stub):
    day = datetime.date(2030, 12, 24)
    appointment_id = uuid.uuid4()
    held = [
        {
            "id": str(uuid.uuid4()),
            "start": iso(berlin(day, 9)),
            "end": iso(berlin(day, 9, 30)),
            "appointment_id": str(appointment_id),
        }
    ]
    stub.route(
        "POST",
        TIME_OFF,
        status=201,
        json=time_off_body(berlin(day, 8), berlin(day, 12), held=held),
    )
    stub.route("GET", TIME_OFF, json=paginated([time_off_body(berlin(day, 8), berlin(day, 12))]))

    response = doctor.post(
        "/doctor/time-off",
        {
            "first_day": "2030-12-24",
            "start_time": "08:00",
            "last_day": "2030-12-24",
            "end_time": "12:00",
        },
        follow=True,
    )

    page = text(response)
    assert "Time off added on 24 December 2030 from 8am to midday." in page
    assert "These booked appointments are inside your time off and are kept:" in page
    assert f'<a href="/appointments/{appointment_id}">Tuesday 24 December 2030 at 9am</a>' in page
    assert "Cancel them if you cannot see the patients." in page
    assert "These booked appointments" not in text(doctor.get("/doctor/time-off"))


def test_unreadable_kept_booked_times_are_left_out(doctor, stub):
    appointment_id = uuid.uuid4()
    session = doctor.session
    session[time_off_views.HELD_KEY] = [
        {"appointment_id": "nope", "start": "never"},
        {},
        {"appointment_id": str(appointment_id), "start": "2030-12-24T08:00:00+00:00"},
    ]
    session.save()
    stub.route("GET", TIME_OFF, json=paginated([]))

    page = text(doctor.get("/doctor/time-off"))

    assert re.findall(r'href="/appointments/([0-9a-f-]+)"', page) == [str(appointment_id)]


@pytest.mark.parametrize(
    ("form", "anchor", "message"),
    [
        (
            {"first_day": "2030-12-26", "last_day": "2030-12-24"},
            "id_last_day",
            "The end of your time off must be after its start",
        ),
        (
            {"first_day": "2020-01-01", "last_day": "2020-01-02"},
            "id_last_day",
            "Time off must end today or later",
        ),
        ({"first_day": "", "last_day": "2030-12-24"}, "id_first_day", "Enter the first day"),
        (
            {"first_day": "2030-13-01", "last_day": "2030-12-24"},
            "id_first_day",
            "Enter a real date",
        ),
    ],
)
def test_time_off_the_form_refuses_is_not_sent(doctor, stub, form, anchor, message):
    stub.route("GET", TIME_OFF, json=paginated([]))

    response = doctor.post("/doctor/time-off", form)

    assert response.status_code == 400
    assert f'<a href="#{anchor}">{message}' in text(response)
    assert sent(stub, "POST", TIME_OFF) == []


def test_time_off_the_api_refuses_shows_next_to_the_field(doctor, stub):
    stub.route(
        "POST",
        TIME_OFF,
        status=400,
        json=problem_body(400, "invalid", [{"field": "end", "code": "invalid", "detail": "x"}]),
    )
    stub.route("GET", TIME_OFF, json=paginated([]))

    response = doctor.post(
        "/doctor/time-off", {"first_day": "2030-12-24", "last_day": "2030-12-24"}
    )

    assert response.status_code == 400
    assert '<a href="#id_last_day">The end must be after the start</a>' in text(response)


def test_removing_time_off(doctor, stub):
    stub.route("DELETE", f"{TIME_OFF}2/", status=204)

    response = doctor.post("/doctor/time-off/2/remove")

    assert response.status_code == 302
    assert response["Location"] == "/doctor/time-off"
    assert messages_of(response) == ["Time off removed. Patients can book those times again."]
    assert len(sent(stub, "DELETE", f"{TIME_OFF}2/")) == 1
    assert doctor.get("/doctor/time-off/2/remove").status_code == 405


@pytest.mark.parametrize(
    ("start", "end", "label", "phrase"),
    [
        ((2030, 12, 24, 0), (2030, 12, 25, 0), "24 December 2030, all day", "on 24 December 2030"),
        (
            (2030, 4, 29, 0),
            (2030, 5, 3, 0),
            "29 April to 2 May 2030",
            "from 29 April to 2 May 2030",
        ),
        (
            (2030, 12, 30, 0),
            (2031, 1, 3, 0),
            "30 December 2030 to 2 January 2031",
            "from 30 December 2030 to 2 January 2031",
        ),
        (
            (2030, 3, 5, 13),
            (2030, 3, 7, 9),
            "5 March 2030 at 1pm to 7 March 2030 at 9am",
            "from 5 March 2030 at 1pm to 7 March 2030 at 9am",
        ),
    ],
)
def test_time_off_words(start, end, label, phrase):
    words = time_off_views.time_off_words(
        datetime.datetime(*start, tzinfo=BERLIN),
        datetime.datetime(*end, tzinfo=BERLIN),
        ZONE,
        this_year=2026,
    )
    assert words == (label, phrase)


def test_time_off_words_leave_out_this_year():
    words = time_off_views.time_off_words(
        datetime.datetime(2030, 12, 24, tzinfo=BERLIN),
        datetime.datetime(2030, 12, 27, tzinfo=BERLIN),
        ZONE,
        this_year=2030,
    )
    assert words == ("24 to 26 December", "from 24 to 26 December")


# Booking rules


def test_booking_rules_start_from_the_saved_ones_with_what_they_mean(doctor, stub):
    stub.route("GET", POLICY, json=policy_body())

    response = doctor.get("/doctor/policy")

    assert response.status_code == 200
    page = text(response)
    assert title(response).startswith("Booking rules – ")
    assert h1_count(response) == 1
    assert "Patients can book from 1 hour to 90 days ahead." in page
    assert "10 minutes is kept free after each appointment." in page
    assert "Cancellations less than 24 hours before the start are recorded as late." in page
    assert "online until 12 hours before it starts." in page
    assert re.search(r'name="min_notice_minutes" value="60"', page)
    assert re.search(r'name="horizon_days" value="90"', page)
    assert "In minutes: how soon before a time" in page
    assert 'aria-describedby="id_horizon_days_helptext"' in page
    assert "Save booking rules</button>" in page
    assert '<a href="/doctor/policy" aria-current="page">' in page
    assert calls(stub) == Counter({"schedule": 1})


def test_booking_rules_with_no_limits_are_described_too():
    sentences = policy_views.policy_sentences(
        clients.Policy(
            timezone=ZONE,
            min_notice_minutes=0,
            horizon_days=1,
            buffer_minutes=0,
            cancel_cutoff_hours=0,
            reschedule_cutoff_hours=1,
        )
    )
    assert sentences == [
        "Patients can book any free time up to 1 day ahead.",
        "Appointments can follow each other with no break.",
        "Cancellations are never recorded as late.",
        "Patients can change the time of an appointment online until 1 hour before it starts.",
    ]


POLICY_FORM = {
    "min_notice_minutes": "1440",
    "horizon_days": "30",
    "buffer_minutes": "0",
    "cancel_cutoff_hours": "48",
    "reschedule_cutoff_hours": "0",
}


def test_saving_booking_rules(doctor, stub):
    stub.route(
        "PATCH",
        POLICY,
        json=policy_body(
            min_notice_minutes=1440,
            horizon_days=30,
            buffer_minutes=0,
            cancel_cutoff_hours=48,
            reschedule_cutoff_hours=0,
        ),
    )

    response = doctor.post("/doctor/policy", POLICY_FORM)

    assert response.status_code == 302
    assert response["Location"] == "/doctor/policy"
    assert messages_of(response) == [
        "Booking rules saved. Patients can book from 1 day to 30 days ahead."
    ]
    ((_, body),) = sent(stub, "PATCH", POLICY)
    assert body == {
        "min_notice_minutes": 1440,
        "horizon_days": 30,
        "buffer_minutes": 0,
        "cancel_cutoff_hours": 48,
        "reschedule_cutoff_hours": 0,
    }


def test_booking_rules_out_of_range_are_not_sent(doctor, stub):
    response = doctor.post(
        "/doctor/policy", {**POLICY_FORM, "horizon_days": "400", "buffer_minutes": "ten"}
    )

    assert response.status_code == 400
    page = text(response)
    assert '<a href="#id_horizon_days">Booking horizon must be 365 days or fewer</a>' in page
    assert "Buffer after each appointment must be a whole number of minutes" in page
    assert stub.requests == []


def test_booking_rules_the_api_refuses_show_next_to_the_field(doctor, stub):
    stub.route(
        "PATCH",
        POLICY,
        status=400,
        json=problem_body(
            400,
            "invalid",
            [
                {
                    "field": "buffer_minutes",
                    "code": "max_value",
                    "detail": "Ensure this value is less than or equal to 240.",
                }
            ],
        ),
    )

    response = doctor.post("/doctor/policy", POLICY_FORM)

    assert response.status_code == 400
    assert (
        '<a href="#id_buffer_minutes">Ensure this value is less than or equal to 240.</a>'
        in text(response)
    )


# My free times


def test_free_times_show_the_week_with_booked_times_labelled(doctor, stub):
    first = timefmt.monday_of(today_in_berlin()) + datetime.timedelta(days=7)
    appointment_id = uuid.uuid4()
    stub.route(
        "GET",
        SLOTS,
        json=paginated(
            [
                slot_body(berlin(first, 9)),
                slot_body(berlin(first, 9, 30), appointment_id=appointment_id),
            ]
        ),
    )

    response = doctor.get("/doctor/slots", {"week": first.isoformat()})

    assert response.status_code == 200
    page = text(response)
    label = timefmt.week_label(first, first + datetime.timedelta(days=6))
    assert title(response).startswith(f"My free times: {label} – ")
    assert f"Your times, {label}</h2>" in page
    assert h1_count(response) == 1
    assert "9am<span" in page
    assert '9:30am<span class="slot__note">Booked</span>' in page
    assert "1 free time</span>" in page
    assert "/book/" not in page  # doctors see times, they do not book them
    assert "You have no hours this week." not in page
    assert '<a href="/doctor/slots" aria-current="page">' in page
    assert calls(stub) == Counter({"schedule": 1})
    ((params, _),) = sent(stub, "GET", SLOTS)
    assert params["include_held"] == "true"
    assert params["from"] == (first - datetime.timedelta(days=1)).isoformat()
    assert params["to"] == (first + datetime.timedelta(days=7)).isoformat()


def test_a_week_without_hours_links_weekly_hours(doctor, stub):
    stub.route("GET", SLOTS, json=paginated([]))

    page = text(doctor.get("/doctor/slots"))

    assert "You have no hours this week." in page
    assert '<a href="/doctor/availability">Set your weekly hours</a>' in page


# Everyone else, and failures


GET_PAGES = [
    "/doctor/day",
    "/doctor/appointments",
    "/doctor/availability",
    "/doctor/availability/7",
    "/doctor/availability/7/remove",
    "/doctor/time-off",
    "/doctor/policy",
    "/doctor/slots",
]
POST_PAGES = [
    f"/doctor/appointments/{uuid.uuid4()}/complete",
    "/doctor/availability",
    "/doctor/availability/7",
    "/doctor/availability/7/remove",
    "/doctor/time-off",
    "/doctor/time-off/2/remove",
    "/doctor/policy",
]


def _every_page_routes(stub: StubServer) -> None:
    stub.route("GET", APPOINTMENTS, json=paginated([appointment_body(berlin(MONDAY, 9))]))
    stub.route("GET", PROFILES, json=paginated([profile_body(PATIENT_ID, "Jane Smith")]))
    stub.route("GET", RULES, json=paginated([rule_body(7)]))
    stub.route("GET", f"{RULES}7/", json=rule_body(7))
    stub.route("GET", TIME_OFF, json=paginated([]))
    stub.route("GET", POLICY, json=policy_body())
    stub.route("GET", SLOTS, json=paginated([]))


def test_every_page_has_one_h1_its_own_title_and_one_call_per_service(doctor, stub):
    _every_page_routes(stub)
    titles = []
    for path in GET_PAGES:
        _forget_requests(stub)
        response = doctor.get(path)
        assert response.status_code == 200, path
        assert h1_count(response) == 1, path
        assert max(calls(stub).values()) == 1, path
        titles.append(title(response))
    assert len(set(titles)) == len(titles)


@pytest.mark.parametrize("path", GET_PAGES)
def test_patients_do_not_find_doctor_pages(patient, stub, path):
    response = patient.get(path)

    assert response.status_code == 404
    assert "Page not found" in text(response)
    assert stub.requests == []


@pytest.mark.parametrize("path", POST_PAGES)
def test_patients_cannot_post_to_doctor_pages(patient, stub, path):
    assert patient.post(path, {"outcome": "completed"}).status_code == 404
    assert stub.requests == []


@pytest.mark.parametrize("path", GET_PAGES)
def test_signing_in_comes_first(client, stub, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in?next=%2Fdoctor%2F")


@pytest.mark.parametrize("path", GET_PAGES)
def test_a_service_answering_503_gives_the_503_page(doctor, stub, path):
    _every_page_routes(stub)
    for method, route in list(stub.routes):
        stub.route(method, route, status=503, json=problem_body(503, "unavailable"))

    response = doctor.get(path)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Sorry, booking is not working right now" in text(response)


@pytest.mark.parametrize("path", GET_PAGES)
def test_a_service_that_is_down_gives_the_503_page(doctor, services_down, path):
    response = doctor.get(path)

    assert response.status_code == 503
    assert "Sorry, booking is not working right now" in text(response)


@pytest.mark.parametrize(
    ("path", "form"),
    [
        (f"/doctor/appointments/{uuid.uuid4()}/complete", {"outcome": "completed"}),
        ("/doctor/availability", RULE_FORM),
        ("/doctor/availability/7", RULE_FORM),
        ("/doctor/availability/7/remove", {}),
        ("/doctor/time-off", {"first_day": "2030-12-24", "last_day": "2030-12-24"}),
        ("/doctor/time-off/2/remove", {}),
        ("/doctor/policy", POLICY_FORM),
    ],
)
def test_a_change_while_a_service_is_down_gives_the_503_page(doctor, services_down, path, form):
    response = doctor.post(path, form)

    assert response.status_code == 503
    assert "What you sent was not saved" in text(response)


# A doctor the clinic has not approved yet

AWAITING = "The clinic has not approved your profile yet"


def _awaiting_doctor(stub: StubServer) -> Client:
    client = Client()
    stub.route(
        "POST",
        "/api/v1/auth/token",
        json={"access": user_token(DOCTOR_ID, "doctor"), "refresh": "refresh-awaiting"},
    )
    stub.route(
        "GET",
        "/api/v1/profiles/me/",
        json={"full_name": "Dr New", "timezone": ZONE, "approved_at": None},
    )
    response = client.post("/sign-in", {"email": "new@example.com", "password": "a long secret"})
    assert response.status_code == 302
    _forget_requests(stub)
    return client


def test_a_doctor_waiting_for_approval_is_told_on_every_page(stub):
    client = _awaiting_doctor(stub)
    _day_routes(stub, [], {})
    stub.route("GET", RULES, json=paginated([]))

    day = text(client.get("/doctor/day"))

    assert AWAITING in day
    assert len(sent(stub, "GET", "/api/v1/profiles/me/")) == 1
    assert AWAITING in text(client.get("/doctor/availability"))


def test_the_approval_is_noticed_on_my_day_and_then_no_longer_asked(stub):
    client = _awaiting_doctor(stub)
    _day_routes(stub, [], {})
    stub.route(
        "GET",
        "/api/v1/profiles/me/",
        json={"full_name": "Dr New", "timezone": ZONE, "approved_at": "2026-12-01T09:00:00Z"},
    )

    first = text(client.get("/doctor/day"))
    _forget_requests(stub)
    second = text(client.get("/doctor/day"))

    assert AWAITING not in first and AWAITING not in second
    assert sent(stub, "GET", "/api/v1/profiles/me/") == []


def test_an_approved_doctor_is_never_asked_again(doctor, stub):
    _day_routes(stub, [], {})

    page = text(doctor.get("/doctor/day"))

    assert AWAITING not in page
    assert sent(stub, "GET", "/api/v1/profiles/me/") == []
