"""Rate limits on booking, rescheduling and cancelling: a 429 with Retry-After, nothing written."""

import logging

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from appointment_service.appointments.models import Appointment, AppointmentState
from appointment_service.appointments.tests.fakes import assert_no_orphans
from appointment_service.settings.base import _throttle_rate
from common.testing import assert_problem

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/appointments/"


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def patient(make_client):
    return make_client("patient")


@pytest.fixture
def doctor(make_client):
    return make_client("doctor")


def _book(client, slot, **headers):
    return client.post(LIST_URL, {"slot_id": str(slot.id)}, **headers)


def _assert_throttled(response) -> None:
    body = assert_problem(response, 429, "throttled")
    assert 0 < int(response["Retry-After"]) <= 3600
    assert "throttled" in body["detail"].lower()


def test_the_booking_past_the_limit_is_429_and_books_nothing(
    schedule, patient, make_client, settings
):
    settings.THROTTLE_BOOKING = "2/hour"
    for _ in range(2):
        assert _book(patient, schedule.add_slot()).status_code == 201
    extra = schedule.add_slot()
    calls = len(schedule.calls)

    _assert_throttled(_book(patient, extra))

    assert Appointment.objects.filter(patient_id=patient.user_id).count() == 2
    assert len(schedule.calls) == calls  # schedule_service was not even asked
    assert schedule.holder_of(extra.id) is None
    # Another patient has a count of their own; listing is never limited.
    assert _book(make_client("patient"), extra).status_code == 201
    assert patient.get(LIST_URL).status_code == 200
    assert_no_orphans(schedule)


def test_refused_bookings_count_too(schedule, patient, settings):
    settings.THROTTLE_BOOKING = "2/hour"
    assert_problem(patient.post(LIST_URL, {"slot_id": "not-a-uuid"}), 400)
    taken = schedule.add_slot()
    schedule.hold(taken, appointment_id=taken.id)
    assert_problem(_book(patient, taken), 409, "slot-taken")
    _assert_throttled(_book(patient, schedule.add_slot()))
    assert not Appointment.objects.exists()


def test_a_retry_that_replays_a_stored_answer_is_not_counted(schedule, patient, settings):
    settings.THROTTLE_BOOKING = "2/hour"
    first = schedule.add_slot()
    booked = _book(patient, first, HTTP_IDEMPOTENCY_KEY="key-1")
    for _ in range(3):
        again = _book(patient, first, HTTP_IDEMPOTENCY_KEY="key-1")
        assert (again.status_code, again.json()) == (201, booked.json())
    assert _book(patient, schedule.add_slot(), HTTP_IDEMPOTENCY_KEY="key-2").status_code == 201
    _assert_throttled(_book(patient, schedule.add_slot(), HTTP_IDEMPOTENCY_KEY="key-3"))
    # Even at the limit, a lost answer can be fetched again.
    assert _book(patient, first, HTTP_IDEMPOTENCY_KEY="key-1").json() == booked.json()
    assert Appointment.objects.count() == 2
    assert schedule.count("reserve") == 2


def test_the_reschedule_past_the_limit_is_429_and_moves_nothing(
    schedule, patient, doctor, book, settings
):
    settings.THROTTLE_RESCHEDULE = "1/hour"
    appointment = book(patient.user_id, schedule.add_slot(doctor_id=doctor.user_id))
    url = f"{LIST_URL}{appointment.id}/reschedule"
    moved = patient.post(url, {"slot_id": str(schedule.add_slot(doctor_id=doctor.user_id).id)})
    assert moved.status_code == 200, moved.content
    appointment.refresh_from_db()
    before = (appointment.slot_id, appointment.reschedule_count, appointment.updated_at)
    target = schedule.add_slot(doctor_id=doctor.user_id)

    _assert_throttled(patient.post(url, {"slot_id": str(target.id)}))

    appointment.refresh_from_db()
    assert (appointment.slot_id, appointment.reschedule_count, appointment.updated_at) == before
    assert schedule.holder_of(target.id) is None
    assert_no_orphans(schedule)


def test_the_cancel_past_the_limit_is_429_and_cancels_nothing(
    schedule, patient, doctor, book, settings
):
    settings.THROTTLE_CANCEL = "1/hour"
    first, second = (
        book(patient.user_id, schedule.add_slot(doctor_id=doctor.user_id)) for _ in range(2)
    )
    assert patient.post(f"{LIST_URL}{first.id}/cancel", {}).status_code == 200

    _assert_throttled(patient.post(f"{LIST_URL}{second.id}/cancel", {}))

    second.refresh_from_db()
    assert second.state == AppointmentState.BOOKED
    assert schedule.holder_of(second.slot_id) == second.id
    # The doctor is counted apart from the patient.
    response = doctor.post(f"{LIST_URL}{second.id}/cancel", {"reason": "Ill"})
    assert response.status_code == 200, response.content
    assert_no_orphans(schedule)


def test_a_cache_that_fails_lets_requests_through_and_says_so(
    schedule, patient, settings, monkeypatch, caplog
):
    settings.THROTTLE_BOOKING = "1/hour"

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", broken)
    with caplog.at_level(logging.WARNING):
        for _ in range(2):
            assert _book(patient, schedule.add_slot()).status_code == 201
    assert "The booking rate limit is not enforced" in caplog.text


@pytest.mark.parametrize("value", ["30/hour", "5/m", "1/second", "100/day"])
def test_a_rate_setting_takes_a_count_per_period(monkeypatch, value):
    monkeypatch.setenv("THROTTLE_TEST", value)
    assert _throttle_rate("THROTTLE_TEST", "30/hour") == value


@pytest.mark.parametrize("value", ["30", "0/hour", "thirty/hour", "30/week", "-1/h", "30/hour/2"])
def test_a_bad_rate_setting_stops_the_service(monkeypatch, value):
    monkeypatch.setenv("THROTTLE_TEST", value)
    with pytest.raises(ImproperlyConfigured, match="THROTTLE_TEST must be a number of requests"):
        _throttle_rate("THROTTLE_TEST", "30/hour")


def test_the_schema_documents_the_429_and_its_retry_after(anon_client):
    schema = anon_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/appointments/",
        "/api/v1/appointments/{id}/reschedule",
        "/api/v1/appointments/{id}/cancel",
    ):
        answer = paths[path]["post"]["responses"]["429"]
        assert "Retry-After" in answer["headers"]
        assert "application/problem+json" in answer["content"]
    assert "429" not in paths["/api/v1/appointments/"]["get"]["responses"]


@pytest.mark.parametrize("user", [None, "service"])
def test_only_people_are_counted(user):
    from types import SimpleNamespace

    from appointment_service.appointments.throttling import CancelThrottle
    from common.auth import ServicePrincipal

    if user == "service":
        user = ServicePrincipal(client_id="portal", scopes=frozenset(), claims={})
    assert CancelThrottle().get_cache_key(SimpleNamespace(user=user), None) is None
