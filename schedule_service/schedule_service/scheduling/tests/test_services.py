"""Schedule writes: a schedule and its time zone, the booking policy."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError

from common.errors import ServiceUnavailable
from schedule_service.scheduling import clients, selectors, services
from schedule_service.scheduling.exceptions import DoctorProfileMissing
from schedule_service.scheduling.models import DoctorSchedule
from schedule_service.scheduling.tests.factories import DoctorScheduleFactory
from schedule_service.scheduling.tests.helpers import NOW

pytestmark = pytest.mark.django_db


# Schedules and time zones


def test_schedule_get_or_create_takes_the_zone_from_user_service(user_service):
    doctor_id = uuid.uuid4()
    user_service.default_timezone = "Asia/Tokyo"
    schedule = services.schedule_get_or_create(doctor_id=doctor_id, now=NOW)
    assert (schedule.timezone, schedule.timezone_checked_at) == ("Asia/Tokyo", NOW)
    assert schedule.min_notice_minutes == 60
    assert schedule.horizon_days == 90
    assert schedule.buffer_minutes == 0
    assert schedule.cancel_cutoff_hours == schedule.reschedule_cutoff_hours == 24
    again = services.schedule_get_or_create(doctor_id=doctor_id, now=NOW)
    assert again.pk == schedule.pk
    assert user_service.calls == [doctor_id]


@pytest.mark.parametrize(
    ("profile", "error"),
    [
        (None, DoctorProfileMissing),
        (clients.DoctorProfile(role="patient", timezone=None), DoctorProfileMissing),
        (clients.DoctorProfile(role="doctor", timezone="Mars/Olympus"), ServiceUnavailable),
        (clients.DoctorProfile(role="doctor", timezone=None), ServiceUnavailable),
    ],
)
def test_schedule_get_or_create_needs_a_doctor_profile(user_service, profile, error):
    doctor_id = uuid.uuid4()
    user_service.profiles[doctor_id] = profile
    with pytest.raises(error):
        services.schedule_get_or_create(doctor_id=doctor_id)
    assert not DoctorSchedule.objects.exists()


def test_schedule_get_or_create_when_user_service_is_down(user_service):
    user_service.error = ServiceUnavailable()
    with pytest.raises(ServiceUnavailable):
        services.schedule_get_or_create(doctor_id=uuid.uuid4())
    assert not DoctorSchedule.objects.exists()


def test_schedule_get_or_create_loses_a_race_gracefully(monkeypatch):
    stored = DoctorScheduleFactory()
    real_find = selectors.schedule_find
    calls = []

    def find(**kwargs):
        # The first look-up misses: a concurrent first request inserts meanwhile.
        calls.append(kwargs)
        return None if len(calls) == 1 else real_find(**kwargs)

    monkeypatch.setattr(selectors, "schedule_find", find)
    assert services.schedule_get_or_create(doctor_id=stored.doctor_id).pk == stored.pk
    assert len(calls) == 2
    assert DoctorSchedule.objects.count() == 1


def test_timezone_refresh_follows_the_profile(user_service):
    schedule = DoctorScheduleFactory(timezone="Europe/Berlin", timezone_checked_at=None)
    user_service.default_timezone = "America/New_York"
    refreshed = services.schedule_timezone_refresh(schedule=schedule, now=NOW)
    assert (refreshed.timezone, refreshed.timezone_checked_at) == ("America/New_York", NOW)
    schedule.refresh_from_db()
    assert (schedule.timezone, schedule.timezone_checked_at) == ("America/New_York", NOW)


@pytest.mark.parametrize(
    "answer",
    [
        ServiceUnavailable(),
        None,
        clients.DoctorProfile(role="patient", timezone=None),
        clients.DoctorProfile(role="doctor", timezone="Not/AZone"),
    ],
)
def test_timezone_refresh_failure_keeps_the_cached_zone_and_waits_for_the_ttl(user_service, answer):
    schedule = DoctorScheduleFactory(timezone="Europe/Berlin", timezone_checked_at=None)
    if isinstance(answer, Exception):
        user_service.error = answer
    else:
        user_service.profiles[schedule.doctor_id] = answer
    refreshed = services.schedule_timezone_refresh(schedule=schedule, now=NOW)
    assert (refreshed.timezone, refreshed.timezone_checked_at) == ("Europe/Berlin", NOW)
    schedule.refresh_from_db()
    # The attempt is recorded: listings do not call user_service again until the TTL passes.
    assert (schedule.timezone, schedule.timezone_checked_at) == ("Europe/Berlin", NOW)
    assert not selectors.schedule_timezone_is_stale(schedule, now=NOW)


def test_listings_do_not_retry_a_failed_refresh_on_every_request(user_service):
    schedule = DoctorScheduleFactory(timezone="Europe/Berlin", timezone_checked_at=None)
    user_service.error = ServiceUnavailable()
    for _ in range(3):
        services.schedule_find_fresh(doctor_id=schedule.doctor_id, now=NOW)
    assert user_service.calls == [schedule.doctor_id]


def test_schedule_for_doctor_refreshes_on_writes_and_stale_reads(user_service, settings):
    settings.DOCTOR_TIMEZONE_TTL_SECONDS = 300
    schedule = DoctorScheduleFactory(timezone_checked_at=NOW)
    services.schedule_for_doctor(doctor_id=schedule.doctor_id, write=False, now=NOW)
    assert user_service.calls == []  # fresh
    services.schedule_for_doctor(doctor_id=schedule.doctor_id, write=True, now=NOW)
    assert user_service.calls == [schedule.doctor_id]  # every write
    later = NOW + datetime.timedelta(seconds=301)
    services.schedule_for_doctor(doctor_id=schedule.doctor_id, write=False, now=later)
    assert len(user_service.calls) == 2  # stale read


def test_schedule_for_doctor_makes_the_schedule_on_first_use(user_service):
    doctor_id = uuid.uuid4()
    schedule = services.schedule_for_doctor(doctor_id=doctor_id, write=False)
    assert schedule.doctor_id == doctor_id
    assert user_service.calls == [doctor_id]


def test_schedule_find_fresh(user_service):
    assert services.schedule_find_fresh(doctor_id=uuid.uuid4()) is None
    fresh = DoctorScheduleFactory(timezone_checked_at=NOW)
    assert services.schedule_find_fresh(doctor_id=fresh.doctor_id, now=NOW).pk == fresh.pk
    assert user_service.calls == []
    stale = DoctorScheduleFactory(timezone_checked_at=None, timezone="Asia/Tokyo")
    assert services.schedule_find_fresh(doctor_id=stale.doctor_id).timezone == "Europe/Berlin"
    assert user_service.calls == [stale.doctor_id]


def test_schedule_upsert_local(user_service):
    doctor_id = uuid.uuid4()
    schedule, created = services.schedule_upsert_local(doctor_id=doctor_id, timezone="Asia/Tokyo")
    assert created and schedule.timezone_checked_at is None
    same, created = services.schedule_upsert_local(doctor_id=doctor_id, timezone="Asia/Tokyo")
    assert (same.pk, created) == (schedule.pk, False)
    moved, _ = services.schedule_upsert_local(doctor_id=doctor_id, timezone="Europe/Rome")
    assert DoctorSchedule.objects.get().timezone == moved.timezone == "Europe/Rome"
    with pytest.raises(ValidationError):
        services.schedule_upsert_local(doctor_id=uuid.uuid4(), timezone="Nowhere")
    assert user_service.calls == []


# Policy


def test_policy_update_changes_only_the_given_fields():
    schedule = DoctorScheduleFactory()
    updated = services.policy_update(
        schedule=schedule, data={"buffer_minutes": 15, "cancel_cutoff_hours": 48}
    )
    stored = DoctorSchedule.objects.get()
    assert (stored.buffer_minutes, stored.cancel_cutoff_hours) == (15, 48)
    assert (updated.min_notice_minutes, stored.horizon_days) == (60, 90)


@pytest.mark.parametrize(
    "data",
    [
        {"min_notice_minutes": 10081},
        {"horizon_days": 0},
        {"horizon_days": 366},
        {"buffer_minutes": 241},
        {"cancel_cutoff_hours": 721},
        {"reschedule_cutoff_hours": -1},
    ],
)
def test_policy_update_refuses_out_of_range_values(data):
    schedule = DoctorScheduleFactory()
    with pytest.raises(ValidationError):
        services.policy_update(schedule=schedule, data={"buffer_minutes": 5, **data})
    schedule.refresh_from_db()
    assert schedule.buffer_minutes == 0


def test_policy_update_refuses_other_fields():
    with pytest.raises(ValueError, match="timezone"):
        services.policy_update(schedule=DoctorScheduleFactory(), data={"timezone": "UTC"})
