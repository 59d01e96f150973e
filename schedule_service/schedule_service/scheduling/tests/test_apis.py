"""Public API: doctors' rules, time off and policy; the slot listing; every permission."""

import datetime
import uuid
import zoneinfo

import pytest
from django.utils import timezone as dj_timezone

from common.errors import ServiceUnavailable
from common.testing import BearerClient, assert_problem, error_fields, forged_tokens
from schedule_service.scheduling import clients
from schedule_service.scheduling.models import (
    AvailabilityRule,
    DoctorSchedule,
    SlotHold,
    TimeOff,
    date_window,
)
from schedule_service.scheduling.tests.factories import (
    AvailabilityRuleFactory,
    DoctorScheduleFactory,
    SlotHoldFactory,
    TimeOffFactory,
)
from schedule_service.scheduling.tests.helpers import future_date, iso, local, slot_id

pytestmark = pytest.mark.django_db

RULES_URL = "/api/v1/availability/"
TIME_OFF_URL = "/api/v1/time-off/"
POLICY_URL = "/api/v1/policy/"
DAY = datetime.timedelta(days=1)
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def _rule_url(rule_id) -> str:
    return f"{RULES_URL}{rule_id}/"


def _time_off_url(time_off_id) -> str:
    return f"{TIME_OFF_URL}{time_off_id}/"


def _slots_url(doctor_id) -> str:
    return f"/api/v1/doctors/{doctor_id}/slots/"


RULE_PAYLOAD = {"weekday": 2, "start_time": "09:00", "end_time": "12:00", "slot_minutes": 30}


@pytest.fixture
def working(schedule):
    """``schedule`` (Berlin) working Wednesdays 09:00-12:00 in 30-minute slots."""
    AvailabilityRuleFactory(doctor=schedule)
    return schedule


def _snapshot() -> tuple:
    return (
        list(AvailabilityRule.objects.values()),
        list(TimeOff.objects.values()),
        # A doctor's write refreshes the cached time zone even when it is refused.
        [
            {k: v for k, v in row.items() if k != "timezone_checked_at"}
            for row in DoctorSchedule.objects.order_by("pk").values()
        ],
        list(SlotHold.objects.values()),
    )


# Permissions

DOCTOR_ENDPOINTS = [
    ("get", RULES_URL),
    ("post", RULES_URL),
    ("get", _rule_url(1)),
    ("patch", _rule_url(1)),
    ("delete", _rule_url(1)),
    ("get", TIME_OFF_URL),
    ("post", TIME_OFF_URL),
    ("delete", _time_off_url(1)),
    ("get", POLICY_URL),
    ("patch", POLICY_URL),
]
PUBLIC_ENDPOINTS = [*DOCTOR_ENDPOINTS, ("get", _slots_url(uuid.UUID(int=1)))]


@pytest.mark.parametrize(("method", "url"), PUBLIC_ENDPOINTS)
def test_public_endpoints_need_a_token(anon_client, method, url):
    response = getattr(anon_client, method)(url, {})
    assert_problem(response, 401, "not-authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("role", ["patient", "staff"])
@pytest.mark.parametrize(("method", "url"), DOCTOR_ENDPOINTS)
def test_doctor_endpoints_refuse_other_roles(make_client, role, method, url):
    response = getattr(make_client(role), method)(url, RULE_PAYLOAD)
    assert_problem(response, 403, "permission-denied")
    assert not DoctorSchedule.objects.exists()


@pytest.mark.parametrize(("method", "url"), PUBLIC_ENDPOINTS)
def test_public_endpoints_refuse_service_tokens(service_client, method, url):
    client = service_client("slots:read slots:reserve slots:release")
    assert_problem(getattr(client, method)(url, {}), 403, "permission-denied")


@pytest.mark.parametrize("url", [RULES_URL, _slots_url(uuid.UUID(int=1))])
def test_forged_tokens_are_refused(url):
    for name, token in forged_tokens(uuid.uuid4(), role="doctor").items():
        response = BearerClient(token).get(url)
        assert response.status_code == 401, name
        assert_problem(response, 401)
    assert not DoctorSchedule.objects.exists()


# Schedule on first use


def test_first_use_makes_the_schedule_with_the_profiles_zone(doctor_client, user_service):
    user_service.default_timezone = "America/New_York"
    client = doctor_client()
    response = client.post(RULES_URL, RULE_PAYLOAD)
    assert response.status_code == 201, response.content
    assert response.json()["timezone"] == "America/New_York"
    assert DoctorSchedule.objects.get().doctor_id == client.user_id


def test_first_use_while_user_service_is_down_is_a_503(doctor_client, user_service):
    user_service.error = ServiceUnavailable("The user_service service cannot be reached.")
    assert_problem(doctor_client().post(RULES_URL, RULE_PAYLOAD), 503, "dependency-unavailable")
    assert_problem(doctor_client().get(POLICY_URL), 503)
    assert _snapshot() == ([], [], [], [])


def test_writes_keep_the_cached_zone_while_user_service_is_down(
    doctor_client, schedule, user_service
):
    user_service.error = ServiceUnavailable()
    response = doctor_client(schedule).post(RULES_URL, RULE_PAYLOAD)
    assert response.status_code == 201
    assert response.json()["timezone"] == "Europe/Berlin"


def test_every_write_refreshes_the_zone(doctor_client, schedule, user_service):
    user_service.default_timezone = "Asia/Tokyo"
    client = doctor_client(schedule)
    assert client.get(POLICY_URL).json()["timezone"] == "Europe/Berlin"  # fresh: no call
    assert client.patch(POLICY_URL, {"buffer_minutes": 5}).json()["timezone"] == "Asia/Tokyo"
    assert user_service.calls == [schedule.doctor_id]


def test_a_doctor_token_without_a_doctor_profile_is_a_409(doctor_client, user_service):
    client = doctor_client()
    user_service.profiles[client.user_id] = clients.DoctorProfile(role="patient", timezone=None)
    assert_problem(client.post(RULES_URL, RULE_PAYLOAD), 409, "doctor-profile-missing")
    assert not DoctorSchedule.objects.exists()


# Availability rules


def test_rule_crud(doctor_client, schedule):
    client = doctor_client(schedule)
    created = client.post(RULES_URL, {**RULE_PAYLOAD, "valid_from": "2027-01-01"})
    assert created.status_code == 201, created.content
    body = created.json()
    rule_id = body.pop("id")
    assert body == {
        "weekday": 2,
        "start_time": "09:00",
        "end_time": "12:00",
        "slot_minutes": 30,
        "valid_from": "2027-01-01",
        "valid_until": None,
        "timezone": "Europe/Berlin",
    }
    listed = client.get(RULES_URL).json()
    assert (listed["count"], listed["results"][0]["id"]) == (1, rule_id)
    assert client.get(_rule_url(rule_id)).json()["slot_minutes"] == 30

    patched = client.patch(_rule_url(rule_id), {"slot_minutes": 45, "valid_from": None})
    assert patched.status_code == 200, patched.content
    assert (patched.json()["slot_minutes"], patched.json()["valid_from"]) == (45, None)
    assert AvailabilityRule.objects.get().slot_minutes == 45

    assert client.delete(_rule_url(rule_id)).status_code == 204
    assert not AvailabilityRule.objects.exists()
    assert_problem(client.get(_rule_url(rule_id)), 404, "rule-not-found")


def test_rules_list_is_ordered_and_paginated(doctor_client, schedule):
    for weekday in (4, 0, 2):
        AvailabilityRuleFactory(doctor=schedule, weekday=weekday)
    AvailabilityRuleFactory()  # someone else's
    body = doctor_client(schedule).get(RULES_URL, {"page_size": 2}).json()
    assert body["count"] == 3
    assert [rule["weekday"] for rule in body["results"]] == [0, 2]
    assert body["next"]


def test_another_doctors_rule_is_not_found(doctor_client, schedule):
    rule = AvailabilityRuleFactory()
    client = doctor_client(schedule)
    before = _snapshot()
    assert_problem(client.get(_rule_url(rule.pk)), 404, "rule-not-found")
    assert_problem(client.patch(_rule_url(rule.pk), {"slot_minutes": 60}), 404)
    assert_problem(client.delete(_rule_url(rule.pk)), 404)
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"weekday": 7}, {"weekday"}),
        ({"weekday": -1}, {"weekday"}),
        ({"weekday": "monday"}, {"weekday"}),
        ({"start_time": "25:00"}, {"start_time"}),
        ({"start_time": "09:00:30"}, {"start_time"}),
        ({"end_time": "09:00"}, {"end_time"}),
        ({"end_time": "08:00"}, {"end_time"}),
        ({"slot_minutes": 4}, {"slot_minutes"}),
        ({"slot_minutes": 241}, {"slot_minutes"}),
        ({"slot_minutes": "half an hour"}, {"slot_minutes"}),
        ({"valid_from": "2027-02-01", "valid_until": "2027-01-31"}, {"valid_until"}),
        ({"valid_from": "01/02/2027"}, {"valid_from"}),
        ({"weekday": None}, {"weekday"}),
    ],
)
def test_rule_bad_input_is_refused_and_stores_nothing(doctor_client, schedule, changes, fields):
    body = assert_problem(doctor_client(schedule).post(RULES_URL, {**RULE_PAYLOAD, **changes}), 400)
    assert error_fields(body) == fields
    assert not AvailabilityRule.objects.exists()


def test_rule_missing_fields_and_malformed_json(doctor_client, schedule):
    client = doctor_client(schedule)
    body = assert_problem(client.post(RULES_URL, {}), 400, "validation-error")
    assert error_fields(body) == {"weekday", "start_time", "end_time", "slot_minutes"}
    response = client.post(RULES_URL, data='{"weekday": ', content_type="application/json")
    assert_problem(response, 400)
    assert not AvailabilityRule.objects.exists()


def test_overlapping_rule_is_refused(doctor_client, working):
    client = doctor_client(working)
    before = _snapshot()
    body = assert_problem(
        client.post(RULES_URL, {**RULE_PAYLOAD, "start_time": "11:30", "end_time": "13:00"}),
        400,
        "rule-overlap",
    )
    assert error_fields(body) == {"start_time"}
    assert _snapshot() == before


def test_rule_patch_refused_changes_nothing(doctor_client, working):
    rule = working.rules.get()
    client = doctor_client(working)
    afternoon = client.post(RULES_URL, {**RULE_PAYLOAD, "start_time": "13:00", "end_time": "17:00"})
    before = _snapshot()
    assert_problem(client.patch(_rule_url(rule.pk), {"end_time": "13:30"}), 400, "rule-overlap")
    assert_problem(client.patch(_rule_url(rule.pk), {"end_time": "08:00"}), 400)
    assert_problem(client.patch(_rule_url(afternoon.json()["id"]), {"slot_minutes": 0}), 400)
    assert _snapshot() == before


def test_editing_and_deleting_a_rule_leaves_held_slots_held(doctor_client, working):
    day = future_date(weekday=2)
    hold = SlotHoldFactory(doctor=working, start=local(day, 10))
    rule = working.rules.get()
    client = doctor_client(working)
    assert client.patch(_rule_url(rule.pk), {"slot_minutes": 45}).status_code == 200
    held = client.get(
        _slots_url(working.doctor_id), {"from": day, "to": day, "include_held": "true"}
    ).json()["results"]
    # New grid 09:00, 09:45, 10:30, 11:15; 09:45-10:30 overlaps the held 10:00-10:30.
    assert [(s["start"], s["held"]) for s in held] == [
        (iso(local(day, 9)), False),
        (iso(local(day, 10)), True),
        (iso(local(day, 10, 30)), False),
        (iso(local(day, 11, 15)), False),
    ]
    assert client.delete(_rule_url(rule.pk)).status_code == 204
    assert SlotHold.objects.get() == hold


# Time off


def test_time_off_lists_the_held_slots_it_overlaps(doctor_client, working):
    day = future_date(weekday=2)
    hold = SlotHoldFactory(doctor=working, start=local(day, 10))
    SlotHoldFactory(doctor=working, start=local(day, 11))
    client = doctor_client(working)
    response = client.post(
        TIME_OFF_URL,
        {
            "start": local(day, 9).astimezone(BERLIN).isoformat(),
            "end": iso(local(day, 10, 30)),
            "reason": "Dentist",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["start"], body["end"], body["reason"]) == (
        iso(local(day, 9)),
        iso(local(day, 10, 30)),
        "Dentist",
    )
    assert body["overlapping_held_slots"] == [
        {
            "id": str(hold.slot_id),
            "start": iso(hold.start),
            "end": iso(hold.end),
            "appointment_id": str(hold.appointment_id),
        }
    ]
    assert SlotHold.objects.count() == 2
    slots = client.get(_slots_url(working.doctor_id), {"from": day, "to": day}).json()["results"]
    assert [s["start"] for s in slots] == [iso(local(day, 10, 30)), iso(local(day, 11, 30))]


def test_time_off_list_and_delete(doctor_client, working):
    mine = TimeOffFactory(doctor=working)
    theirs = TimeOffFactory()
    client = doctor_client(working)
    body = client.get(TIME_OFF_URL).json()
    assert [item["id"] for item in body["results"]] == [mine.pk]
    assert set(body["results"][0]) == {"id", "start", "end", "reason", "created_at"}
    assert_problem(client.delete(_time_off_url(theirs.pk)), 404, "time-off-not-found")
    assert client.delete(_time_off_url(mine.pk)).status_code == 204
    assert list(TimeOff.objects.all()) == [theirs]


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"start": "2027-01-06T10:00:00Z", "end": "2027-01-06T10:00:00Z"}, {"end"}),
        ({"start": "2027-01-06T10:00:00Z", "end": "2027-01-06T09:00:00Z"}, {"end"}),
        ({"start": "tomorrow", "end": "2027-01-06T09:00:00Z"}, {"start"}),
        ({"start": "2027-01-06T10:00:00Z"}, {"end"}),
        # Without an offset: not read as UTC.
        ({"start": "2027-01-06T10:00:00", "end": "2027-01-06T12:00:00"}, {"start", "end"}),
        (
            {"start": "2027-01-06T10:00Z", "end": "2027-01-07T10:00Z", "reason": "x" * 201},
            {"reason"},
        ),
    ],
)
def test_time_off_bad_input_is_refused_and_stores_nothing(doctor_client, schedule, payload, fields):
    body = assert_problem(doctor_client(schedule).post(TIME_OFF_URL, payload), 400)
    assert error_fields(body) == fields
    assert not TimeOff.objects.exists()


def test_time_off_without_an_offset_says_so(doctor_client, schedule):
    body = assert_problem(
        doctor_client(schedule).post(
            TIME_OFF_URL, {"start": "2027-01-06T10:00:00+01:00", "end": "2027-01-06T12:00:00"}
        ),
        400,
        "validation-error",
    )
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("end", "no-offset")]


def _time_off_body(start: datetime.datetime, hours: int = 2) -> dict:
    return {"start": iso(start), "end": iso(start + datetime.timedelta(hours=hours))}


def test_time_off_beyond_the_cap_is_refused_and_stores_nothing(doctor_client, working, settings):
    settings.MAX_TIME_OFF_PER_DOCTOR = 2
    now = dj_timezone.now()
    # Ended time off is history and other doctors' time off is theirs: neither counts.
    TimeOffFactory(doctor=working, start=now - 3 * DAY, end=now - 2 * DAY, reason="Ended")
    TimeOffFactory(start=now + DAY)
    client = doctor_client(working)
    first = local(future_date(weekday=2), 9)
    for week in range(2):
        response = client.post(TIME_OFF_URL, _time_off_body(first + 7 * week * DAY))
        assert response.status_code == 201, response.content
    before = _snapshot()

    body = assert_problem(
        client.post(TIME_OFF_URL, _time_off_body(first + 14 * DAY)), 400, "too-many-time-off"
    )

    assert "at most 2 entries" in body["detail"]
    assert body["errors"][0]["code"] == "too-many-time-off"
    assert _snapshot() == before
    assert TimeOff.objects.filter(doctor=working).count() == 3
    # Removing one makes room again.
    client.delete(_time_off_url(TimeOff.objects.filter(doctor=working).last().pk))
    assert client.post(TIME_OFF_URL, _time_off_body(first + 14 * DAY)).status_code == 201


def test_time_off_that_has_already_ended_is_refused(doctor_client, working):
    now = dj_timezone.now()
    body = assert_problem(
        doctor_client(working).post(
            TIME_OFF_URL, {"start": iso(now - 2 * DAY), "end": iso(now - DAY)}
        ),
        400,
    )
    assert body["errors"] == [
        {"field": "end", "code": "time-off-ended", "detail": "This time off has already ended."}
    ]
    assert not TimeOff.objects.exists()


def test_time_off_that_has_begun_and_not_ended_is_taken(doctor_client, working):
    now = dj_timezone.now()
    response = doctor_client(working).post(
        TIME_OFF_URL, {"start": iso(now - DAY), "end": iso(now + DAY), "reason": "Flu"}
    )
    assert response.status_code == 201, response.content


# Dates outside the window: a 400 naming the window, never an overflow (500), nothing stored.

FAR_DATES = ["9999-12-31", "0001-01-01", "1999-12-31"]
FAR_DATE_TIMES = [
    "9999-12-31T23:59:59+00:00",
    "9999-12-31T23:59:59-01:00",
    "0001-01-01T00:00:00+00:00",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31",
    "0001-01-01",
    "1999-12-31T23:59:59Z",
]


def _assert_out_of_window(response, field: str) -> None:
    body = assert_problem(response, 400, "validation-error")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [(field, "date-out-of-range")]
    assert "Give a date from 2000-01-01 to " in body["errors"][0]["detail"]


@pytest.mark.parametrize("value", FAR_DATES)
@pytest.mark.parametrize("field", ["valid_from", "valid_until"])
def test_rule_dates_outside_the_window_are_400(doctor_client, working, field, value):
    client = doctor_client(working)
    rule = AvailabilityRule.objects.get()
    before = _snapshot()
    _assert_out_of_window(
        client.post(RULES_URL, {**RULE_PAYLOAD, "weekday": 3, field: value}), field
    )
    _assert_out_of_window(client.patch(_rule_url(rule.pk), {field: value}), field)
    assert _snapshot() == before


@pytest.mark.parametrize("value", FAR_DATE_TIMES)
@pytest.mark.parametrize("field", ["start", "end"])
def test_time_off_dates_outside_the_window_are_400(doctor_client, working, field, value):
    start = local(future_date(weekday=2), 9)
    body = {**_time_off_body(start), field: value}
    _assert_out_of_window(doctor_client(working).post(TIME_OFF_URL, body), field)
    assert not TimeOff.objects.exists()


@pytest.mark.parametrize("value", FAR_DATES)
@pytest.mark.parametrize("params", [("from",), ("to",), ("from", "to")])
def test_slot_listing_dates_outside_the_window_are_400(make_client, working, params, value):
    response = make_client("patient").get(
        _slots_url(working.doctor_id), dict.fromkeys(params, value)
    )
    body = assert_problem(response, 400, "validation-error")
    assert {(e["field"], e["code"]) for e in body["errors"]} == {
        (name, "date-out-of-range") for name in params
    }


def test_the_window_runs_from_2000_to_ten_years_ahead(make_client, doctor_client, working):
    first, last = date_window()
    today = dj_timezone.now().date()
    assert (first, last) == (datetime.date(2000, 1, 1), today.replace(year=today.year + 10))
    client = make_client("patient")
    for day in (first, last):
        response = client.get(_slots_url(working.doctor_id), {"from": day, "to": day})
        assert response.status_code == 200, response.content
    _assert_out_of_window(client.get(_slots_url(working.doctor_id), {"from": last + DAY}), "from")
    _assert_out_of_window(
        doctor_client(working).post(
            TIME_OFF_URL, {"start": iso(local(last, 9)), "end": iso(local(last + DAY, 9))}
        ),
        "end",
    )
    created = doctor_client(working).post(
        RULES_URL, {**RULE_PAYLOAD, "weekday": 3, "valid_from": "2000-01-01", "valid_until": last}
    )
    assert created.status_code == 201, created.content


# Booking policy


def test_policy_get_and_patch(doctor_client, schedule):
    client = doctor_client(schedule)
    body = client.get(POLICY_URL).json()
    assert body == {
        "doctor_id": str(schedule.doctor_id),
        "timezone": "Europe/Berlin",
        "min_notice_minutes": 60,
        "horizon_days": 90,
        "buffer_minutes": 0,
        "cancel_cutoff_hours": 24,
        "reschedule_cutoff_hours": 24,
        "updated_at": body["updated_at"],
    }
    response = client.patch(
        POLICY_URL, {"buffer_minutes": 10, "horizon_days": 30, "timezone": "UTC"}
    )
    assert response.status_code == 200
    assert (response.json()["buffer_minutes"], response.json()["horizon_days"]) == (10, 30)
    schedule.refresh_from_db()
    assert (schedule.buffer_minutes, schedule.horizon_days, schedule.timezone) == (
        10,
        30,
        "Europe/Berlin",
    )


@pytest.mark.parametrize(
    "payload",
    [
        {"min_notice_minutes": -1},
        {"min_notice_minutes": 10081},
        {"horizon_days": 0},
        {"horizon_days": 366},
        {"buffer_minutes": 241},
        {"cancel_cutoff_hours": 721},
        {"reschedule_cutoff_hours": "soon"},
        {"buffer_minutes": 10, "horizon_days": 400},
    ],
)
def test_policy_bad_values_change_nothing(doctor_client, schedule, payload):
    before = _snapshot()
    assert_problem(doctor_client(schedule).patch(POLICY_URL, payload), 400, "validation-error")
    assert _snapshot() == before


# Slots


@pytest.mark.parametrize("role", ["patient", "doctor", "staff"])
def test_any_user_lists_a_doctors_slots(make_client, working, role):
    day = future_date(weekday=2)
    response = make_client(role).get(_slots_url(working.doctor_id), {"from": day, "to": day})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 6
    first = body["results"][0]
    assert set(first) == {"id", "doctor_id", "start", "end"}
    assert (first["doctor_id"], first["start"], first["end"]) == (
        str(working.doctor_id),
        iso(local(day, 9)),
        iso(local(day, 9, 30)),
    )


def test_slot_ids_are_stable_across_calls_and_callers(make_client, working):
    day = future_date(weekday=2)
    params = {"from": day, "to": day + 7 * DAY}
    ids = [
        [
            s["id"]
            for s in make_client(role).get(_slots_url(working.doctor_id), params).json()["results"]
        ]
        for role in ("patient", "patient", "doctor")
    ]
    assert ids[0] == ids[1] == ids[2]
    assert len(set(ids[0])) == 12


def _every_day(schedule: DoctorSchedule) -> DoctorSchedule:
    for weekday in range(7):
        AvailabilityRuleFactory(doctor=schedule, weekday=weekday)
    return schedule


def _starts(response) -> list[datetime.datetime]:
    assert response.status_code == 200, response.content
    return [datetime.datetime.fromisoformat(s["start"]) for s in response.json()["results"]]


def test_default_range_is_a_week_from_today(make_client, schedule):
    url = _slots_url(_every_day(schedule).doctor_id)
    starts = _starts(make_client("patient").get(url, {"page_size": 100}))
    today = dj_timezone.now().astimezone(BERLIN).date()
    dates = {start.astimezone(BERLIN).date() for start in starts}
    assert {today + n * DAY for n in range(1, 7)} <= dates <= {today + n * DAY for n in range(7)}
    assert min(starts) >= dj_timezone.now() + datetime.timedelta(minutes=60)


def test_listing_obeys_notice_and_horizon(make_client, schedule):
    _every_day(schedule)
    schedule.min_notice_minutes = 3 * 24 * 60
    schedule.horizon_days = 10
    schedule.save()
    today = dj_timezone.now().astimezone(BERLIN).date()
    response = make_client("patient").get(
        _slots_url(schedule.doctor_id), {"from": today, "to": today + 13 * DAY, "page_size": 100}
    )
    starts, now = _starts(response), dj_timezone.now()
    assert now + 3 * DAY <= min(starts) < now + 4 * DAY
    assert now + 9 * DAY < max(starts) <= now + 10 * DAY


def test_unknown_doctor_has_no_slots(make_client):
    response = make_client("patient").get(_slots_url(uuid.uuid4()))
    assert (response.status_code, response.json()["count"]) == (200, 0)


def test_malformed_doctor_id_is_a_404(make_client):
    assert_problem(make_client("patient").get("/api/v1/doctors/not-a-uuid/slots/"), 404)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2027-13-01"}, "from"),
        ({"from": "tomorrow"}, "from"),
        ({"to": "2027/01/01"}, "to"),
        ({"from": "2027-01-10", "to": "2027-01-09"}, "to"),
        ({"from": "2027-01-01", "to": "2027-03-04"}, "to"),  # 63 days
        ({"include_held": "maybe"}, "include_held"),
    ],
)
def test_bad_slot_ranges_are_400(make_client, working, params, field):
    body = assert_problem(make_client("patient").get(_slots_url(working.doctor_id), params), 400)
    assert error_fields(body) == {field}


def test_the_widest_range_is_62_days(make_client, working):
    response = make_client("patient").get(
        _slots_url(working.doctor_id), {"from": "2027-01-01", "to": "2027-03-03"}
    )
    assert response.status_code == 200


def test_held_slots_are_for_the_doctor_only(make_client, doctor_client, working):
    day = future_date(weekday=2)
    hold = SlotHoldFactory(doctor=working, start=local(day, 9, 30))
    params = {"from": day, "to": day, "include_held": "true"}
    for client in (make_client("patient"), make_client("staff"), doctor_client()):
        assert_problem(
            client.get(_slots_url(working.doctor_id), params), 403, "held-slots-forbidden"
        )
    own = doctor_client(working).get(_slots_url(working.doctor_id), params).json()["results"]
    assert [(s["start"], s["held"], s["appointment_id"]) for s in own[:2]] == [
        (iso(local(day, 9)), False, None),
        (iso(local(day, 9, 30)), True, str(hold.appointment_id)),
    ]
    assert own[1]["id"] == str(hold.slot_id)
    public = make_client("patient").get(_slots_url(working.doctor_id), {"from": day, "to": day})
    assert iso(local(day, 9, 30)) not in {s["start"] for s in public.json()["results"]}


def _first_in_month(month: int) -> datetime.date:
    """The first Wednesday of the next ``month`` that is at least a week away."""
    day = future_date("America/New_York", weekday=2)
    while day.month != month:
        day += 7 * DAY
    return day


@pytest.mark.parametrize(("month", "hour"), [(1, 14), (7, 13)])
def test_new_york_nine_oclock_is_utc_14_in_winter_and_13_in_summer(make_client, month, hour):
    schedule = DoctorScheduleFactory(timezone="America/New_York", horizon_days=365)
    AvailabilityRuleFactory(
        doctor=schedule, start_time=datetime.time(9), end_time=datetime.time(10)
    )
    day = _first_in_month(month)
    body = (
        make_client("patient").get(_slots_url(schedule.doctor_id), {"from": day, "to": day}).json()
    )
    assert [s["start"][11:16] for s in body["results"]] == [f"{hour}:00", f"{hour}:30"]


def test_listing_obeys_the_buffer(make_client, working):
    working.buffer_minutes = 30
    working.save()
    day = future_date(weekday=2)
    SlotHoldFactory(doctor=working, start=local(day, 10))  # blocks 10:00-11:00
    response = make_client("patient").get(_slots_url(working.doctor_id), {"from": day, "to": day})
    # 09:30 would block until 10:30, crowding the held slot; 10:30 starts in its buffer.
    assert _starts(response) == [local(day, 9), local(day, 11), local(day, 11, 30)]


def test_slot_listing_pagination(make_client, working):
    day = future_date(weekday=2)
    client = make_client("patient")
    page = client.get(
        _slots_url(working.doctor_id), {"from": day, "to": day, "page_size": 4}
    ).json()
    assert (page["count"], len(page["results"])) == (6, 4)
    second = client.get(page["next"]).json()
    assert len(second["results"]) == 2 and second["next"] is None


def _round_the_clock(schedule: DoctorSchedule) -> DoctorSchedule:
    """5-minute slots every day from 00:00 to 23:55 (287 a day)."""
    for weekday in range(7):
        AvailabilityRuleFactory(
            doctor=schedule,
            weekday=weekday,
            start_time=datetime.time(0),
            end_time=datetime.time(23, 55),
            slot_minutes=5,
        )
    return schedule


def test_a_week_of_five_minute_slots_comes_in_one_page(
    make_client, schedule, django_assert_num_queries
):
    _round_the_clock(schedule)
    first = future_date(weekday=0)
    client = make_client("patient")
    with django_assert_num_queries(3):  # schedule, rules, time off and holds (one UNION ALL)
        response = client.get(
            _slots_url(schedule.doctor_id),
            {"from": first, "to": first + 6 * DAY, "page_size": 2016},
        )
    assert response.status_code == 200, response.content
    body = response.json()
    # 7 * 287, less the hour a spring-forward change may take out of the week.
    assert body["count"] in (7 * 287, 7 * 287 - 12)
    assert len(body["results"]) == body["count"]
    assert body["next"] is None
    starts = [s["start"] for s in body["results"]]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)


def test_a_slot_page_holds_at_most_2016(make_client, schedule):
    _round_the_clock(schedule)
    first = future_date(weekday=0)
    body = (
        make_client("patient")
        .get(
            _slots_url(schedule.doctor_id),
            {"from": first, "to": first + 7 * DAY, "page_size": 5000},
        )
        .json()
    )
    assert body["count"] > 2016
    assert len(body["results"]) == 2016
    assert "page=2" in body["next"]


def test_other_lists_still_stop_at_100(doctor_client, schedule):
    for weekday in range(7):
        for hour in range(16):
            AvailabilityRuleFactory(
                doctor=schedule,
                weekday=weekday,
                start_time=datetime.time(hour),
                end_time=datetime.time(hour, 30),
            )
    body = doctor_client(schedule).get(RULES_URL, {"page_size": 2016}).json()
    assert (body["count"], len(body["results"])) == (112, 100)


def test_listing_survives_user_service_being_down_with_a_stale_zone(
    make_client, working, user_service
):
    working.timezone_checked_at = None
    working.save()
    user_service.error = ServiceUnavailable()
    day = future_date(weekday=2)
    response = make_client("patient").get(_slots_url(working.doctor_id), {"from": day, "to": day})
    assert response.json()["count"] == 6


def _busy_doctor(rules: int, holds: int) -> DoctorSchedule:
    schedule = DoctorScheduleFactory(horizon_days=365)
    windows = [(datetime.time(8), datetime.time(12)), (datetime.time(13), datetime.time(18))]
    made = 0
    for weekday in range(7):
        for start, end in windows:
            if made < rules:
                AvailabilityRuleFactory(
                    doctor=schedule, weekday=weekday, start_time=start, end_time=end
                )
                made += 1
    first = future_date(weekday=0)
    day = first
    while SlotHold.objects.filter(doctor=schedule).count() < holds:
        if schedule.rules.filter(weekday=day.weekday()).exists():
            for hour in (8, 9, 10, 11, 13, 14, 15, 16):
                if SlotHold.objects.filter(doctor=schedule).count() < holds:
                    SlotHoldFactory(doctor=schedule, start=local(day, hour))
        day += DAY
    return schedule


@pytest.mark.parametrize(("rules", "holds"), [(1, 0), (10, 50)])
def test_listing_a_month_takes_a_constant_number_of_queries(
    make_client, django_assert_num_queries, rules, holds
):
    schedule = _busy_doctor(rules, holds)
    first = future_date(weekday=0)
    client = make_client("patient")
    with django_assert_num_queries(3):  # schedule, rules, time off and holds (one UNION ALL)
        response = client.get(
            _slots_url(schedule.doctor_id),
            {"from": first, "to": first + 30 * DAY, "page_size": 100},
        )
    assert response.status_code == 200
    assert response.json()["count"] > 0
    assert SlotHold.objects.count() == holds


# One slot


@pytest.fixture
def wednesday_nine(schedule):
    """The id and start of the 09:00 slot of a Wednesday a week or more away (Berlin)."""
    AvailabilityRuleFactory(doctor=schedule)  # Wednesdays 09:00-12:00, 30 minutes
    start = local(future_date(weekday=2), 9)
    return slot_id(schedule, start), start


def test_anyone_signed_in_gets_a_slot_and_whether_it_is_bookable(
    make_client, schedule, wednesday_nine
):
    slot, start = wednesday_nine

    response = make_client("patient").get(f"/api/v1/slots/{slot}/")

    assert response.status_code == 200
    assert response.json() == {
        "id": str(slot),
        "doctor_id": str(schedule.doctor_id),
        "start": iso(start),
        "end": iso(start + datetime.timedelta(minutes=30)),
        "bookable": True,
    }


def test_a_held_slot_is_not_bookable_and_its_holder_is_not_shown(
    make_client, schedule, wednesday_nine
):
    slot, start = wednesday_nine
    SlotHoldFactory(doctor=schedule, start=start)

    body = make_client("patient").get(f"/api/v1/slots/{slot}/").json()

    assert body["bookable"] is False
    assert "appointment_id" not in body
    assert "held" not in body


def test_a_slot_in_time_off_is_not_bookable(make_client, schedule, wednesday_nine):
    slot, start = wednesday_nine
    TimeOffFactory(
        doctor=schedule,
        start=start - datetime.timedelta(hours=1),
        end=start + datetime.timedelta(hours=1),
    )

    assert make_client("patient").get(f"/api/v1/slots/{slot}/").json()["bookable"] is False


@pytest.mark.parametrize(
    "start",
    [
        datetime.datetime(9999, 12, 31, 23, 0, tzinfo=datetime.UTC),  # Berlin: year 10000
        datetime.datetime(1999, 12, 29, 8, 0, tzinfo=datetime.UTC),
    ],
)
def test_a_slot_id_outside_the_date_window_is_404(make_client, schedule, start):
    AvailabilityRuleFactory(doctor=schedule, weekday=start.weekday())
    response = make_client("patient").get(f"/api/v1/slots/{slot_id(schedule, start)}/")
    assert_problem(response, 404, "slot-not-found")


@pytest.mark.parametrize(
    "slot",
    [uuid.UUID(int=0), uuid.uuid4(), "00000000-0000-8000-8000-000000000000"],
)
def test_an_id_that_is_no_slot_is_404(make_client, schedule, slot):
    assert_problem(make_client("patient").get(f"/api/v1/slots/{slot}/"), 404, "slot-not-found")


def test_a_slot_no_rule_makes_is_404(make_client, schedule, wednesday_nine):
    _, start = wednesday_nine
    ten_past = slot_id(schedule, start + datetime.timedelta(minutes=10))

    assert_problem(make_client("patient").get(f"/api/v1/slots/{ten_past}/"), 404, "slot-not-found")


def test_one_slot_needs_a_user_token(anon_client, service_client, wednesday_nine):
    slot, _ = wednesday_nine
    assert_problem(anon_client.get(f"/api/v1/slots/{slot}/"), 401, "not-authenticated")
    service = service_client("slots:read")
    assert_problem(service.get(f"/api/v1/slots/{slot}/"), 403, "permission-denied")


@pytest.mark.parametrize("name", list(forged_tokens(uuid.uuid4())))
def test_one_slot_refuses_forged_tokens(wednesday_nine, name):
    slot, _ = wednesday_nine
    client = BearerClient(forged_tokens(uuid.uuid4())[name])
    assert client.get(f"/api/v1/slots/{slot}/").status_code == 401
