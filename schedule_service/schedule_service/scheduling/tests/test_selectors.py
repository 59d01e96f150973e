"""Reads: the slot listing, the range it covers, one slot's state, the look-ups."""

import datetime
import re
import uuid
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from common.renderers import JSONRenderer
from schedule_service.scheduling import blocks, selectors
from schedule_service.scheduling.exceptions import (
    RuleNotFound,
    SlotNotFound,
    SlotTaken,
    SlotUnavailable,
    TimeOffNotFound,
)
from schedule_service.scheduling.serializers import SlotOutputSerializer
from schedule_service.scheduling.tests.factories import (
    AvailabilityRuleFactory,
    DoctorScheduleFactory,
    SlotHoldFactory,
    TimeOffFactory,
)
from schedule_service.scheduling.tests.helpers import NOW, WEDNESDAY, local, slot_id

pytestmark = pytest.mark.django_db

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
DAY = datetime.timedelta(days=1)
NINE = local(WEDNESDAY, 9)


def _hours(listed) -> list[str]:
    return [item.start.astimezone(BERLIN).strftime("%H:%M") for item in listed]


# Range


def test_range_defaults_to_a_week_from_today_in_the_doctors_zone():
    late_evening = datetime.datetime(2027, 1, 4, 23, 30, tzinfo=datetime.UTC)  # Tuesday in Berlin
    first, last = selectors.slot_range_resolve(first=None, last=None, zone=BERLIN, now=late_evening)
    assert (first, last) == (datetime.date(2027, 1, 5), datetime.date(2027, 1, 11))
    first, last = selectors.slot_range_resolve(
        first=WEDNESDAY, last=None, zone=BERLIN, now=late_evening
    )
    assert last == WEDNESDAY + 6 * DAY


def test_range_of_exactly_62_days_is_fine():
    first, last = WEDNESDAY, WEDNESDAY + 61 * DAY
    assert selectors.slot_range_resolve(first=first, last=last, zone=BERLIN, now=NOW) == (
        first,
        last,
    )


@pytest.mark.parametrize(
    ("first", "last", "code"),
    [
        (WEDNESDAY, WEDNESDAY - DAY, "reversed"),
        (WEDNESDAY, WEDNESDAY + 62 * DAY, "too-wide"),
        (None, datetime.date(2026, 1, 1), "reversed"),
    ],
)
def test_bad_ranges_are_refused(first, last, code):
    with pytest.raises(ValidationError) as info:
        selectors.slot_range_resolve(first=first, last=last, zone=BERLIN, now=NOW)
    assert info.value.error_dict["to"][0].code == code


# Listing


def test_listing_gives_utc_slots_with_stable_ids(berlin):
    listed = selectors.slot_list(schedule=berlin, first=WEDNESDAY, last=WEDNESDAY, now=NOW)
    assert _hours(listed) == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]
    first = listed[0]
    assert (first.start, first.end) == (NINE, NINE + datetime.timedelta(minutes=30))
    assert first.id == slot_id(berlin, NINE)
    assert first.doctor_id == berlin.doctor_id
    assert not first.held and first.appointment_id is None
    again = selectors.slot_list(schedule=berlin, first=WEDNESDAY, last=WEDNESDAY, now=NOW)
    assert [s.id for s in again] == [s.id for s in listed]


def test_listing_of_no_schedule_is_empty_but_checks_the_range():
    assert selectors.slot_list(schedule=None, now=NOW) == []
    with pytest.raises(ValidationError):
        selectors.slot_list(schedule=None, first=WEDNESDAY, last=WEDNESDAY - DAY)


def test_listing_covers_every_week_of_the_range(berlin):
    listed = selectors.slot_list(
        schedule=berlin, first=WEDNESDAY, last=WEDNESDAY + 14 * DAY, now=NOW
    )
    assert len(listed) == 18
    assert {s.start.astimezone(BERLIN).date() for s in listed} == {
        WEDNESDAY,
        WEDNESDAY + 7 * DAY,
        WEDNESDAY + 14 * DAY,
    }


def test_listing_obeys_notice_horizon_and_time_off(berlin):
    berlin.min_notice_minutes = 90
    berlin.horizon_days = 7
    berlin.save()
    now = local(WEDNESDAY, 8)  # earliest start 09:30; latest next Wednesday 08:00
    TimeOffFactory(doctor=berlin, start=local(WEDNESDAY, 10, 45), end=local(WEDNESDAY, 11, 15))
    two_weeks = {"schedule": berlin, "first": WEDNESDAY, "last": WEDNESDAY + 7 * DAY, "now": now}
    assert _hours(selectors.slot_list(**two_weeks)) == ["09:30", "10:00", "11:30"]
    berlin.horizon_days = 8
    assert len(selectors.slot_list(**two_weeks)) == 3 + 6


def test_listing_hides_held_slots_and_their_buffer(berlin):
    berlin.buffer_minutes = 15
    berlin.save()
    SlotHoldFactory(doctor=berlin, start=local(WEDNESDAY, 10))  # blocks 10:00-10:45
    listed = selectors.slot_list(schedule=berlin, first=WEDNESDAY, last=WEDNESDAY, now=NOW)
    assert _hours(listed) == ["09:00", "11:00", "11:30"]


def test_doctors_own_listing_marks_held_slots(berlin):
    appointment = uuid.uuid4()
    hold = SlotHoldFactory(doctor=berlin, start=local(WEDNESDAY, 10), appointment_id=appointment)
    SlotHoldFactory(doctor=berlin, start=local(WEDNESDAY, 9), end=local(WEDNESDAY, 9, 30))
    listed = selectors.slot_list(
        schedule=berlin,
        first=WEDNESDAY,
        last=WEDNESDAY,
        include_held=True,
        now=local(WEDNESDAY, 9, 15),  # the 09:00 hold has begun: not listed
    )
    assert _hours(listed) == ["10:00", "10:30", "11:00", "11:30"]
    held = listed[0]
    assert (held.id, held.held, held.appointment_id) == (hold.slot_id, True, appointment)
    assert not any(item.held for item in listed[1:])


def test_a_held_slot_of_a_deleted_rule_still_shows_as_held(berlin):
    hold = SlotHoldFactory(doctor=berlin, start=local(WEDNESDAY, 10))
    berlin.rules.all().delete()
    listed = selectors.slot_list(
        schedule=berlin, first=WEDNESDAY, last=WEDNESDAY, include_held=True, now=NOW
    )
    assert [(item.id, item.held) for item in listed] == [(hold.slot_id, True)]


def test_listing_in_new_york_across_the_spring_change():
    schedule = DoctorScheduleFactory(timezone="America/New_York", horizon_days=365)
    AvailabilityRuleFactory(
        doctor=schedule,
        weekday=6,
        start_time=datetime.time(1),
        end_time=datetime.time(4),
        slot_minutes=60,
    )
    sunday = datetime.date(2027, 3, 14)  # DST starts in 2027
    listed = selectors.slot_list(schedule=schedule, first=sunday, last=sunday, now=NOW)
    assert [s.start.strftime("%H:%M") for s in listed] == ["06:00", "07:00"]  # 01:00 EST, 03:00 EDT


# One slot


def test_slot_state_of_a_bookable_slot(berlin):
    state = selectors.slot_get(slot_id=slot_id(berlin, NINE), now=NOW)
    assert state.bookable and state.hold is None
    assert (state.schedule, state.start, state.end) == (
        berlin,
        NINE,
        NINE + datetime.timedelta(minutes=30),
    )


@pytest.mark.parametrize(
    ("setup", "refusal"),
    [
        ("held", SlotTaken),
        ("neighbour", SlotTaken),
        ("time_off", SlotUnavailable),
        ("past", SlotUnavailable),
    ],
)
def test_slot_state_says_why_a_slot_is_not_bookable(berlin, setup, refusal):
    now = NOW
    if setup == "held":
        SlotHoldFactory(doctor=berlin, start=NINE)
    elif setup == "neighbour":
        SlotHoldFactory(
            doctor=berlin,
            start=local(WEDNESDAY, 8, 50),
            end=NINE,
            blocked_until=NINE + datetime.timedelta(minutes=1),
        )
    elif setup == "time_off":
        TimeOffFactory(
            doctor=berlin,
            start=NINE - datetime.timedelta(days=1),
            end=NINE + datetime.timedelta(minutes=1),
        )
    else:
        now = NINE
    state = selectors.slot_get(slot_id=slot_id(berlin, NINE), now=now)
    assert not state.bookable
    assert isinstance(state.refusal, refusal)


def test_slot_get_of_a_slot_no_rule_makes_is_not_found(berlin):
    with pytest.raises(SlotNotFound):
        selectors.slot_get(slot_id=slot_id(berlin, local(WEDNESDAY, 9, 10)), now=NOW)


def test_slot_locate_refuses_forged_ids(berlin):
    assert selectors.slot_locate(slot_id=slot_id(berlin, NINE)) == (berlin, NINE)
    forged = uuid.UUID(int=slot_id(berlin, NINE).int ^ 1)
    with pytest.raises(SlotNotFound):
        selectors.slot_locate(slot_id=forged)


# Look-ups


def test_rules_and_time_off_of_another_doctor_are_not_found(berlin):
    other = DoctorScheduleFactory()
    rule = AvailabilityRuleFactory(doctor=other)
    time_off = TimeOffFactory(doctor=other)
    with pytest.raises(RuleNotFound):
        selectors.rule_get(schedule=berlin, rule_id=rule.pk)
    with pytest.raises(TimeOffNotFound):
        selectors.time_off_get(schedule=berlin, time_off_id=time_off.pk)
    assert selectors.rule_get(schedule=other, rule_id=rule.pk) == rule
    assert list(selectors.time_off_list(schedule=other)) == [time_off]


def test_timezone_staleness(settings):
    settings.DOCTOR_TIMEZONE_TTL_SECONDS = 60
    schedule = DoctorScheduleFactory(timezone_checked_at=NOW)
    assert not selectors.schedule_timezone_is_stale(
        schedule, now=NOW + datetime.timedelta(seconds=59)
    )
    assert selectors.schedule_timezone_is_stale(schedule, now=NOW + datetime.timedelta(seconds=60))
    schedule.timezone_checked_at = None
    assert selectors.schedule_timezone_is_stale(schedule, now=NOW)


# What the listing reads: only what can touch its range


def test_a_long_hold_from_the_day_before_still_blocks_the_first_slots(berlin):
    # The longest block: a 240-minute slot and a 240-minute buffer, starting 7 hours
    # before the range: it still blocks the first hour of Wednesday.
    berlin.rules.update(start_time=datetime.time(0), end_time=datetime.time(3))
    start = local(WEDNESDAY, 0) - datetime.timedelta(hours=7)
    SlotHoldFactory(
        doctor=berlin,
        start=start,
        end=start + datetime.timedelta(minutes=240),
        blocked_until=start + datetime.timedelta(minutes=480),
    )
    listed = selectors.slot_list(schedule=berlin, first=WEDNESDAY, last=WEDNESDAY, now=NOW)
    assert _hours(listed) == ["01:00", "01:30", "02:00", "02:30"]


def test_long_time_off_that_began_long_ago_still_counts(berlin):
    TimeOffFactory(doctor=berlin, start=NOW - 400 * DAY, end=local(WEDNESDAY, 10))
    TimeOffFactory(doctor=berlin, start=NOW - 500 * DAY, end=NOW - 399 * DAY)
    listed = selectors.slot_list(schedule=berlin, first=WEDNESDAY, last=WEDNESDAY, now=NOW)
    assert _hours(listed) == ["10:00", "10:30", "11:00", "11:30"]


def test_a_year_of_past_holds_changes_nothing(berlin, django_assert_max_num_queries):
    week = {"schedule": berlin, "first": WEDNESDAY, "last": WEDNESDAY + 6 * DAY, "now": NOW}
    SlotHoldFactory(doctor=berlin, start=local(WEDNESDAY, 10))
    before = selectors.slot_list(**week)
    for days in range(1, 366):
        SlotHoldFactory(doctor=berlin, start=local(WEDNESDAY - days * DAY, 9))
    span = selectors.slot_math.local_day_bounds(
        zone=BERLIN, first=WEDNESDAY, last=WEDNESDAY + 6 * DAY
    )
    time_off, holds = blocks.blocks_near(berlin, span)
    assert (time_off, [hold.start for hold in holds]) == ([], [local(WEDNESDAY, 10)])
    with django_assert_max_num_queries(2):  # rules; time off and holds in one query
        assert selectors.slot_list(**week) == before


@pytest.mark.postgres
def test_the_listing_reads_holds_and_time_off_through_bounded_index_ranges(berlin):
    for days in range(1, 366):
        SlotHoldFactory(doctor=berlin, start=local(WEDNESDAY - days * DAY, 9))
        TimeOffFactory(
            doctor=berlin,
            start=local(WEDNESDAY - days * DAY, 13),
            end=local(WEDNESDAY - days * DAY, 14),
        )
    span = selectors.slot_math.local_day_bounds(zone=BERLIN, first=WEDNESDAY, last=WEDNESDAY)
    holds = blocks.holds_near_rows(berlin, span).values_list("start", "blocked_until")
    rows = holds.union(
        blocks.time_off_near_rows(berlin, span).values_list("start", "end"), all=True
    )
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE scheduling_slothold")
        cursor.execute("ANALYZE scheduling_timeoff")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # Both ends of the range in the index condition: the scan starts near the range.
    assert "hold_doctor_start_idx" in plan, plan
    assert re.search(r"Index Cond: .*start > .*start < ", plan), plan
    assert re.search(r"time_off_doctor_end_idx.*\n.*Index Cond: .*\"end\" > ", plan), plan


@pytest.mark.parametrize("include_held", [False, True])
def test_listed_slots_show_as_the_serializer_shows_them(berlin, include_held):
    SlotHoldFactory(doctor=berlin, start=local(WEDNESDAY, 10), appointment_id=uuid.uuid4())
    listed = selectors.slot_list(
        schedule=berlin, first=WEDNESDAY, last=WEDNESDAY, include_held=include_held, now=NOW
    )
    assert any(slot.held for slot in listed) is include_held
    context = {"include_held": include_held}
    for slot in listed:
        shown = selectors.listed_slot_output(slot, include_held=include_held)
        assert JSONRenderer().render(shown) == JSONRenderer().render(
            SlotOutputSerializer(slot, context=context).data
        )
