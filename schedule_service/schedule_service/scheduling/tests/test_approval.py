"""A doctor waiting for the clinic's approval: set up, but neither listed to others nor bookable."""

import copy
import datetime
import uuid

import pytest
from django.utils import timezone as dj_timezone

from common.errors import ServiceUnavailable
from common.testing import assert_problem
from schedule_service.scheduling import clients, services
from schedule_service.scheduling.models import DoctorSchedule, SlotHold
from schedule_service.scheduling.tests.factories import (
    AvailabilityRuleFactory,
    DoctorScheduleFactory,
)
from schedule_service.scheduling.tests.helpers import future_date, local, slot_id

pytestmark = pytest.mark.django_db

RECHECK = datetime.timedelta(seconds=30)  # DOCTOR_APPROVAL_RECHECK_SECONDS' default
SCOPES = "slots:read slots:reserve slots:release"


def _slots_url(doctor_id) -> str:
    return f"/api/v1/doctors/{doctor_id}/slots/"


@pytest.fixture
def pending(db):
    """A pending doctor (asked about a minute ago) working Wednesdays 09:00-12:00 / 30 min."""
    schedule = DoctorScheduleFactory(
        doctor_approved=False, approval_checked_at=dj_timezone.now() - datetime.timedelta(minutes=1)
    )
    AvailabilityRuleFactory(doctor=schedule)
    return schedule


@pytest.fixture
def nine(pending):
    """The id and start of the pending doctor's 09:00 slot a week or more away."""
    start = local(future_date(weekday=2), 9)
    return slot_id(pending, start), start


@pytest.fixture
def still_pending(user_service):
    """user_service says every doctor is waiting for approval."""
    user_service.default_approved = False
    return user_service


@pytest.fixture
def appointments(service_client):
    return service_client(SCOPES, client_id="appointment_service")


def _week(client, doctor_id):
    day = future_date(weekday=2)
    return client.get(_slots_url(doctor_id), {"from": day, "to": day})


def _stored(schedule) -> DoctorSchedule:
    return DoctorSchedule.objects.get(pk=schedule.pk)


# Listing


@pytest.mark.parametrize("role", ["patient", "doctor"])
def test_others_get_a_404_for_a_pending_doctors_slots(make_client, pending, still_pending, role):
    response = _week(make_client(role), pending.doctor_id)
    assert_problem(response, 404, "doctor-not-found")
    assert still_pending.calls == [pending.doctor_id]
    assert not _stored(pending).doctor_approved


def test_the_pending_doctor_lists_their_own_slots(doctor_client, pending, still_pending):
    response = _week(doctor_client(pending), pending.doctor_id)
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 6
    assert still_pending.calls == []


def test_staff_see_a_pending_doctors_slots(make_client, pending, nine, still_pending):
    staff = make_client("staff")
    assert _week(staff, pending.doctor_id).json()["count"] == 6
    assert staff.get(f"/api/v1/slots/{nine[0]}/").json()["bookable"] is False
    assert still_pending.calls == []


def test_once_user_service_says_approved_the_slots_are_listed_for_good(
    make_client, pending, user_service
):
    patient = make_client("patient")
    assert _week(patient, pending.doctor_id).json()["count"] == 6
    assert _stored(pending).doctor_approved
    # Approval is for good: user_service is not asked again, not even when it is down.
    user_service.error = ServiceUnavailable()
    DoctorSchedule.objects.filter(pk=pending.pk).update(approval_checked_at=None)
    assert _week(patient, pending.doctor_id).json()["count"] == 6
    assert user_service.calls == [pending.doctor_id]


def test_a_pending_doctor_is_asked_about_at_most_once_per_interval(
    make_client, pending, still_pending
):
    DoctorSchedule.objects.filter(pk=pending.pk).update(approval_checked_at=dj_timezone.now())
    patient = make_client("patient")
    for _ in range(3):
        assert_problem(_week(patient, pending.doctor_id), 404, "doctor-not-found")
    assert still_pending.calls == []
    DoctorSchedule.objects.filter(pk=pending.pk).update(
        approval_checked_at=dj_timezone.now() - RECHECK
    )
    assert_problem(_week(patient, pending.doctor_id), 404)
    assert_problem(_week(patient, pending.doctor_id), 404)
    assert still_pending.calls == [pending.doctor_id]


def test_user_service_down_while_checking_a_pending_doctor_is_a_503(
    make_client, pending, user_service
):
    user_service.error = ServiceUnavailable()
    response = _week(make_client("patient"), pending.doctor_id)
    assert_problem(response, 503, "dependency-unavailable")
    assert not _stored(pending).doctor_approved


def test_a_doctor_without_a_profile_any_more_stays_unlisted(make_client, pending, user_service):
    user_service.profiles[pending.doctor_id] = None
    assert_problem(_week(make_client("patient"), pending.doctor_id), 404, "doctor-not-found")
    assert not _stored(pending).doctor_approved


def test_an_unknown_doctor_still_has_no_slots(make_client, user_service):
    response = _week(make_client("patient"), uuid.uuid4())
    assert (response.status_code, response.json()["count"]) == (200, 0)
    assert user_service.calls == []


# One slot


def test_a_pending_doctors_slot_is_404_for_others_and_shown_to_the_doctor(
    make_client, doctor_client, pending, nine, still_pending
):
    assert_problem(make_client("patient").get(f"/api/v1/slots/{nine[0]}/"), 404, "slot-not-found")
    own = doctor_client(pending).get(f"/api/v1/slots/{nine[0]}/")
    assert own.status_code == 200, own.content
    assert own.json()["bookable"] is False


def test_an_approved_doctors_slot_is_shown_to_anyone(make_client, pending, nine, user_service):
    response = make_client("patient").get(f"/api/v1/slots/{nine[0]}/")
    assert response.status_code == 200, response.content
    assert response.json()["bookable"] is True


def test_appointment_service_reads_why_a_pending_doctors_slot_is_not_bookable(
    appointments, pending, nine, still_pending
):
    body = appointments.get(f"/internal/v1/slots/{nine[0]}/").json()
    assert (body["bookable"], body["refusal"]) == (False, "doctor-not-bookable")


def test_reading_a_slot_of_a_pending_doctor_while_user_service_is_down_is_a_503(
    appointments, pending, nine, user_service
):
    user_service.error = ServiceUnavailable()
    response = appointments.get(f"/internal/v1/slots/{nine[0]}/")
    assert_problem(response, 503, "dependency-unavailable")


# Reserving


def _reserve(client, slot):
    return client.post(f"/internal/v1/slots/{slot}/reserve", {"appointment_id": str(uuid.uuid4())})


def test_reserving_a_pending_doctors_slot_is_a_409_and_holds_nothing(
    appointments, pending, nine, still_pending
):
    assert_problem(_reserve(appointments, nine[0]), 409, "doctor-not-bookable")
    assert not SlotHold.objects.exists()


def test_reserving_once_approved_holds_the_slot(appointments, pending, nine, user_service):
    response = _reserve(appointments, nine[0])
    assert response.status_code == 200, response.content
    assert SlotHold.objects.get().slot_id == nine[0]
    assert _stored(pending).doctor_approved


def test_reserving_while_user_service_is_down_is_a_503_and_holds_nothing(
    appointments, pending, nine, user_service
):
    user_service.error = ServiceUnavailable()
    assert_problem(_reserve(appointments, nine[0]), 503, "dependency-unavailable")
    assert not SlotHold.objects.exists()
    assert not _stored(pending).doctor_approved


def test_reserving_an_approved_doctors_slot_asks_user_service_nothing(
    appointments, pending, nine, user_service
):
    DoctorSchedule.objects.filter(pk=pending.pk).update(doctor_approved=True)
    user_service.error = ServiceUnavailable()
    assert _reserve(appointments, nine[0]).status_code == 200
    assert user_service.calls == []


# Where the flag comes from


@pytest.mark.parametrize("approved", [True, False])
def test_the_first_use_copies_the_approval(doctor_client, user_service, approved):
    user_service.default_approved = approved
    client = doctor_client()
    assert client.get("/api/v1/policy/").status_code == 200
    schedule = DoctorSchedule.objects.get(doctor_id=client.user_id)
    assert schedule.doctor_approved is approved
    assert schedule.approval_checked_at is not None


def test_a_doctors_write_picks_up_the_approval_and_it_stays(doctor_client, pending, user_service):
    client = doctor_client(pending)
    assert client.patch("/api/v1/policy/", {"buffer_minutes": 5}, format="json").status_code == 200
    assert _stored(pending).doctor_approved
    user_service.default_approved = False  # user_service cannot take an approval back here
    assert client.patch("/api/v1/policy/", {"buffer_minutes": 0}, format="json").status_code == 200
    assert _stored(pending).doctor_approved


def test_a_concurrent_check_is_not_repeated(pending, still_pending):
    """Two requests read the schedule while stale; the second finds the first one's claim."""
    stale = copy.copy(pending)
    stale.approval_checked_at = None
    DoctorSchedule.objects.filter(pk=pending.pk).update(approval_checked_at=None)
    now = dj_timezone.now()
    first = services.schedule_approval_refresh(schedule=stale, now=now)
    second = services.schedule_approval_refresh(schedule=stale, now=now + RECHECK)
    assert still_pending.calls == [pending.doctor_id]
    assert not first.doctor_approved
    assert second.approval_checked_at == now


def test_a_concurrent_check_that_finds_no_schedule_keeps_its_copy(pending, still_pending):
    stale = copy.copy(pending)
    stale.approval_checked_at = None
    DoctorSchedule.objects.filter(pk=pending.pk).delete()
    checked = services.schedule_approval_refresh(schedule=stale, now=dj_timezone.now())
    assert not checked.doctor_approved
    assert still_pending.calls == []


def test_the_client_reads_approved_only_when_it_is_plainly_true():
    assert clients.DoctorProfile(role="doctor", timezone="UTC").approved is False


def test_demo_schedules_are_approved():
    schedule, created = services.schedule_upsert_local(doctor_id=uuid.uuid4(), timezone="UTC")
    assert created and schedule.doctor_approved
    DoctorSchedule.objects.filter(pk=schedule.pk).update(doctor_approved=False)
    again, created = services.schedule_upsert_local(doctor_id=schedule.doctor_id, timezone="UTC")
    assert not created
    assert _stored(again).doctor_approved
