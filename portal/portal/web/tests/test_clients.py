"""The portal's door to the services, tested against a real local HTTP server."""

from __future__ import annotations

import datetime
import uuid
from importlib import import_module

import pytest
from django.conf import settings
from django.test import RequestFactory

from common.errors import ServiceUnavailable
from common.testing import user_token
from portal.web import auth, clients
from portal.web.clients import ApiProblem
from portal.web.tests.helpers import (
    SERVICE_TOKEN,
    appointment_body,
    doctor_body,
    paginated,
    problem_body,
    profile_body,
    sent,
    slot_body,
    specialty_body,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
START = datetime.datetime(2030, 3, 4, 9, tzinfo=UTC)


@pytest.fixture
def person_id():
    return uuid.uuid4()


@pytest.fixture
def request_(person_id):
    """A request whose session holds a live sign-in (the access token is the person's)."""
    request = RequestFactory().get("/")
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    auth.sign_in(
        request,
        access=user_token(person_id, "patient"),
        refresh="refresh-1",
        email="ada@example.com",
        full_name="Ada Lovelace",
        time_zone=None,
    )
    return request


def access_of(request) -> str:
    return request.session[auth.SESSION_KEY]["access"]


# Errors


def test_a_refusal_becomes_an_api_problem_with_its_field_errors(api, request_):
    errors = [{"field": "reason", "code": "max_length", "detail": "Too long."}, "junk"]
    api.route(
        "POST",
        "/api/v1/appointments/",
        status=400,
        json=problem_body(400, "validation-error", detail="Invalid.", errors=errors),
    )

    with pytest.raises(ApiProblem) as raised:
        clients.appointment_create(request_, slot_id=uuid.uuid4(), reason="x", idempotency_key="k")

    problem = raised.value
    assert (problem.status, problem.code, problem.detail) == (400, "validation-error", "Invalid.")
    assert problem.errors == [errors[0]]
    assert problem.body["code"] == "validation-error"
    assert str(problem) == "400 validation-error: Invalid."


@pytest.mark.parametrize("body", [["a", "list"], "text", {"errors": "not a list"}])
def test_a_refusal_without_a_problem_body_is_unknown(api, request_, body):
    api.route("GET", "/api/v1/policy/", status=403, json=body)

    with pytest.raises(ApiProblem) as raised:
        clients.schedule_policy_get(request_)

    assert (raised.value.status, raised.value.code, raised.value.errors) == (403, "unknown", [])


def test_a_refusal_that_is_not_json_is_unknown(api, request_):
    api.route(
        "GET", "/api/v1/policy/", status=418, body=b"<html>teapot</html>", content_type="text/html"
    )

    with pytest.raises(ApiProblem) as raised:
        clients.schedule_policy_get(request_)

    assert raised.value.code == "unknown"


@pytest.mark.parametrize(
    "body",
    [
        {"id": "not-a-uuid"},
        paginated([{"id": str(uuid.uuid4())}]),
        {"count": 1, "results": [{"start": "2030-03-04T09:00:00"}]},  # naive
        None,
    ],
)
def test_an_unusable_answer_is_the_services_failure(api, request_, body):
    if body is None:
        api.route("GET", "/api/v1/appointments/", body=b"not json", content_type="text/plain")
    else:
        api.route("GET", "/api/v1/appointments/", json=body)

    with pytest.raises(ServiceUnavailable):
        clients.appointment_list(request_)


def test_a_naive_time_is_unusable(api, request_, person_id):
    body = appointment_body(patient_id=person_id, doctor_id=uuid.uuid4(), start=START)
    body["start"] = "2030-03-04T09:00:00"
    api.route("GET", f"/api/v1/appointments/{body['id']}/", json=body)

    with pytest.raises(ServiceUnavailable):
        clients.appointment_get(request_, appointment_id=uuid.UUID(body["id"]))


def test_a_service_that_is_down_is_unavailable(api, request_):
    api.stop()

    with pytest.raises(ServiceUnavailable):
        clients.user_doctor_list(request_)


# Tokens


def test_calls_carry_the_persons_token_and_anonymous_ones_none(api, request_):
    api.route("GET", "/api/v1/doctors/", json=paginated([]))
    api.route("GET", "/api/v1/specialties/", json=paginated([]))

    clients.user_doctor_list(request_)
    clients.user_specialty_list()

    doctors, specialties = sent(api)
    assert doctors.bearer == access_of(request_)
    assert specialties.bearer is None
    assert "Authorization" not in specialties.headers


def test_a_401_renews_the_token_once_and_repeats_the_call(api, request_, person_id):
    fresh = user_token(person_id, "patient")
    api.route("POST", "/api/v1/auth/token/refresh", json={"access": fresh, "refresh": "refresh-2"})
    api.route("GET", "/api/v1/policy/", json={"x": 1})
    api.route("GET", "/api/v1/policy/", status=401, json=problem_body(401, "x"), times=1)
    old = access_of(request_)

    with pytest.raises(ServiceUnavailable):  # the answer is unusable, but it was received
        clients.schedule_policy_get(request_)

    assert [c.bearer for c in sent(api, "GET")] == [old, fresh]
    assert request_.session[auth.SESSION_KEY]["refresh"] == "refresh-2"


def test_a_refused_renewal_ends_the_sign_in(api, request_):
    api.route("POST", "/api/v1/auth/token/refresh", status=401, json=problem_body(401, "x"))
    api.route("GET", "/api/v1/policy/", status=401, json=problem_body(401, "x"))

    with pytest.raises(auth.SignInRequired):
        clients.schedule_policy_get(request_)

    assert auth.current_person(request_) is None
    assert request_.session[auth.ENDED_KEY] is True
    assert len(sent(api, "GET")) == 1


def test_a_renewal_with_an_unusable_answer_is_the_services_failure(api, request_):
    api.route("POST", "/api/v1/auth/token/refresh", json={"nothing": "useful"})
    api.route("GET", "/api/v1/policy/", status=401, json=problem_body(401, "x"))

    with pytest.raises(ServiceUnavailable):
        clients.schedule_policy_get(request_)


# auth_service


def test_register_and_token(api):
    account_id = uuid.uuid4()
    api.route(
        "POST",
        "/api/v1/auth/register",
        status=201,
        json={"id": str(account_id), "email": "a@example.com", "role": "patient"},
    )
    api.route("POST", "/api/v1/auth/token", json={"access": "a", "refresh": "r"})

    browser = RequestFactory().post("/sign-in", REMOTE_ADDR="203.0.113.9")

    account = clients.auth_register(browser, data={"email": "a@example.com"})
    tokens = clients.auth_token(browser, email="a@example.com", password="pw")

    assert account == clients.Account(id=account_id, email="a@example.com", role="patient")
    assert tokens == clients.Tokens(access="a", refresh="r")
    # Each names the browser to auth_service, vouched for by the portal's own token.
    for call in sent(api, "POST"):
        assert call.headers["X-Client-Address"] == "203.0.113.9"
        assert call.headers["X-Forwarder-Token"] == SERVICE_TOKEN
        assert "Authorization" not in call.headers


def test_the_browser_address_comes_from_the_trusted_proxy(api, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    api.route("POST", "/api/v1/auth/token", json={"access": "a", "refresh": "r"})
    browser = RequestFactory().post(
        "/sign-in", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.4"
    )

    clients.auth_token(browser, email="a@example.com", password="pw")

    [call] = sent(api, "POST", "/api/v1/auth/token")
    assert call.headers["X-Client-Address"] == "198.51.100.4"


def test_logout_ignores_a_token_that_is_already_dead(api):
    api.route("POST", "/api/v1/auth/logout", status=401, json=problem_body(401, "x"))

    clients.auth_logout(refresh_token="r")

    [call] = sent(api)
    assert call.json == {"refresh": "r"}


def test_profile_me_uses_the_token_just_obtained(api):
    api.route("GET", "/api/v1/profiles/me/", json={"full_name": "Ada", "timezone": None})

    assert clients.user_profile_me(access="tok") == clients.Me(full_name="Ada", timezone=None)
    assert sent(api)[0].bearer == "tok"


def test_profile_me_refused_is_a_problem(api):
    api.route("GET", "/api/v1/profiles/me/", status=404, json=problem_body(404, "not-found"))

    with pytest.raises(ApiProblem):
        clients.user_profile_me(access="tok")


# user_service


def test_specialties_are_cached_for_a_minute(api):
    api.route("GET", "/api/v1/specialties/", json=paginated([specialty_body()]))

    first = clients.user_specialty_list()
    second = clients.user_specialty_list()

    assert first == second == [clients.Specialty(slug="cardiology", name="Cardiology")]
    assert len(sent(api)) == 1


def test_doctor_get(api, request_):
    body = doctor_body(bio="")
    body["bio"] = None
    api.route("GET", f"/api/v1/doctors/{body['id']}/", json=body)

    doctor = clients.user_doctor_get(request_, doctor_id=uuid.UUID(body["id"]))

    assert doctor.full_name == "Dr Grace Hopper"
    assert doctor.bio == ""
    assert doctor.specialty.name == "Cardiology"


def test_profiles_come_from_one_call_with_the_service_token(api, service_tokens):
    doctor, patient, unknown = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    api.route(
        "GET",
        "/internal/v1/profiles/",
        json=paginated(
            [profile_body(doctor), profile_body(patient, role="patient", full_name="Ada")]
        ),
    )

    profiles = clients.user_profiles([doctor, patient, unknown, doctor])

    assert set(profiles) == {doctor, patient}
    assert profiles[doctor].specialty == clients.Specialty("cardiology", "Cardiology")
    assert profiles[patient] == clients.Profile(id=patient, role="patient", full_name="Ada")
    [call] = sent(api)
    assert call.params == {
        "ids": ",".join(sorted(str(i) for i in (doctor, patient, unknown))),
        "page_size": "100",
    }
    assert call.bearer == SERVICE_TOKEN
    assert service_tokens.audiences == ["user_service"]


def test_profiles_of_nobody_need_no_call(api):
    assert clients.user_profiles([]) == {}
    assert api.requests == []


def test_profiles_refused_is_a_problem(api):
    api.route("GET", "/internal/v1/profiles/", status=400, json=problem_body(400, "too-many-ids"))

    with pytest.raises(ApiProblem):
        clients.user_profiles([uuid.uuid4()])


def test_profiles_with_a_service_token_refused_twice_is_the_services_failure(api, service_tokens):
    api.route("GET", "/internal/v1/profiles/", status=401, json=problem_body(401, "x"))

    with pytest.raises(ServiceUnavailable):
        clients.user_profiles([uuid.uuid4()])

    assert service_tokens.invalidated == ["user_service"]
    assert len(sent(api)) == 2


# schedule_service


def test_slot_list_asks_for_local_dates_and_held_slots_on_request(api, request_):
    doctor = uuid.uuid4()
    appointment = uuid.uuid4()
    api.route(
        "GET",
        f"/api/v1/doctors/{doctor}/slots/",
        json=paginated(
            [
                slot_body(START, doctor_id=doctor),
                slot_body(START, doctor_id=doctor, held=True, appointment_id=appointment),
            ]
        ),
    )

    free, held = clients.schedule_slot_list(
        request_,
        doctor_id=doctor,
        first=datetime.date(2030, 3, 3),
        last=datetime.date(2030, 3, 11),
        include_held=True,
        page_size=50,
    )

    assert (free.held, free.appointment_id, free.bookable) == (False, None, True)
    assert (held.held, held.appointment_id) == (True, appointment)
    assert free.start == START and free.end == START + datetime.timedelta(minutes=30)
    assert sent(api)[0].params == {
        "from": "2030-03-03",
        "to": "2030-03-11",
        "page_size": "50",
        "include_held": "true",
    }


def test_slot_get_says_whether_it_is_bookable(api, request_):
    body = slot_body(START, doctor_id=uuid.uuid4(), bookable=False)
    api.route("GET", f"/api/v1/slots/{body['id']}/", json=body)

    slot = clients.schedule_slot_get(request_, slot_id=uuid.UUID(body["id"]))

    assert slot.bookable is False


RULE = {
    "id": 7,
    "weekday": 0,
    "start_time": "09:00",
    "end_time": "12:30",
    "slot_minutes": 30,
    "valid_from": "2030-01-01",
    "valid_until": None,
    "timezone": "Europe/London",
}
TIME_OFF = {
    "id": 3,
    "start": "2030-03-04T00:00:00Z",
    "end": "2030-03-05T00:00:00Z",
    "reason": "Conference",
    "created_at": "2030-01-01T00:00:00Z",
}
POLICY = {
    "doctor_id": str(uuid.uuid4()),
    "timezone": "Europe/London",
    "min_notice_minutes": 120,
    "horizon_days": 56,
    "buffer_minutes": 0,
    "cancel_cutoff_hours": 24,
    "reschedule_cutoff_hours": 12,
    "updated_at": "2030-01-01T00:00:00Z",
}


def test_doctor_schedule_calls(api, request_):
    api.route("GET", "/api/v1/availability/", json=paginated([RULE]))
    api.route("POST", "/api/v1/availability/", status=201, json=RULE)
    api.route("GET", "/api/v1/availability/7/", json=RULE)
    api.route("PATCH", "/api/v1/availability/7/", json={**RULE, "slot_minutes": 15})
    api.route("DELETE", "/api/v1/availability/7/", status=204)
    api.route("DELETE", "/api/v1/availability/8/", status=404, json=problem_body(404, "x"))
    api.route("GET", "/api/v1/time-off/", json=paginated([TIME_OFF]))
    held = {
        "id": str(uuid.uuid4()),
        "start": "2030-03-04T09:00:00Z",
        "end": "2030-03-04T09:30:00Z",
        "appointment_id": str(uuid.uuid4()),
    }
    api.route(
        "POST", "/api/v1/time-off/", status=201, json={**TIME_OFF, "overlapping_held_slots": [held]}
    )
    api.route("DELETE", "/api/v1/time-off/3/", status=204)
    api.route("GET", "/api/v1/policy/", json=POLICY)
    api.route("PATCH", "/api/v1/policy/", json={**POLICY, "buffer_minutes": 10})

    [rule] = clients.schedule_rule_list(request_)
    created = clients.schedule_rule_create(request_, data={"weekday": 0})
    fetched = clients.schedule_rule_get(request_, rule_id=7)
    updated = clients.schedule_rule_update(request_, rule_id=7, data={"slot_minutes": 15})
    clients.schedule_rule_delete(request_, rule_id=7)
    clients.schedule_rule_delete(request_, rule_id=8)  # already gone: fine
    [off] = clients.schedule_time_off_list(request_)
    made = clients.schedule_time_off_create(request_, data={"start": "x"})
    clients.schedule_time_off_delete(request_, time_off_id=3)
    policy = clients.schedule_policy_get(request_)
    changed = clients.schedule_policy_update(request_, data={"buffer_minutes": 10})

    assert rule == created == fetched
    assert (rule.start_time, rule.end_time) == (datetime.time(9), datetime.time(12, 30))
    assert (rule.valid_from, rule.valid_until) == (datetime.date(2030, 1, 1), None)
    assert updated.slot_minutes == 15
    assert off.reason == "Conference" and off.held_slots == ()
    assert [s.appointment_id for s in made.held_slots] == [uuid.UUID(held["appointment_id"])]
    assert made.held_slots[0].held is True
    assert policy.cancel_cutoff_hours == 24 and changed.buffer_minutes == 10
    assert [(c.method, c.path, c.json) for c in sent(api) if c.method != "GET"] == [
        ("POST", "/api/v1/availability/", {"weekday": 0}),
        ("PATCH", "/api/v1/availability/7/", {"slot_minutes": 15}),
        ("DELETE", "/api/v1/availability/7/", None),
        ("DELETE", "/api/v1/availability/8/", None),
        ("POST", "/api/v1/time-off/", {"start": "x"}),
        ("DELETE", "/api/v1/time-off/3/", None),
        ("PATCH", "/api/v1/policy/", {"buffer_minutes": 10}),
    ]
    assert {c.bearer for c in sent(api)} == {access_of(request_)}


def test_a_delete_refused_for_another_reason_is_a_problem(api, request_):
    api.route("DELETE", "/api/v1/availability/7/", status=409, json=problem_body(409, "x"))

    with pytest.raises(ApiProblem):
        clients.schedule_rule_delete(request_, rule_id=7)


# appointment_service


def test_appointment_list_sends_the_filters(api, request_, person_id):
    body = appointment_body(patient_id=person_id, doctor_id=uuid.uuid4(), start=START)
    api.route(
        "GET",
        "/api/v1/appointments/",
        json=paginated([body], count=30, next_url="http://x/?page=3", previous_url="http://x/"),
    )

    page = clients.appointment_list(
        request_,
        status="upcoming",
        start_from=START,
        start_to=START + datetime.timedelta(days=1),
        page=2,
        page_size=5,
    )

    assert (page.count, page.has_next, page.has_previous) == (30, True, True)
    assert sent(api)[0].params == {
        "page": "2",
        "page_size": "5",
        "status": "upcoming",
        "from": "2030-03-04T09:00:00+00:00",
        "to": "2030-03-05T09:00:00+00:00",
    }


def test_an_appointment_and_its_cut_offs(api, request_, person_id):
    body = appointment_body(
        patient_id=person_id,
        doctor_id=uuid.uuid4(),
        start=START,
        cancel_cutoff_hours=24,
        reschedule_cutoff_hours=2,
        reason="",
    )
    body["reason"] = None
    api.route("GET", f"/api/v1/appointments/{body['id']}/", json=body)

    appointment = clients.appointment_get(request_, appointment_id=uuid.UUID(body["id"]))

    assert appointment.reason == ""
    assert appointment.late_cancel_from == START - datetime.timedelta(hours=24)
    assert appointment.changes_close_at == START - datetime.timedelta(hours=2)


def test_an_appointment_without_cut_offs_reads_them_as_zero(api, request_, person_id):
    body = appointment_body(patient_id=person_id, doctor_id=uuid.uuid4(), start=START)
    del body["cancel_cutoff_hours"], body["reschedule_cutoff_hours"]
    api.route("GET", f"/api/v1/appointments/{body['id']}/", json=body)

    appointment = clients.appointment_get(request_, appointment_id=uuid.UUID(body["id"]))

    assert appointment.late_cancel_from == appointment.changes_close_at == START


def test_appointment_changes_send_their_bodies(api, request_, person_id):
    body = appointment_body(patient_id=person_id, doctor_id=uuid.uuid4(), start=START)
    base = f"/api/v1/appointments/{body['id']}"
    appointment_id = uuid.UUID(body["id"])
    slot_id = uuid.uuid4()
    api.route("POST", "/api/v1/appointments/", status=201, json=body)
    api.route("PATCH", f"{base}/", json=body)
    api.route("POST", f"{base}/reschedule", json=body)
    api.route("POST", f"{base}/cancel", json={**body, "status": "cancelled"})
    api.route("POST", f"{base}/complete", json={**body, "status": "completed"})
    api.route(
        "GET",
        f"{base}/history",
        json=paginated(
            [
                {
                    "at": "2030-01-01T00:00:00Z",
                    "actor_id": None,
                    "actor_role": "system",
                    "action": "booked",
                    "data": None,
                }
            ]
        ),
    )

    clients.appointment_create(request_, slot_id=slot_id, reason="Why", idempotency_key="key-1")
    clients.appointment_update(request_, appointment_id=appointment_id, reason="New")
    clients.appointment_reschedule(request_, appointment_id=appointment_id, slot_id=slot_id)
    cancelled = clients.appointment_cancel(request_, appointment_id=appointment_id, reason="")
    completed = clients.appointment_complete(
        request_, appointment_id=appointment_id, outcome="no_show"
    )
    [event] = clients.appointment_history(request_, appointment_id=appointment_id)

    assert cancelled.status == "cancelled" and completed.status == "completed"
    assert event == clients.Event(
        at=datetime.datetime(2030, 1, 1, tzinfo=UTC), actor_role="system", action="booked", data={}
    )
    create, *others = [c for c in sent(api) if c.method != "GET"]
    assert create.headers["Idempotency-Key"] == "key-1"
    assert create.json == {"slot_id": str(slot_id), "reason": "Why"}
    assert [(c.method, c.path, c.json) for c in others] == [
        ("PATCH", f"{base}/", {"reason": "New"}),
        ("POST", f"{base}/reschedule", {"slot_id": str(slot_id)}),
        ("POST", f"{base}/cancel", {"reason": ""}),
        ("POST", f"{base}/complete", {"outcome": "no_show"}),
    ]
    assert all("Idempotency-Key" not in c.headers for c in others)


def test_a_booking_is_retried_on_503_with_the_same_key(api, request_, person_id):
    body = appointment_body(patient_id=person_id, doctor_id=uuid.uuid4(), start=START)
    api.route("POST", "/api/v1/appointments/", status=201, json=body)
    api.route("POST", "/api/v1/appointments/", status=503, json={}, times=1)

    clients.appointment_create(request_, slot_id=uuid.uuid4(), reason="x", idempotency_key="k-9")

    first, second = sent(api, "POST")
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"] == "k-9"


def test_a_reschedule_is_not_retried_on_503(api, request_):
    appointment_id = uuid.uuid4()
    api.route("POST", f"/api/v1/appointments/{appointment_id}/reschedule", status=503, json={})

    with pytest.raises(ServiceUnavailable):
        clients.appointment_reschedule(
            request_, appointment_id=appointment_id, slot_id=uuid.uuid4()
        )

    assert len(sent(api, "POST")) == 1


def test_calendar_file_is_passed_through(api, request_):
    appointment_id = uuid.uuid4()
    api.route(
        "GET",
        f"/api/v1/appointments/{appointment_id}/ics",
        body=b"BEGIN:VCALENDAR\r\n",
        content_type="text/calendar",
    )

    assert (
        clients.appointment_ics(request_, appointment_id=appointment_id) == b"BEGIN:VCALENDAR\r\n"
    )


def test_a_calendar_file_refused_is_a_problem(api, request_):
    appointment_id = uuid.uuid4()
    api.route(
        "GET",
        f"/api/v1/appointments/{appointment_id}/ics",
        status=404,
        json=problem_body(404, "not-found"),
    )

    with pytest.raises(ApiProblem) as raised:
        clients.appointment_ics(request_, appointment_id=appointment_id)

    assert (raised.value.status, raised.value.code) == (404, "not-found")


@pytest.mark.parametrize("status", [204, 302, 500])
def test_a_calendar_file_with_an_unexpected_status_is_the_services_failure(api, request_, status):
    appointment_id = uuid.uuid4()
    api.route("GET", f"/api/v1/appointments/{appointment_id}/ics", status=status, body=b"")

    with pytest.raises(ServiceUnavailable):
        clients.appointment_ics(request_, appointment_id=appointment_id)


# Answers that cannot be used


@pytest.mark.parametrize("status", [201, 204, 302])
def test_an_unexpected_status_is_the_services_failure(api, request_, status):
    api.route("GET", "/api/v1/policy/", status=status, json={"timezone": "UTC"})

    with pytest.raises(ServiceUnavailable):
        clients.schedule_policy_get(request_)


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_5xx_is_the_services_failure(api, request_, status):
    api.route("POST", "/api/v1/availability/", status=status, json={})

    with pytest.raises(ServiceUnavailable):
        clients.schedule_rule_create(request_, data={})


@pytest.mark.parametrize(
    ("body", "content_type"), [(b"<html>", "text/html"), (b"", "text/plain"), (b'"x"', "json")]
)
def test_a_body_that_is_no_json_object_is_the_services_failure(api, body, content_type):
    api.route("GET", "/api/v1/profiles/me/", body=body, content_type=content_type)

    with pytest.raises(ServiceUnavailable):
        clients.user_profile_me(access="tok")


@pytest.mark.parametrize(
    ("status", "body"), [(200, b"not json"), (200, b'{"results": 1}'), (500, b"{}"), (302, b"")]
)
def test_profiles_with_an_unusable_answer_is_the_services_failure(
    api, service_tokens, status, body
):
    api.route(
        "GET", "/internal/v1/profiles/", status=status, body=body, content_type="application/json"
    )

    with pytest.raises(ServiceUnavailable):
        clients.user_profiles([uuid.uuid4()])


def test_a_renewal_with_an_unexpected_status_is_the_services_failure(api, request_):
    api.route("POST", "/api/v1/auth/token/refresh", status=302, body=b"")
    api.route("GET", "/api/v1/policy/", status=401, json=problem_body(401, "x"))

    with pytest.raises(ServiceUnavailable):
        clients.schedule_policy_get(request_)
