"""Database constraints hold even when the services are bypassed."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from schedule_service.scheduling.models import (
    AvailabilityRule,
    DoctorSchedule,
    SlotHold,
    TimeOff,
    date_window,
    in_date_window,
    validate_date_in_window,
)
from schedule_service.scheduling.tests.factories import (
    AvailabilityRuleFactory,
    DoctorScheduleFactory,
    SlotHoldFactory,
    TimeOffFactory,
)
from schedule_service.scheduling.tests.helpers import utc

pytestmark = pytest.mark.django_db

T = datetime.time


@pytest.mark.parametrize(
    "fields",
    [
        {"timezone": ""},
        {"min_notice_minutes": 10081},
        {"horizon_days": 0},
        {"horizon_days": 366},
        {"buffer_minutes": 241},
        {"cancel_cutoff_hours": 721},
        {"reschedule_cutoff_hours": 721},
    ],
)
def test_schedule_checks(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        DoctorSchedule.objects.create(doctor_id=uuid.uuid4(), **{"timezone": "UTC", **fields})


def test_one_schedule_per_doctor():
    schedule = DoctorScheduleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        DoctorSchedule.objects.create(doctor_id=schedule.doctor_id, timezone="UTC")


@pytest.mark.parametrize(
    "fields",
    [
        {"end_time": T(9)},
        {"start_time": T(10), "end_time": T(9)},
        {"slot_minutes": 4},
        {"slot_minutes": 241},
        {"weekday": 7},
        {"valid_from": datetime.date(2027, 1, 2), "valid_until": datetime.date(2027, 1, 1)},
    ],
)
def test_rule_checks(fields):
    schedule = DoctorScheduleFactory()
    values = {"weekday": 0, "start_time": T(9), "end_time": T(12), "slot_minutes": 30, **fields}
    with pytest.raises(IntegrityError), transaction.atomic():
        AvailabilityRule.objects.create(doctor=schedule, **values)


def test_time_off_and_hold_checks():
    schedule = DoctorScheduleFactory()
    start = utc(2027, 1, 6, 9)
    with pytest.raises(IntegrityError), transaction.atomic():
        TimeOff.objects.create(doctor=schedule, start=start, end=start)
    with pytest.raises(IntegrityError), transaction.atomic():
        SlotHoldFactory(doctor=schedule, start=start, end=start)
    with pytest.raises(IntegrityError), transaction.atomic():
        SlotHoldFactory(
            doctor=schedule,
            start=start,
            blocked_until=start + datetime.timedelta(minutes=10),
        )


def test_a_slot_is_held_once():
    hold = SlotHoldFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SlotHold.objects.create(
            slot_id=hold.slot_id,
            doctor=hold.doctor,
            start=hold.start,
            end=hold.end,
            blocked_until=hold.blocked_until,
            appointment_id=uuid.uuid4(),
        )


def test_deleting_a_schedule_deletes_what_it_owns():
    rule = AvailabilityRuleFactory()
    TimeOffFactory(doctor=rule.doctor)
    SlotHoldFactory(doctor=rule.doctor)
    rule.doctor.delete()
    assert not (
        AvailabilityRule.objects.exists() or TimeOff.objects.exists() or SlotHold.objects.exists()
    )


def test_str():
    rule = AvailabilityRuleFactory(weekday=0, start_time=T(9), end_time=T(12, 30))
    assert str(rule) == "Monday 09:00-12:30 / 30 min"
    assert str(rule.doctor) == str(rule.doctor.doctor_id)
    time_off = TimeOffFactory(start=utc(2027, 1, 6, 9), end=utc(2027, 1, 6, 11))
    assert str(time_off) == "2027-01-06 09:00 - 2027-01-06 11:00 UTC"
    hold = SlotHoldFactory(start=utc(2027, 1, 6, 9))
    assert str(hold) == f"2027-01-06 09:00 UTC for {hold.appointment_id}"


# The API's date window


def test_the_date_window_ends_ten_years_on_or_on_the_28th_after_a_leap_day():
    assert date_window(today=datetime.date(2026, 12, 1)) == (
        datetime.date(2000, 1, 1),
        datetime.date(2036, 12, 1),
    )
    assert date_window(today=datetime.date(2028, 2, 29))[1] == datetime.date(2038, 2, 28)


@pytest.mark.parametrize(
    ("value", "inside"),
    [
        (datetime.date(2000, 1, 1), True),
        (datetime.date(1999, 12, 31), False),
        (
            datetime.datetime(
                2000, 1, 1, 0, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=1))
            ),
            False,
        ),
        (datetime.datetime(2000, 1, 1, 0, 30), True),  # naive: taken as it is
        (datetime.datetime(1, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=1))), False),
        (
            datetime.datetime(
                9999, 12, 31, 23, tzinfo=datetime.timezone(datetime.timedelta(hours=-1))
            ),
            False,
        ),
    ],
)
def test_in_date_window(value, inside):
    assert in_date_window(value) is inside
    if inside:
        validate_date_in_window(value)
    else:
        with pytest.raises(ValidationError, match="Give a date from 2000-01-01 to"):
            validate_date_in_window(value)
