"""Internal API: slot look-up, reserve and release; service tokens with the right scope only."""

import datetime
import uuid
import zoneinfo

import pytest
from django.utils import timezone as dj_timezone

from common.testing import (
    BearerClient,
    assert_problem,
    error_fields,
    foreign_private_key,
    forged_tokens,
    mint,
    service_token,
    unsigned_token,
)
from schedule_service.scheduling.models import SlotHold
from schedule_service.scheduling.tests.factories import AvailabilityRuleFactory, SlotHoldFactory
from schedule_service.scheduling.tests.helpers import future_date, iso, local, slot_id

pytestmark = pytest.mark.django_db

SCOPES = "slots:read slots:reserve slots:release"
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def _url(slot, action: str = "") -> str:
    return f"/internal/v1/slots/{slot}/{action}" if action else f"/internal/v1/slots/{slot}/"


@pytest.fixture
def appointments(service_client):
    """appointment_service's client, with every slot scope."""
    return service_client(SCOPES, client_id="appointment_service")


@pytest.fixture
def working(schedule):
    AvailabilityRuleFactory(doctor=schedule)  # Wednesdays 09:00-12:00, 30 minutes
    return schedule


@pytest.fixture
def nine(working):
    """The id and start of the 09:00 slot of a Wednesday at least a week away."""
    start = local(future_date(weekday=2), 9)
    return slot_id(working, start), start


def _weeks_ago(start: datetime.datetime, weeks: int) -> datetime.datetime:
    """The same local time ``weeks`` weeks before ``start`` (Berlin)."""
    day = start.astimezone(datetime.UTC).date() - datetime.timedelta(weeks=weeks)
    return local(day, 9)


# Permissions

ENDPOINTS = [("get", ""), ("post", "reserve"), ("post", "release")]


@pytest.mark.parametrize(("method", "action"), ENDPOINTS)
def test_internal_endpoints_need_a_token(anon_client, nine, method, action):
    response = getattr(anon_client, method)(_url(nine[0], action), {})
    assert_problem(response, 401, "not-authenticated")


@pytest.mark.parametrize("role", ["patient", "doctor", "staff"])
@pytest.mark.parametrize(("method", "action"), ENDPOINTS)
def test_user_tokens_are_refused(make_client, nine, role, method, action):
    response = getattr(make_client(role), method)(
        _url(nine[0], action), {"appointment_id": str(uuid.uuid4())}
    )
    assert_problem(response, 403, "permission-denied")
    assert not SlotHold.objects.exists()


@pytest.mark.parametrize(
    ("scope", "method", "action"),
    [
        ("slots:reserve slots:release", "get", ""),
        ("slots:read slots:release", "post", "reserve"),
        ("slots:read slots:reserve", "post", "release"),
        ("", "post", "reserve"),
        ("profiles:read", "get", ""),
    ],
)
def test_a_missing_scope_is_refused(service_client, working, nine, scope, method, action):
    SlotHoldFactory(doctor=working, start=nine[1])
    client = service_client(scope)
    response = getattr(client, method)(_url(nine[0], action), {"appointment_id": str(uuid.uuid4())})
    assert_problem(response, 403, "permission-denied")
    assert SlotHold.objects.count() == 1


def test_forged_tokens_are_refused(nine):
    forged = dict(forged_tokens(uuid.uuid4()))
    forged.update(
        {
            "service-foreign-key": service_token(
                "appointment_service", SCOPES, key=foreign_private_key()
            ),
            "service-wrong-audience": service_token(
                "appointment_service", SCOPES, aud="user_service"
            ),
            "service-expired": service_token("appointment_service", SCOPES, lifetime=-120),
            "service-alg-none": unsigned_token(
                {"sub": "service:appointment_service", "scope": SCOPES, "token_type": "service"}
            ),
            "service-bad-subject": mint(
                sub="appointment_service", token_type="service", scope=SCOPES
            ),
        }
    )
    for name, token in forged.items():
        client = BearerClient(token)
        response = client.post(_url(nine[0], "reserve"), {"appointment_id": str(uuid.uuid4())})
        assert response.status_code == 401, name
        assert_problem(response, 401)
        assert client.get(_url(nine[0])).status_code == 401, name
    assert not SlotHold.objects.exists()


# Read


def test_read_a_free_slot(appointments, working, nine):
    working.cancel_cutoff_hours = 12
    working.save()
    response = appointments.get(_url(nine[0]))
    assert response.status_code == 200
    assert response.json() == {
        "id": str(nine[0]),
        "doctor_id": str(working.doctor_id),
        "start": iso(nine[1]),
        "end": iso(nine[1] + datetime.timedelta(minutes=30)),
        "held": False,
        "appointment_id": None,
        "bookable": True,
        "refusal": None,
        "cancel_cutoff_hours": 12,
        "reschedule_cutoff_hours": 24,
    }


def test_read_a_held_slot(appointments, working, nine):
    hold = SlotHoldFactory(doctor=working, start=nine[1])
    body = appointments.get(_url(nine[0])).json()
    assert (body["held"], body["appointment_id"], body["bookable"], body["refusal"]) == (
        True,
        str(hold.appointment_id),
        False,
        "slot-taken",
    )


def test_read_a_past_slot_is_not_bookable(appointments, working, nine):
    past = _weeks_ago(nine[1], 4)
    assert past < dj_timezone.now()
    body = appointments.get(_url(slot_id(working, past))).json()
    assert (body["held"], body["bookable"]) == (False, False)


@pytest.mark.parametrize("bad", ["no-rule", "forged", "random"])
def test_read_an_unknown_slot_is_404(appointments, working, nine, bad):
    slot = {
        "no-rule": slot_id(working, nine[1] + datetime.timedelta(minutes=10)),
        "forged": uuid.UUID(int=nine[0].int ^ 1),
        "random": uuid.uuid4(),
    }[bad]
    assert_problem(appointments.get(_url(slot)), 404, "slot-not-found")


@pytest.mark.parametrize(("method", "action"), ENDPOINTS)
def test_a_slot_id_beyond_the_date_window_is_404(appointments, working, method, action):
    far = slot_id(working, datetime.datetime(9999, 12, 31, 23, 0, tzinfo=datetime.UTC))
    response = getattr(appointments, method)(
        _url(far, action), {"appointment_id": str(uuid.uuid4())}
    )
    assert_problem(response, 404, "slot-not-found")
    assert not SlotHold.objects.exists()


def test_a_malformed_slot_id_is_404(appointments):
    assert_problem(appointments.get("/internal/v1/slots/not-a-uuid/"), 404)


# Reserve


def test_reserve_and_repeat(appointments, working, nine):
    appointment = str(uuid.uuid4())
    response = appointments.post(_url(nine[0], "reserve"), {"appointment_id": appointment})
    assert response.status_code == 200, response.content
    expected = {
        "id": str(nine[0]),
        "doctor_id": str(working.doctor_id),
        "start": iso(nine[1]),
        "end": iso(nine[1] + datetime.timedelta(minutes=30)),
        "appointment_id": appointment,
        "cancel_cutoff_hours": 24,
        "reschedule_cutoff_hours": 24,
    }
    assert response.json() == expected
    again = appointments.post(_url(nine[0], "reserve"), {"appointment_id": appointment})
    assert (again.status_code, again.json()) == (200, expected)
    assert SlotHold.objects.count() == 1
    assert appointments.get(_url(nine[0])).json()["held"] is True


def test_reserve_a_slot_held_by_another_is_slot_taken(appointments, working, nine):
    hold = SlotHoldFactory(doctor=working, start=nine[1])
    response = appointments.post(_url(nine[0], "reserve"), {"appointment_id": str(uuid.uuid4())})
    assert_problem(response, 409, "slot-taken")
    assert list(SlotHold.objects.all()) == [hold]


def test_reserve_obeys_the_buffer(appointments, working, nine):
    working.buffer_minutes = 15
    working.save()
    SlotHoldFactory(doctor=working, start=nine[1] + datetime.timedelta(minutes=30))
    response = appointments.post(_url(nine[0], "reserve"), {"appointment_id": str(uuid.uuid4())})
    assert_problem(response, 409, "slot-taken")
    assert SlotHold.objects.count() == 1


@pytest.mark.parametrize("why", ["notice", "horizon", "time-off", "no-rule", "past"])
def test_reserve_an_unavailable_slot(appointments, working, nine, why):
    slot = nine[0]
    if why == "notice":  # tomorrow 09:00, under a week's notice
        tomorrow = dj_timezone.now().astimezone(BERLIN).date() + datetime.timedelta(days=1)
        if tomorrow.weekday() != 2:
            AvailabilityRuleFactory(doctor=working, weekday=tomorrow.weekday())
        slot = slot_id(working, local(tomorrow, 9))
        working.min_notice_minutes = 60 * 24 * 7
    elif why == "horizon":
        working.horizon_days = 1
    elif why == "time-off":
        working.time_off.create(start=nine[1], end=nine[1] + datetime.timedelta(hours=1))
    elif why == "no-rule":
        slot = slot_id(working, nine[1] - datetime.timedelta(hours=1))
    else:
        slot = slot_id(working, _weeks_ago(nine[1], 4))
    working.save()
    response = appointments.post(_url(slot, "reserve"), {"appointment_id": str(uuid.uuid4())})
    assert_problem(response, 409, "slot-unavailable")
    assert not SlotHold.objects.exists()


@pytest.mark.parametrize("payload", [{}, {"appointment_id": "nope"}, {"appointment_id": None}])
def test_reserve_needs_an_appointment_id(appointments, nine, payload):
    body = assert_problem(appointments.post(_url(nine[0], "reserve"), payload), 400)
    assert error_fields(body) == {"appointment_id"}
    assert not SlotHold.objects.exists()


def test_reserve_an_unknown_slot_is_404(appointments, working):
    response = appointments.post(
        _url(uuid.uuid4(), "reserve"), {"appointment_id": str(uuid.uuid4())}
    )
    assert_problem(response, 404, "slot-not-found")


# Release


def test_release_and_repeat(appointments, working, nine):
    hold = SlotHoldFactory(doctor=working, start=nine[1])
    payload = {"appointment_id": str(hold.appointment_id)}
    for _ in range(2):
        response = appointments.post(_url(nine[0], "release"), payload)
        assert (response.status_code, response.json()) == (200, {"id": str(nine[0]), "held": False})
    assert not SlotHold.objects.exists()
    assert appointments.get(_url(nine[0])).json()["bookable"] is True


def test_release_by_another_appointment_changes_nothing(appointments, working, nine):
    hold = SlotHoldFactory(doctor=working, start=nine[1])
    response = appointments.post(_url(nine[0], "release"), {"appointment_id": str(uuid.uuid4())})
    assert_problem(response, 409, "slot-held-by-other")
    assert list(SlotHold.objects.all()) == [hold]


def test_release_needs_an_appointment_id(appointments, nine):
    assert_problem(appointments.post(_url(nine[0], "release"), {}), 400, "validation-error")


def test_hold_list_pages_every_hold_and_filters_by_doctor(
    appointments, working, django_assert_num_queries
):
    first = SlotHoldFactory(doctor=working, start=local(future_date(weekday=2), 9))
    other = SlotHoldFactory()
    response = appointments.get("/internal/v1/holds/")
    assert response.status_code == 200
    assert response.json()["count"] == 2
    row = next(r for r in response.json()["results"] if r["slot_id"] == str(first.slot_id))
    assert row["doctor_id"] == str(working.doctor_id)
    assert row["appointment_id"] == str(first.appointment_id)
    filtered = appointments.get("/internal/v1/holds/", {"doctor_id": str(other.doctor.doctor_id)})
    assert [r["slot_id"] for r in filtered.json()["results"]] == [str(other.slot_id)]
    for hour in (10, 11):
        SlotHoldFactory(doctor=working, start=local(future_date(weekday=2), hour))
    with django_assert_num_queries(2):  # count + page, the doctor joined
        assert appointments.get("/internal/v1/holds/").json()["count"] == 4


def test_hold_list_refuses_users_bad_filters_and_missing_scope(make_client, service_client):
    assert make_client("doctor").get("/internal/v1/holds/").status_code == 403
    assert service_client("slots:reserve").get("/internal/v1/holds/").status_code == 403
    bad = service_client("slots:read").get("/internal/v1/holds/", {"doctor_id": "nope"})
    assert bad.status_code == 400


def test_slot_read_for_an_appointment_ignores_its_own_buffer(appointments, working, nine):
    working.buffer_minutes = 10
    working.save()
    slot, start = nine
    appointment = uuid.uuid4()
    assert (
        appointments.post(_url(slot, "reserve"), {"appointment_id": str(appointment)}).status_code
        == 200
    )
    neighbour = slot_id(working, start + datetime.timedelta(minutes=30))
    assert appointments.get(_url(neighbour)).json()["bookable"] is False  # for anyone else
    mine = appointments.get(_url(neighbour), {"appointment_id": str(appointment)})
    assert mine.json()["bookable"] is True
    assert appointments.get(_url(neighbour), {"appointment_id": "nope"}).status_code == 400


# A doctor's slots, for booking on a patient's behalf


def _slots_url(doctor_id) -> str:
    return f"/internal/v1/doctors/{doctor_id}/slots/"


def test_slot_list_is_the_public_listing_as_a_patient_sees_it(
    appointments, make_client, working, nine
):
    day = future_date(weekday=2)
    SlotHoldFactory(doctor=working, start=local(day, 10))  # held, and blocks its buffer
    params = {"from": day, "to": day}

    internal = appointments.get(_slots_url(working.doctor_id), params)
    public = make_client("patient").get(f"/api/v1/doctors/{working.doctor_id}/slots/", params)

    assert internal.status_code == 200, internal.content
    assert internal.json() == public.json()
    results = internal.json()["results"]
    starts = [r["start"] for r in results]
    assert starts[0] == iso(local(day, 9)) and len(starts) == 5
    assert iso(local(day, 10)) not in starts  # held
    assert set(results[0]) == {"id", "doctor_id", "start", "end"}
    assert results[0]["id"] == str(nine[0])


def test_slot_list_takes_a_whole_week_in_one_page(appointments, working):
    day = future_date(weekday=0)
    response = appointments.get(
        _slots_url(working.doctor_id),
        {"from": day, "to": day + datetime.timedelta(days=6), "page_size": 2016},
    )
    assert (response.status_code, response.json()["count"]) == (200, 6)
    assert response.json()["next"] is None


def test_slot_list_of_a_doctor_without_a_schedule_is_empty(appointments, db):
    response = appointments.get(_slots_url(uuid.uuid4()))
    assert (response.status_code, response.json()["count"]) == (200, 0)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2030-01-10", "to": "2030-01-01"}, "to"),
        ({"from": "2030-01-01", "to": "2030-03-15"}, "to"),
        ({"from": "yesterday"}, "from"),
        ({"from": "1999-12-31"}, "from"),
    ],
)
def test_slot_list_refuses_a_bad_range(appointments, working, params, field):
    body = assert_problem(appointments.get(_slots_url(working.doctor_id), params), 400)
    assert field in error_fields(body) or body["code"] == "validation-error"


def test_slot_list_of_a_doctor_waiting_for_approval_is_404(appointments, working, user_service):
    from schedule_service.scheduling.models import DoctorSchedule

    DoctorSchedule.objects.filter(pk=working.pk).update(
        doctor_approved=False, approval_checked_at=dj_timezone.now()
    )
    user_service.default_approved = False
    response = appointments.get(_slots_url(working.doctor_id))
    assert_problem(response, 404, "doctor-not-found")


def test_slot_list_with_user_service_down_for_a_pending_doctor_is_503(
    appointments, working, user_service
):
    from common.errors import ServiceUnavailable
    from schedule_service.scheduling.models import DoctorSchedule

    DoctorSchedule.objects.filter(pk=working.pk).update(
        doctor_approved=False, approval_checked_at=None
    )
    user_service.error = ServiceUnavailable()
    assert_problem(appointments.get(_slots_url(working.doctor_id)), 503, "dependency-unavailable")


@pytest.mark.parametrize("role", ["patient", "doctor", "staff"])
def test_slot_list_refuses_users_other_scopes_and_no_token(
    make_client, service_client, anon_client, working, role
):
    url = _slots_url(working.doctor_id)
    assert_problem(make_client(role).get(url), 403, "permission-denied")
    assert_problem(service_client("slots:reserve slots:release").get(url), 403, "permission-denied")
    assert_problem(anon_client.get(url), 401, "not-authenticated")
