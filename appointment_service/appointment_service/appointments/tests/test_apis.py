"""Public API: permissions, booking, listing, changes, history and the calendar file."""

import datetime
import json
import uuid
from datetime import UTC

import pytest
from django.utils import timezone
from icalendar import Calendar

from appointment_service.appointments import selectors
from appointment_service.appointments.idempotency import request_hash
from appointment_service.appointments.models import (
    Appointment,
    AppointmentEvent,
    AppointmentState,
    IdempotencyKey,
)
from appointment_service.appointments.serializers import AppointmentOutputSerializer, date_window
from appointment_service.appointments.tests.factories import AppointmentFactory
from appointment_service.appointments.tests.fakes import (
    assert_no_orphans,
    hold_for_someone_else,
)
from common.renderers import JSONRenderer
from common.testing import BearerClient, assert_problem, error_fields, forged_tokens, service_token

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/appointments/"
OUTPUT_FIELDS = {
    "id",
    "patient_id",
    "doctor_id",
    "slot_id",
    "start",
    "end",
    "status",
    "outcome",
    "reason",
    "cancel_reason",
    "late_cancellation",
    "reschedule_count",
    "cancel_cutoff_hours",
    "reschedule_cutoff_hours",
    "created_at",
    "updated_at",
}


def _url(appointment_id, action: str = "") -> str:
    base = f"{LIST_URL}{appointment_id}/"
    return base + action if action else base


def _state(appointment) -> dict:
    """Everything about an appointment that a refused request must leave as it was."""
    appointment.refresh_from_db()
    return {
        "row": {f.attname: getattr(appointment, f.attname) for f in Appointment._meta.fields},
        "events": list(appointment.events.values_list("action", flat=True)),
    }


@pytest.fixture
def patient(make_client):
    return make_client("patient")


@pytest.fixture
def doctor(make_client):
    return make_client("doctor")


@pytest.fixture
def slot(schedule, doctor):
    return schedule.add_slot(doctor_id=doctor.user_id)


@pytest.fixture
def booked(schedule, patient, slot, book):
    return book(patient.user_id, slot)


# Authentication and permissions -------------------------------------------------------

ENDPOINTS = [
    ("get", LIST_URL),
    ("post", LIST_URL),
    ("get", _url(uuid.UUID(int=1))),
    ("patch", _url(uuid.UUID(int=1))),
    ("post", _url(uuid.UUID(int=1), "reschedule")),
    ("post", _url(uuid.UUID(int=1), "cancel")),
    ("post", _url(uuid.UUID(int=1), "complete")),
    ("get", _url(uuid.UUID(int=1), "history")),
    ("get", _url(uuid.UUID(int=1), "ics")),
]


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_every_endpoint_needs_a_token(anon_client, method, url):
    response = getattr(anon_client, method)(url, {})
    assert_problem(response, 401, "not-authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_service_tokens_are_refused(service_client, method, url):
    client = service_client("slots:read slots:reserve slots:release")
    assert_problem(getattr(client, method)(url, {}), 403, "permission-denied")


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_staff_use_the_admin_not_this_api(make_client, method, url):
    assert_problem(getattr(make_client("staff"), method)(url, {}), 403, "permission-denied")


@pytest.mark.parametrize("name", list(forged_tokens(uuid.uuid4())))
def test_forged_tokens_are_refused_and_book_nothing(schedule, slot, name):
    token = forged_tokens(uuid.uuid4())[name]
    client = BearerClient(token)
    assert_problem(client.get(LIST_URL), 401)
    assert_problem(client.post(LIST_URL, {"slot_id": str(slot.id)}), 401)
    assert not Appointment.objects.exists()
    assert schedule.calls == []


def test_a_token_for_another_audience_is_refused():
    token = service_token("tester", "slots:read", aud="schedule_service")
    assert_problem(BearerClient(token).get(LIST_URL), 401)


@pytest.mark.parametrize(
    ("method", "action", "body"),
    [
        ("post", "", {"slot_id": str(uuid.uuid4())}),
        ("patch", "detail", {"reason": "x"}),
        ("post", "reschedule", {"slot_id": str(uuid.uuid4())}),
    ],
)
def test_patient_only_actions_are_403_for_doctors(schedule, doctor, booked, method, action, body):
    url = LIST_URL if not action else _url(booked.id, "" if action == "detail" else action)
    before = _state(booked)
    assert_problem(getattr(doctor, method)(url, body), 403, "permission-denied")
    assert _state(booked) == before


def test_complete_is_403_for_patients(patient, booked):
    assert_problem(patient.post(_url(booked.id, "complete"), {"outcome": "completed"}), 403)


@pytest.mark.parametrize(
    ("method", "action", "body"),
    [
        ("get", "", None),
        ("patch", "", {"reason": "mine now"}),
        ("post", "reschedule", {"slot_id": str(uuid.uuid4())}),
        ("post", "cancel", {"reason": "no"}),
        ("get", "history", None),
        ("get", "ics", None),
    ],
)
def test_another_patients_appointment_is_404_and_unchanged(
    schedule, make_client, booked, method, action, body
):
    intruder = make_client("patient")
    before = _state(booked)
    response = getattr(intruder, method)(_url(booked.id, action), body or {})
    assert_problem(response, 404, "appointment-not-found")
    assert _state(booked) == before
    assert schedule.holder_of(booked.slot_id) == booked.id


@pytest.mark.parametrize(
    ("action", "body"),
    [("", None), ("cancel", {"reason": "x"}), ("complete", {"outcome": "no_show"}), ("ics", None)],
)
def test_another_doctors_appointment_is_404(make_client, booked, action, body):
    other_doctor = make_client("doctor")
    before = _state(booked)
    method = "post" if body else "get"
    assert_problem(getattr(other_doctor, method)(_url(booked.id, action), body or {}), 404)
    assert _state(booked) == before


def test_a_malformed_id_is_a_404_problem(patient):
    assert_problem(patient.get(f"{LIST_URL}not-a-uuid/"), 404)


# Booking --------------------------------------------------------------------------------


def test_patient_books_a_slot(schedule, patient, slot):
    response = patient.post(
        LIST_URL,
        {
            "slot_id": str(slot.id),
            "reason": "Chest pain",
            # Sent but ignored: these come from the slot and the token.
            "doctor_id": str(uuid.uuid4()),
            "patient_id": str(uuid.uuid4()),
            "start": "2030-01-01T00:00:00Z",
            "status": "completed",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == OUTPUT_FIELDS
    assert body["patient_id"] == str(patient.user_id)
    assert body["doctor_id"] == str(slot.doctor_id)
    assert body["start"] == slot.start.isoformat().replace("+00:00", "Z")
    assert (body["status"], body["outcome"], body["reason"]) == ("upcoming", None, "Chest pain")
    assert (body["cancel_cutoff_hours"], body["reschedule_cutoff_hours"]) == (24, 12)
    assert_no_orphans(schedule)


def test_the_answer_carries_the_cut_offs_of_the_booking(schedule, patient, doctor):
    slot = schedule.add_slot(
        doctor_id=doctor.user_id, cancel_cutoff_hours=48, reschedule_cutoff_hours=6
    )
    booked = patient.post(LIST_URL, {"slot_id": str(slot.id)}).json()
    assert (booked["cancel_cutoff_hours"], booked["reschedule_cutoff_hours"]) == (48, 6)
    for client in (patient, doctor):
        listed = client.get(LIST_URL).json()["results"][0]
        detail = client.get(_url(booked["id"])).json()
        for body in (listed, detail):
            assert (body["cancel_cutoff_hours"], body["reschedule_cutoff_hours"]) == (48, 6)
    # A reschedule takes the cut-offs of the new slot.
    new = schedule.add_slot(
        doctor_id=doctor.user_id, cancel_cutoff_hours=2, reschedule_cutoff_hours=1
    )
    moved = patient.post(_url(booked["id"], "reschedule"), {"slot_id": str(new.id)}).json()
    assert (moved["cancel_cutoff_hours"], moved["reschedule_cutoff_hours"]) == (2, 1)


def test_the_cut_offs_are_read_only(patient, booked):
    response = patient.patch(
        _url(booked.id), {"cancel_cutoff_hours": 0, "reschedule_cutoff_hours": 0}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["cancel_cutoff_hours"], body["reschedule_cutoff_hours"]) == (24, 12)
    booked.refresh_from_db()
    assert (booked.cancel_cutoff_hours, booked.reschedule_cutoff_hours) == (24, 12)


def test_booking_a_taken_slot_is_409_and_leaves_nothing(schedule, patient, slot):
    other = hold_for_someone_else(schedule, slot)
    assert_problem(patient.post(LIST_URL, {"slot_id": str(slot.id)}), 409, "slot-taken")
    assert list(Appointment.objects.all()) == [other]
    assert_no_orphans(schedule)


def test_booking_past_the_cap_with_one_doctor_is_409_and_holds_nothing(
    schedule, patient, doctor, book, settings
):
    settings.MAX_UPCOMING_APPOINTMENTS_PER_DOCTOR = 2
    for _ in range(2):
        book(patient.user_id, schedule.add_slot(doctor_id=doctor.user_id))
    extra = schedule.add_slot(doctor_id=doctor.user_id)
    before = list(Appointment.objects.values())

    response = patient.post(LIST_URL, {"slot_id": str(extra.id)})

    body = assert_problem(response, 409, "too-many-appointments-with-doctor")
    assert "at most 2 upcoming appointments with one doctor" in body["detail"]
    assert list(Appointment.objects.values()) == before
    assert schedule.holder_of(extra.id) is None
    assert_no_orphans(schedule)
    elsewhere = patient.post(LIST_URL, {"slot_id": str(schedule.add_slot().id)})
    assert elsewhere.status_code == 201, elsewhere.content


def test_booking_a_slot_of_a_doctor_not_approved_yet_is_a_clear_409(schedule, patient, slot):
    slot.bookable, slot.refusal = False, "doctor-not-bookable"
    response = patient.post(LIST_URL, {"slot_id": str(slot.id)})
    body = assert_problem(response, 409, "doctor-not-bookable")
    assert "approval" in body["detail"]
    assert not Appointment.objects.exists()
    assert (schedule.count("reserve"), schedule.count("release")) == (1, 0)  # nothing was held
    assert_no_orphans(schedule)


def test_a_reservation_refused_for_the_doctor_leaves_nothing(schedule, patient, slot):
    """The doctor's approval is checked again when the reservation comes in."""
    schedule.refuse = "doctor-not-bookable"
    response = patient.post(LIST_URL, {"slot_id": str(slot.id)})
    assert_problem(response, 409, "doctor-not-bookable")
    assert not Appointment.objects.exists()
    assert schedule.count("release") == 0
    assert_no_orphans(schedule)


def test_booking_an_unknown_slot_is_404(schedule, patient):
    assert_problem(patient.post(LIST_URL, {"slot_id": str(uuid.uuid4())}), 404, "slot-not-found")


def test_booking_with_schedule_down_is_503_and_leaves_nothing(schedule, patient, slot):
    schedule.down.add("reserve")
    body = assert_problem(
        patient.post(LIST_URL, {"slot_id": str(slot.id)}), 503, "dependency-unavailable"
    )
    assert "Traceback" not in json.dumps(body)
    assert not Appointment.objects.exists()
    assert_no_orphans(schedule)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "slot_id"),
        ({"slot_id": "not-a-uuid"}, "slot_id"),
        ({"slot_id": 42}, "slot_id"),
        ({"slot_id": str(uuid.uuid4()), "reason": "x" * 1001}, "reason"),
        ({"slot_id": str(uuid.uuid4()), "reason": "nul\x00byte"}, "reason"),
        ({"slot_id": str(uuid.uuid4()), "reason": ["a list"]}, "reason"),
    ],
)
def test_bad_booking_input_is_400_and_changes_nothing(schedule, patient, body, field):
    response = assert_problem(patient.post(LIST_URL, body, format="json"), 400, "validation-error")
    assert field in error_fields(response)
    assert not Appointment.objects.exists()
    assert schedule.calls == []


@pytest.mark.parametrize(
    ("payload", "content_type"),
    [
        ('{"slot_id": ', "application/json"),
        ("[1, 2]", "application/json"),
        ("slot_id=x", "application/x-www-form-urlencoded"),
    ],
)
def test_malformed_bodies_are_refused(schedule, patient, payload, content_type):
    response = patient.post(LIST_URL, payload, content_type=content_type)
    assert response.status_code in (400, 415)
    assert_problem(response, response.status_code)
    assert not Appointment.objects.exists()


def test_a_huge_body_is_413(patient, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = patient.post(
        LIST_URL, json.dumps({"reason": "x" * 2000}), content_type="application/json"
    )
    assert_problem(response, 413)


# Idempotency-Key ----------------------------------------------------------------------------


def test_a_retry_with_the_same_key_gets_the_first_answer(schedule, patient, slot):
    body = {"slot_id": str(slot.id), "reason": "x"}
    first = patient.post(LIST_URL, body, HTTP_IDEMPOTENCY_KEY="abc")
    again = patient.post(LIST_URL, body, HTTP_IDEMPOTENCY_KEY="abc")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Appointment.objects.count() == 1
    assert schedule.count("reserve") == 1


def test_a_retry_of_a_refused_booking_gets_the_same_problem(schedule, patient, slot):
    hold_for_someone_else(schedule, slot)
    body = {"slot_id": str(slot.id)}
    first = assert_problem(patient.post(LIST_URL, body, HTTP_IDEMPOTENCY_KEY="k"), 409)
    again = assert_problem(patient.post(LIST_URL, body, HTTP_IDEMPOTENCY_KEY="k"), 409)
    assert first == again


def test_the_same_key_with_another_body_is_422(schedule, patient, slot):
    patient.post(LIST_URL, {"slot_id": str(slot.id)}, HTTP_IDEMPOTENCY_KEY="k")
    response = patient.post(
        LIST_URL, {"slot_id": str(slot.id), "reason": "changed"}, HTTP_IDEMPOTENCY_KEY="k"
    )
    assert_problem(response, 422, "idempotency-key-reused")
    assert Appointment.objects.count() == 1


def test_a_key_in_flight_is_409_at_once_with_retry_after(schedule, patient, slot):
    IdempotencyKey.objects.create(
        patient_id=patient.user_id, key="k", request_hash=request_hash(slot_id=slot.id, reason="")
    )
    response = patient.post(LIST_URL, {"slot_id": str(slot.id)}, HTTP_IDEMPOTENCY_KEY="k")
    assert_problem(response, 409, "idempotency-in-progress")
    assert response["Retry-After"] == "1"
    assert schedule.count("get") == 0


def test_a_too_long_key_is_400(schedule, patient, slot):
    response = patient.post(LIST_URL, {"slot_id": str(slot.id)}, HTTP_IDEMPOTENCY_KEY="k" * 256)
    assert "Idempotency-Key" in error_fields(assert_problem(response, 400))
    assert not IdempotencyKey.objects.exists()
    assert not Appointment.objects.exists()


# List and read ------------------------------------------------------------------------------


def test_list_pages_by_start(schedule, patient, book, doctor):
    slots = [schedule.add_slot(doctor_id=doctor.user_id) for _ in range(3)]
    for slot in reversed(slots):
        book(patient.user_id, slot)
    response = patient.get(LIST_URL, {"page_size": 2})
    body = response.json()
    assert body["count"] == 3
    assert [a["slot_id"] for a in body["results"]] == [str(s.id) for s in slots[:2]]
    assert "page=2" in body["next"]
    assert [a["slot_id"] for a in patient.get(body["next"]).json()["results"]] == [str(slots[2].id)]
    assert_problem(patient.get(LIST_URL, {"page": 9}), 404)


def test_doctors_list_the_appointments_with_them(schedule, patient, doctor, booked, make_client):
    listed = doctor.get(LIST_URL).json()["results"]
    assert [a["id"] for a in listed] == [str(booked.id)]
    assert make_client("doctor").get(LIST_URL).json()["count"] == 0
    assert doctor.get(_url(booked.id)).json()["id"] == str(booked.id)


def _list_ids(client, status) -> list[str]:
    response = client.get(LIST_URL, {"status": status})
    assert response.status_code == 200
    return [a["id"] for a in response.json()["results"]]


def test_status_filter_and_detail_agree_at_the_end_of_an_appointment(patient):
    now = timezone.now()
    just_ended = AppointmentFactory(
        patient_id=patient.user_id,
        start=now - datetime.timedelta(minutes=30),
        end=now - datetime.timedelta(milliseconds=1),
    )
    about_to_end = AppointmentFactory(
        patient_id=patient.user_id,
        start=now,  # back to back: the two do not overlap
        end=now + datetime.timedelta(seconds=30),
    )
    assert _list_ids(patient, "completed") == [str(just_ended.id)]
    assert _list_ids(patient, "upcoming") == [str(about_to_end.id)]
    assert _list_ids(patient, "cancelled") == []
    detail = patient.get(_url(just_ended.id)).json()
    assert (detail["status"], detail["outcome"]) == ("completed", "completed")
    assert just_ended.state == AppointmentState.BOOKED  # derived, nothing was written


def test_an_empty_status_filter_is_no_filter(patient, booked):
    assert patient.get(LIST_URL, {"status": ""}).json()["count"] == 1


@pytest.mark.parametrize("value", ["past", "UPCOMING", "pending", "no_show"])
def test_an_unknown_status_filter_is_400(patient, value):
    body = assert_problem(patient.get(LIST_URL, {"status": value}), 400, "validation-error")
    assert error_fields(body) == {"status"}


@pytest.mark.parametrize("count", [1, 20])
def test_the_list_costs_the_same_queries_for_1_or_20(patient, django_assert_num_queries, count):
    for hour in range(count):
        AppointmentFactory(
            patient_id=patient.user_id,
            start=timezone.now() + datetime.timedelta(days=2, hours=hour),
        )
    with django_assert_num_queries(1):  # the page with its total
        response = patient.get(LIST_URL, {"status": "upcoming"})
    assert response.json()["count"] == count


def _day_of_appointments(patient_id, doctor_id, day: datetime.date) -> dict[str, Appointment]:
    """Appointments of one patient with one doctor around ``day`` (UTC), by name."""
    at = {
        "day_before_late": (-1, 23, 30),
        "midnight": (0, 0, 0),
        "noon": (0, 12, 0),
        "late": (0, 23, 30),
        "next_midnight": (1, 0, 0),
    }
    return {
        name: AppointmentFactory(
            patient_id=patient_id,
            doctor_id=doctor_id,
            start=datetime.datetime.combine(
                day + datetime.timedelta(days=offset), datetime.time(hour, minute), tzinfo=UTC
            ),
        )
        for name, (offset, hour, minute) in at.items()
    }


def _listed(client, params) -> list[str]:
    response = client.get(LIST_URL, params)
    assert response.status_code == 200, response.content
    return [a["id"] for a in response.json()["results"]]


def test_from_and_to_keep_one_day(patient, doctor):
    day = (timezone.now() + datetime.timedelta(days=5)).date()
    made = _day_of_appointments(patient.user_id, doctor.user_id, day)
    AppointmentFactory(  # someone else's, the same day
        start=datetime.datetime.combine(day, datetime.time(10), tzinfo=UTC)
    )
    expected = [str(made[name].id) for name in ("midnight", "noon", "late")]
    params = {
        "from": f"{day.isoformat()}T00:00:00Z",
        "to": f"{(day + datetime.timedelta(days=1)).isoformat()}T00:00:00Z",
    }
    assert _listed(patient, params) == expected
    assert _listed(doctor, params) == expected
    # The same instants with another offset; "+" is sent encoded.
    shifted = {
        "from": f"{(day - datetime.timedelta(days=1)).isoformat()}T22:00:00-02:00",
        "to": f"{day.isoformat()}T23:30:00-00:30",
    }
    assert _listed(patient, shifted) == expected
    berlin = {"from": f"{day.isoformat()}T01:00:00+01:00", "to": params["to"]}
    assert _listed(doctor, berlin) == expected


def test_from_or_to_alone_and_with_status(patient, doctor):
    day = (timezone.now() + datetime.timedelta(days=5)).date()
    made = _day_of_appointments(patient.user_id, doctor.user_id, day)
    noon = f"{day.isoformat()}T12:00:00Z"
    assert _listed(patient, {"from": noon}) == [
        str(made[name].id) for name in ("noon", "late", "next_midnight")
    ]
    assert _listed(doctor, {"to": noon}) == [
        str(made[name].id) for name in ("day_before_late", "midnight")
    ]
    made["noon"].state = AppointmentState.CANCELLED
    made["noon"].save()
    window = {"from": noon, "to": f"{day.isoformat()}T23:59:00Z"}
    assert _listed(patient, {**window, "status": "upcoming"}) == [str(made["late"].id)]
    assert _listed(patient, {**window, "status": "cancelled"}) == [str(made["noon"].id)]
    assert _listed(patient, {"from": "", "to": ""}) == [str(a.id) for a in made.values()]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-12-01T00:00:00"}, "from"),  # naive
        ({"to": "2026-12-01T00:00"}, "to"),  # naive
        ({"from": "2026-12-01"}, "from"),  # a date, no offset
        ({"from": "tomorrow"}, "from"),
        ({"to": "2026-13-01T00:00:00Z"}, "to"),
        ({"from": "2026-12-01T00:00:00Z", "to": "2026-12-01T00:00:00Z"}, "to"),
        ({"from": "2026-12-02T00:00:00Z", "to": "2026-12-01T00:00:00Z"}, "to"),
        ({"from": "2026-12-01T01:00:00+01:00", "to": "2026-12-01T00:00:00Z"}, "to"),
    ],
)
def test_bad_from_or_to_is_400(patient, doctor, params, field):
    for client in (patient, doctor):
        body = assert_problem(client.get(LIST_URL, params), 400, "validation-error")
        assert error_fields(body) == {field}


@pytest.mark.parametrize(
    "value",
    [
        "9999-12-31T23:59:59+00:00",
        "9999-12-31T23:59:59-01:00",  # past year 9999 in UTC
        "0001-01-01T00:00:00+00:00",
        "0001-01-01T00:00:00+01:00",  # before year 1 in UTC
        "1999-12-31T23:59:59Z",
    ],
)
@pytest.mark.parametrize("names", [("from",), ("to",), ("from", "to")])
def test_from_or_to_outside_the_date_window_is_400(patient, booked, names, value):
    body = assert_problem(patient.get(LIST_URL, dict.fromkeys(names, value)), 400)
    assert {(e["field"], e["code"]) for e in body["errors"]} == {
        (name, "date-out-of-range") for name in names
    }
    assert "Give a date from 2000-01-01 to " in body["errors"][0]["detail"]


def test_the_date_window_runs_from_2000_to_ten_years_ahead(patient, booked):
    first, last = date_window()
    today = timezone.now().date()
    assert (first, last) == (datetime.date(2000, 1, 1), today.replace(year=today.year + 10))
    inside = {"from": "2000-01-01T00:00:00Z", "to": f"{last.isoformat()}T23:59:59Z"}
    assert _listed(patient, inside) == [str(booked.id)]
    after = {"to": f"{(last + datetime.timedelta(days=1)).isoformat()}T00:00:00Z"}
    assert error_fields(assert_problem(patient.get(LIST_URL, after), 400)) == {"to"}


@pytest.mark.parametrize("count", [1, 20])
def test_a_day_of_the_list_costs_the_same_queries_for_1_or_20(
    doctor, django_assert_num_queries, count
):
    day = (timezone.now() + datetime.timedelta(days=5)).date()
    for minutes in range(count):
        AppointmentFactory(
            doctor_id=doctor.user_id,
            start=datetime.datetime.combine(day, datetime.time(8), tzinfo=UTC)
            + datetime.timedelta(minutes=30 * minutes),
        )
    params = {
        "from": f"{day.isoformat()}T00:00:00Z",
        "to": f"{(day + datetime.timedelta(days=1)).isoformat()}T00:00:00Z",
        "status": "upcoming",
    }
    with django_assert_num_queries(1):  # the page with its total
        response = doctor.get(LIST_URL, params)
    assert response.json()["count"] == count


def test_pending_appointments_are_never_shown(patient):
    pending = AppointmentFactory(patient_id=patient.user_id, state=AppointmentState.PENDING)
    assert patient.get(LIST_URL).json()["count"] == 0
    assert_problem(patient.get(_url(pending.id)), 404, "appointment-not-found")


# Edit ---------------------------------------------------------------------------------------


def test_patch_changes_only_the_reason(patient, booked):
    before = _state(booked)["row"]
    response = patient.patch(
        _url(booked.id),
        {
            "reason": "Updated reason",
            "status": "cancelled",
            "start": "2030-01-01T00:00:00Z",
            "doctor_id": str(uuid.uuid4()),
            "id": str(uuid.uuid4()),
            "reschedule_count": 9,
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["reason"] == "Updated reason"
    after = _state(booked)["row"]
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {"reason", "updated_at"}


def test_patch_of_a_completed_appointment_is_409(patient):
    ended = AppointmentFactory(
        patient_id=patient.user_id,
        start=timezone.now() - datetime.timedelta(hours=2),
        end=timezone.now() - datetime.timedelta(hours=1),
        reason="Old",
    )
    assert_problem(
        patient.patch(_url(ended.id), {"reason": "New"}), 409, "appointment-not-upcoming"
    )
    ended.refresh_from_db()
    assert ended.reason == "Old"


def test_patch_with_a_huge_reason_is_400_and_unchanged(patient, booked):
    before = _state(booked)
    assert_problem(patient.patch(_url(booked.id), {"reason": "x" * 1001}), 400)
    assert _state(booked) == before


# Reschedule ---------------------------------------------------------------------------------


def test_reschedule(schedule, patient, doctor, booked):
    new = schedule.add_slot(doctor_id=doctor.user_id)
    response = patient.post(_url(booked.id, "reschedule"), {"slot_id": str(new.id)})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["slot_id"], body["reschedule_count"]) == (str(new.id), 1)
    assert_no_orphans(schedule)


def test_reschedule_to_a_taken_slot_changes_nothing(schedule, patient, doctor, booked):
    taken = schedule.add_slot(doctor_id=doctor.user_id)
    hold_for_someone_else(schedule, taken)
    before = _state(booked)
    response = patient.post(_url(booked.id, "reschedule"), {"slot_id": str(taken.id)})
    assert_problem(response, 409, "slot-taken")
    assert _state(booked) == before
    assert_no_orphans(schedule)


def test_reschedule_to_a_slot_of_a_doctor_not_bookable_changes_nothing(
    schedule, patient, doctor, booked
):
    other = schedule.add_slot(doctor_id=doctor.user_id, bookable=False)
    other.refusal = "doctor-not-bookable"
    before = _state(booked)
    response = patient.post(_url(booked.id, "reschedule"), {"slot_id": str(other.id)})
    assert_problem(response, 409, "doctor-not-bookable")
    assert _state(booked) == before
    assert_no_orphans(schedule)


def test_reschedule_to_another_doctor_is_409(schedule, patient, booked):
    other = schedule.add_slot()
    response = patient.post(_url(booked.id, "reschedule"), {"slot_id": str(other.id)})
    assert_problem(response, 409, "different-doctor")
    assert schedule.holder_of(other.id) is None


@pytest.mark.parametrize("body", [{}, {"slot_id": "x"}])
def test_reschedule_needs_a_slot_id(schedule, patient, booked, body):
    before = _state(booked)
    assert_problem(patient.post(_url(booked.id, "reschedule"), body), 400)
    assert _state(booked) == before


# Cancel -------------------------------------------------------------------------------------


def test_patient_cancels(schedule, patient, booked):
    response = patient.post(_url(booked.id, "cancel"), {})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["late_cancellation"], body["cancel_reason"]) == (
        "cancelled",
        False,
        "",
    )
    assert schedule.holder_of(booked.slot_id) is None
    # Bookable again at once, by someone else.
    from appointment_service.appointments import booking

    other = booking.appointment_book(patient_id=uuid.uuid4(), slot_id=booked.slot_id, reason="")
    assert other.state == AppointmentState.BOOKED
    assert_no_orphans(schedule)


def test_doctor_cancels_with_a_reason_only(schedule, doctor, booked):
    body = assert_problem(doctor.post(_url(booked.id, "cancel"), {}), 400, "validation-error")
    assert error_fields(body) == {"reason"}
    assert schedule.holder_of(booked.slot_id) == booked.id
    response = doctor.post(_url(booked.id, "cancel"), {"reason": "Called away"})
    assert response.json()["cancel_reason"] == "Called away"


@pytest.mark.parametrize("body", [{"reason": "x" * 1001}, {"reason": None}, {"reason": True}])
def test_bad_cancel_input_is_400_and_changes_nothing(schedule, patient, booked, body):
    before = _state(booked)
    assert_problem(patient.post(_url(booked.id, "cancel"), body), 400, "validation-error")
    assert _state(booked) == before
    assert schedule.holder_of(booked.slot_id) == booked.id


def test_late_cancellation_is_in_the_answer_and_the_history(schedule, patient, booked):
    Appointment.objects.filter(pk=booked.pk).update(cancel_cutoff_hours=24 * 7)
    assert patient.post(_url(booked.id, "cancel"), {}).json()["late_cancellation"] is True
    history = patient.get(_url(booked.id, "history")).json()["results"]
    assert history[-1]["action"] == "cancelled"
    assert history[-1]["data"]["late"] is True


def test_cancelling_a_cancelled_appointment_answers_it(schedule, patient, booked):
    first = patient.post(_url(booked.id, "cancel"), {"reason": "a"}).json()
    again = patient.post(_url(booked.id, "cancel"), {"reason": "b"})
    assert again.status_code == 200
    assert again.json() == first


def test_cancelling_a_completed_appointment_is_409(patient):
    ended = AppointmentFactory(
        patient_id=patient.user_id,
        start=timezone.now() - datetime.timedelta(hours=2),
        end=timezone.now() - datetime.timedelta(hours=1),
    )
    assert_problem(patient.post(_url(ended.id, "cancel"), {}), 409, "appointment-completed")


def test_cancel_with_schedule_down_is_503_and_unchanged(schedule, patient, booked):
    schedule.down.add("release")
    before = _state(booked)
    assert_problem(patient.post(_url(booked.id, "cancel"), {}), 503)
    assert _state(booked) == before


# Complete -----------------------------------------------------------------------------------


def test_doctor_marks_a_no_show(doctor):
    started = AppointmentFactory(
        doctor_id=doctor.user_id,
        start=timezone.now() - datetime.timedelta(minutes=5),
        end=timezone.now() + datetime.timedelta(minutes=25),
    )
    response = doctor.post(_url(started.id, "complete"), {"outcome": "no_show"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["outcome"]) == ("completed", "no_show")


def test_marking_before_the_start_is_409(doctor, booked):
    response = doctor.post(_url(booked.id, "complete"), {"outcome": "completed"})
    assert_problem(response, 409, "appointment-not-started")


@pytest.mark.parametrize("body", [{}, {"outcome": "cancelled"}, {"outcome": "upcoming"}])
def test_marking_needs_a_known_outcome(doctor, booked, body):
    assert_problem(doctor.post(_url(booked.id, "complete"), body), 400)


# History ------------------------------------------------------------------------------------


def test_history_after_each_action(schedule, patient, doctor, booked):
    new = schedule.add_slot(doctor_id=doctor.user_id)
    patient.patch(_url(booked.id), {"reason": "Changed"})
    patient.post(_url(booked.id, "reschedule"), {"slot_id": str(new.id)})
    doctor.post(_url(booked.id, "cancel"), {"reason": "Sick"})
    for client in (patient, doctor):
        response = client.get(_url(booked.id, "history"))
        assert response.status_code == 200
        events = response.json()["results"]
        assert [e["action"] for e in events] == [
            "booked",
            "reason_changed",
            "rescheduled",
            "cancelled",
        ]
    assert set(events[0]) == {"at", "actor_id", "actor_role", "action", "data"}
    assert events[1]["data"] == {"from": "Check-up", "to": "Changed"}
    assert events[2]["data"]["to"]["slot_id"] == str(new.id)
    assert (events[3]["actor_role"], events[3]["actor_id"]) == ("doctor", str(doctor.user_id))
    assert events[3]["data"] == {"by": "doctor", "late": False, "reason": "Sick"}


def test_history_is_paginated(patient, booked):
    AppointmentEvent.objects.bulk_create(
        AppointmentEvent(
            appointment=booked, at=timezone.now(), actor_role="system", action="repaired"
        )
        for _ in range(30)
    )
    body = patient.get(_url(booked.id, "history")).json()
    assert (body["count"], len(body["results"])) == (31, 20)


# Calendar file ------------------------------------------------------------------------------


def _calendar(response) -> Calendar:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    return Calendar.from_ical(response.content)


@pytest.mark.parametrize("accept", [None, "text/calendar", "application/json"])
def test_ics_parses_back(schedule, patient, doctor, booked, accept):
    new = schedule.add_slot(doctor_id=doctor.user_id)
    patient.post(_url(booked.id, "reschedule"), {"slot_id": str(new.id)})
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    calendar = _calendar(patient.get(_url(booked.id, "ics"), **headers))
    assert str(calendar["VERSION"]) == "2.0"
    assert "appointment_service" in str(calendar["PRODID"])
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"{booked.id}@clinic"
    assert event.decoded("DTSTART") == new.start
    assert event.decoded("DTEND") == new.end
    assert event.decoded("DTSTART").utcoffset() == datetime.timedelta(0)
    assert b"DTSTART:" in patient.get(_url(booked.id, "ics")).content  # UTC form, no TZID
    assert "DTSTAMP" in event and "SUMMARY" in event
    assert str(event["STATUS"]) == "CONFIRMED"
    assert int(event["SEQUENCE"]) == 1


def test_ics_of_a_cancelled_appointment(schedule, doctor, booked):
    doctor.post(_url(booked.id, "cancel"), {"reason": "Sick"})
    (event,) = _calendar(doctor.get(_url(booked.id, "ics"))).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 0


def test_ics_errors_are_problems_whatever_the_accept_header(patient):
    response = patient.get(_url(uuid.uuid4(), "ics"), HTTP_ACCEPT="text/calendar")
    assert_problem(response, 404, "appointment-not-found")


def test_listed_appointments_show_as_the_serializer_shows_them(patient):
    soon = timezone.now() + datetime.timedelta(days=2)
    AppointmentFactory(patient_id=patient.user_id, start=soon, reason="Checkup ✓")
    AppointmentFactory(
        patient_id=patient.user_id, start=timezone.now() - datetime.timedelta(days=3)
    )
    AppointmentFactory(
        patient_id=patient.user_id,
        start=soon + datetime.timedelta(hours=1),
        state=AppointmentState.CANCELLED,
        cancel_reason="Away",
        late_cancellation=True,
    )
    rows = patient.get(LIST_URL).json()["results"]
    assert len(rows) == 3
    for row in rows:
        appointment = selectors.appointment_get_for_user(
            appointment_id=row["id"], user_id=patient.user_id, role="patient"
        )
        shown = json.loads(JSONRenderer().render(AppointmentOutputSerializer(appointment).data))
        assert list(row.items()) == list(shown.items())
