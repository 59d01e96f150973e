"""clients.py against a real HTTP server standing in for schedule_service."""

import datetime
import json
import uuid
from urllib.parse import parse_qs

import jwt
import pytest

from appointment_service.appointments import clients
from appointment_service.appointments.exceptions import (
    DoctorNotBookable,
    SlotHeldByOther,
    SlotNotFound,
    SlotTaken,
    SlotUnavailable,
)
from common.errors import ServiceUnavailable
from common.request_id import set_request_id

SLOT_ID = uuid.uuid4()
DOCTOR_ID = uuid.uuid4()
APPOINTMENT_ID = uuid.uuid4()
SLOT_PATH = f"/internal/v1/slots/{SLOT_ID}/"
RESERVE_PATH = f"/internal/v1/slots/{SLOT_ID}/reserve"
RELEASE_PATH = f"/internal/v1/slots/{SLOT_ID}/release"
HOLDS_PATH = "/internal/v1/holds/"

SLOT_BODY = {
    "id": str(SLOT_ID),
    "doctor_id": str(DOCTOR_ID),
    "start": "2026-12-01T09:00:00Z",
    "end": "2026-12-01T09:30:00Z",
    "held": False,
    "appointment_id": None,
    "bookable": True,
    "cancel_cutoff_hours": 24,
    "reschedule_cutoff_hours": 12,
}
RESERVATION_BODY = {
    "id": str(SLOT_ID),
    "doctor_id": str(DOCTOR_ID),
    "start": "2026-12-01T10:00:00+01:00",
    "end": "2026-12-01T10:30:00+01:00",
    "appointment_id": str(APPOINTMENT_ID),
    "cancel_cutoff_hours": 48,
    "reschedule_cutoff_hours": 6,
}
NINE_UTC = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def schedule_stub(stub_server, settings):
    settings.SCHEDULE_SERVICE_URL = stub_server.url
    settings.SERVICE_HTTP_READ_TIMEOUT = 0.5
    clients._client.cache_clear()
    yield stub_server
    clients._client.cache_clear()


def _claims(request) -> dict:
    token = request[2]["Authorization"].removeprefix("Bearer ")
    return jwt.decode(token, options={"verify_signature": False})


def test_slot_get_sends_a_service_token_and_the_request_id(schedule_stub):
    schedule_stub.route("GET", SLOT_PATH, json=SLOT_BODY)
    set_request_id("req-123")
    try:
        slot = clients.schedule_slot_get(slot_id=SLOT_ID)
    finally:
        set_request_id(None)
    assert slot == clients.Slot(
        id=SLOT_ID,
        doctor_id=DOCTOR_ID,
        start=NINE_UTC,
        end=NINE_UTC + datetime.timedelta(minutes=30),
        held=False,
        appointment_id=None,
        bookable=True,
        cancel_cutoff_hours=24,
        reschedule_cutoff_hours=12,
    )
    request = schedule_stub.requests[0]
    claims = _claims(request)
    assert (claims["aud"], claims["token_type"], claims["sub"]) == (
        "schedule_service",
        "service",
        "service:appointment_service",
    )
    assert "slots:read" in claims["scope"].split()
    assert request[2]["X-Request-ID"] == "req-123"


def test_slot_get_of_a_held_slot(schedule_stub):
    schedule_stub.route(
        "GET",
        SLOT_PATH,
        json={**SLOT_BODY, "held": True, "appointment_id": str(APPOINTMENT_ID), "bookable": False},
    )
    slot = clients.schedule_slot_get(slot_id=SLOT_ID)
    assert (slot.held, slot.appointment_id, slot.bookable) == (True, APPOINTMENT_ID, False)


@pytest.mark.parametrize(
    ("refusal", "problem"),
    [("doctor-not-bookable", DoctorNotBookable), ("slot-unavailable", SlotUnavailable)],
)
def test_slot_get_says_why_a_slot_is_not_bookable(schedule_stub, refusal, problem):
    schedule_stub.route("GET", SLOT_PATH, json={**SLOT_BODY, "bookable": False, "refusal": refusal})
    slot = clients.schedule_slot_get(slot_id=SLOT_ID)
    assert (slot.bookable, slot.refusal) == (False, refusal)
    assert type(clients.slot_unavailable(slot)) is problem


def test_slot_get_for_an_appointment_names_it(schedule_stub):
    appointment_id = uuid.uuid4()
    schedule_stub.route("GET", SLOT_PATH, json=SLOT_BODY)
    clients.schedule_slot_get(slot_id=SLOT_ID, appointment_id=appointment_id)
    clients.schedule_slot_get(slot_id=SLOT_ID)
    assert schedule_stub.queries == [f"appointment_id={appointment_id}", ""]


def test_slot_get_unknown_is_none(schedule_stub):
    assert clients.schedule_slot_get(slot_id=SLOT_ID) is None  # the stub answers 404


@pytest.mark.parametrize("status", [400, 403])
def test_slot_get_unexpected_answer_is_unavailable(schedule_stub, status):
    schedule_stub.route("GET", SLOT_PATH, status=status, json={"detail": "no"})
    with pytest.raises(ServiceUnavailable):
        clients.schedule_slot_get(slot_id=SLOT_ID)


@pytest.mark.parametrize(
    "body",
    [
        {**SLOT_BODY, "start": "tomorrow"},
        {**SLOT_BODY, "start": "2026-12-01T09:00:00"},  # no offset
        {key: value for key, value in SLOT_BODY.items() if key != "held"},
        [SLOT_BODY],
    ],
)
def test_slot_get_unusable_body_is_unavailable(schedule_stub, body):
    schedule_stub.route("GET", SLOT_PATH, json=body)
    with pytest.raises(ServiceUnavailable):
        clients.schedule_slot_get(slot_id=SLOT_ID)


@pytest.mark.parametrize(
    ("method", "path", "call"),
    [
        ("GET", SLOT_PATH, lambda: clients.schedule_slot_get(slot_id=SLOT_ID)),
        (
            "POST",
            RESERVE_PATH,
            lambda: clients.schedule_slot_reserve(slot_id=SLOT_ID, appointment_id=APPOINTMENT_ID),
        ),
        ("GET", HOLDS_PATH, lambda: list(clients.schedule_hold_list())),
    ],
    ids=["slot", "reserve", "holds"],
)
@pytest.mark.parametrize(
    ("status", "body"),
    [(200, b"<html>oops</html>"), (200, b""), (201, b"{}"), (302, b""), (502, b"{}")],
    ids=["html", "empty", "201", "302", "502"],
)
def test_an_unreadable_or_unexpected_answer_is_unavailable(
    schedule_stub, method, path, call, status, body
):
    schedule_stub.route(method, path, status=status, body=body, content_type="text/html")
    with pytest.raises(ServiceUnavailable):
        call()


def test_5xx_is_unavailable(schedule_stub):
    schedule_stub.route("GET", SLOT_PATH, status=500, json={})
    with pytest.raises(ServiceUnavailable):
        clients.schedule_slot_get(slot_id=SLOT_ID)


def test_a_slow_answer_times_out_as_unavailable(schedule_stub):
    schedule_stub.route("POST", RESERVE_PATH, json=RESERVATION_BODY, delay=1.5)
    with pytest.raises(ServiceUnavailable):
        clients.schedule_slot_reserve(slot_id=SLOT_ID, appointment_id=APPOINTMENT_ID)


def test_nobody_listening_is_unavailable(settings):
    settings.SCHEDULE_SERVICE_URL = "http://127.0.0.1:9"  # discard port: refused
    clients._client.cache_clear()
    try:
        with pytest.raises(ServiceUnavailable):
            clients.schedule_slot_get(slot_id=SLOT_ID)
    finally:
        clients._client.cache_clear()


def test_reserve(schedule_stub):
    schedule_stub.route("POST", RESERVE_PATH, json=RESERVATION_BODY)
    reservation = clients.schedule_slot_reserve(slot_id=SLOT_ID, appointment_id=APPOINTMENT_ID)
    assert reservation == clients.Reservation(
        slot_id=SLOT_ID,
        doctor_id=DOCTOR_ID,
        start=NINE_UTC,  # 10:00+01:00, kept in UTC
        end=NINE_UTC + datetime.timedelta(minutes=30),
        appointment_id=APPOINTMENT_ID,
        cancel_cutoff_hours=48,
        reschedule_cutoff_hours=6,
    )
    request = schedule_stub.requests[0]
    assert json.loads(request[3]) == {"appointment_id": str(APPOINTMENT_ID)}
    assert "slots:reserve" in _claims(request)["scope"].split()


@pytest.mark.parametrize(
    ("status", "body", "problem"),
    [
        (409, {"code": "slot-taken"}, SlotTaken),
        (409, {"code": "slot-unavailable"}, SlotUnavailable),
        (409, {"code": "doctor-not-bookable"}, DoctorNotBookable),
        (409, {"code": "something-new"}, SlotUnavailable),
        (409, ["not", "an", "object"], SlotUnavailable),
        (404, {"code": "slot-not-found"}, SlotNotFound),
        (400, {"code": "validation-error"}, ServiceUnavailable),
    ],
)
def test_reserve_refusals(schedule_stub, status, body, problem):
    schedule_stub.route("POST", RESERVE_PATH, status=status, json=body)
    with pytest.raises(problem):
        clients.schedule_slot_reserve(slot_id=SLOT_ID, appointment_id=APPOINTMENT_ID)


def test_release(schedule_stub):
    schedule_stub.route("POST", RELEASE_PATH, json={"id": str(SLOT_ID), "held": False})
    clients.schedule_slot_release(slot_id=SLOT_ID, appointment_id=APPOINTMENT_ID)
    request = schedule_stub.requests[0]
    assert json.loads(request[3]) == {"appointment_id": str(APPOINTMENT_ID)}
    assert "slots:release" in _claims(request)["scope"].split()


def test_release_of_an_unknown_slot_is_fine(schedule_stub):
    clients.schedule_slot_release(slot_id=SLOT_ID, appointment_id=APPOINTMENT_ID)  # 404


@pytest.mark.parametrize(("status", "problem"), [(409, SlotHeldByOther), (403, ServiceUnavailable)])
def test_release_refusals(schedule_stub, status, problem):
    schedule_stub.route("POST", RELEASE_PATH, status=status, json={"code": "slot-held-by-other"})
    with pytest.raises(problem):
        clients.schedule_slot_release(slot_id=SLOT_ID, appointment_id=APPOINTMENT_ID)


def _hold(n: int) -> dict:
    return {
        "slot_id": str(uuid.UUID(int=n)),
        "doctor_id": str(DOCTOR_ID),
        "start": "2026-12-01T09:00:00Z",
        "end": "2026-12-01T09:30:00Z",
        "appointment_id": str(uuid.UUID(int=1000 + n)),
        "created_at": "2026-11-25T08:00:00Z",
    }


def test_hold_list_reads_every_page(schedule_stub):
    schedule_stub.route(
        "GET",
        HOLDS_PATH,
        query={"page": "1"},
        json={
            "count": 3,
            "next": "http://x/internal/v1/holds/?page=2",
            "results": [_hold(1), _hold(2)],
        },
    )
    schedule_stub.route(
        "GET",
        HOLDS_PATH,
        query={"page": "2"},
        json={"count": 3, "next": None, "results": [_hold(3)]},
    )
    holds = list(clients.schedule_hold_list(doctor_id=DOCTOR_ID))
    assert [hold.slot_id for hold in holds] == [uuid.UUID(int=n) for n in (1, 2, 3)]
    assert holds[0].appointment_id == uuid.UUID(int=1001)
    assert holds[0].created_at == datetime.datetime(2026, 11, 25, 8, tzinfo=datetime.UTC)
    assert [parse_qs(query) for query in schedule_stub.queries] == [
        {"doctor_id": [str(DOCTOR_ID)], "page": ["1"]},
        {"doctor_id": [str(DOCTOR_ID)], "page": ["2"]},
    ]
    assert "slots:read" in _claims(schedule_stub.requests[0])["scope"].split()


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (403, {}),
        (200, {"count": 1, "next": None, "results": [{"slot_id": "x"}]}),
        (200, {"count": 1, "next": None}),
    ],
)
def test_hold_list_failures_are_unavailable(schedule_stub, status, body):
    schedule_stub.route("GET", HOLDS_PATH, status=status, json=body)
    with pytest.raises(ServiceUnavailable):
        list(clients.schedule_hold_list())


SLOTS_PATH = f"/internal/v1/doctors/{DOCTOR_ID}/slots/"


def _listed(n: int) -> dict:
    return {
        "id": str(uuid.UUID(int=n)),
        "doctor_id": str(DOCTOR_ID),
        "start": f"2026-12-01T{8 + n:02d}:00:00+01:00",
        "end": f"2026-12-01T{8 + n:02d}:30:00+01:00",
    }


def test_slot_list_reads_a_week_in_big_pages(schedule_stub):
    schedule_stub.route(
        "GET",
        SLOTS_PATH,
        query={"page": "1"},
        json={"count": 3, "next": "http://x/?page=2", "results": [_listed(1), _listed(2)]},
    )
    schedule_stub.route(
        "GET",
        SLOTS_PATH,
        query={"page": "2"},
        json={"count": 3, "next": None, "results": [_listed(3)]},
    )

    slots = clients.schedule_slot_list(
        doctor_id=DOCTOR_ID, first=datetime.date(2026, 11, 30), last=datetime.date(2026, 12, 6)
    )

    assert [slot.id for slot in slots] == [uuid.UUID(int=n) for n in (1, 2, 3)]
    assert slots[0].start == datetime.datetime(2026, 12, 1, 8, tzinfo=datetime.UTC)
    assert slots[0].doctor_id == DOCTOR_ID
    first_query = dict(p.split("=") for p in schedule_stub.queries[0].split("&"))
    assert first_query == {
        "from": "2026-11-30",
        "to": "2026-12-06",
        "page_size": "2016",
        "page": "1",
    }
    assert "slots:read" in _claims(schedule_stub.requests[0])["scope"].split()


def test_slot_list_of_a_doctor_waiting_for_approval_is_not_bookable(schedule_stub):
    schedule_stub.route("GET", SLOTS_PATH, status=404, json={"code": "doctor-not-found"})
    with pytest.raises(DoctorNotBookable):
        clients.schedule_slot_list(
            doctor_id=DOCTOR_ID, first=datetime.date(2026, 12, 1), last=datetime.date(2026, 12, 7)
        )


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, {"code": "validation-error"}),
        (404, {"code": "not-found"}),
        (503, {}),
        (200, {"count": 1, "next": None, "results": [{"id": "x"}]}),
        (200, {"count": 1, "next": None}),
    ],
)
def test_slot_list_failures_are_unavailable(schedule_stub, status, body):
    schedule_stub.route("GET", SLOTS_PATH, status=status, json=body)
    with pytest.raises(ServiceUnavailable):
        clients.schedule_slot_list(
            doctor_id=DOCTOR_ID, first=datetime.date(2026, 12, 1), last=datetime.date(2026, 12, 7)
        )
