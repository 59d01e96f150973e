"""Dates, times and zones in plain words."""

import datetime

import pytest

from portal.web import timefmt

UTC = datetime.UTC


@pytest.mark.parametrize(
    ("hour", "minute", "label"),
    [
        (0, 0, "12am"),
        (0, 30, "12:30am"),
        (9, 0, "9am"),
        (9, 5, "9:05am"),
        (11, 59, "11:59am"),
        (12, 0, "midday"),
        (12, 30, "12:30pm"),
        (14, 30, "2:30pm"),
        (23, 45, "11:45pm"),
    ],
)
def test_time_label(hour, minute, label):
    assert timefmt.time_label(datetime.time(hour, minute)) == label
    assert timefmt.time_label(datetime.datetime(2026, 12, 7, hour, minute, tzinfo=UTC)) == label


def test_date_label_has_no_ordinals_or_commas():
    day = datetime.date(2026, 12, 7)

    assert timefmt.date_label(day) == "Monday 7 December 2026"
    assert timefmt.date_label(day, year=False) == "Monday 7 December"
    assert (
        timefmt.date_label(datetime.datetime(2027, 1, 1, 9, tzinfo=UTC)) == "Friday 1 January 2027"
    )


def test_range_label():
    start = datetime.datetime(2026, 12, 7, 9, tzinfo=UTC)

    assert timefmt.range_label(start, start + datetime.timedelta(minutes=30)) == "9am to 9:30am"


@pytest.mark.parametrize(
    ("first", "last", "label"),
    [
        ((2026, 12, 7), (2026, 12, 13), "7 to 13 December 2026"),
        ((2026, 11, 30), (2026, 12, 6), "30 November to 6 December 2026"),
        ((2026, 12, 28), (2027, 1, 3), "28 December 2026 to 3 January 2027"),
    ],
)
def test_week_label(first, last, label):
    assert timefmt.week_label(datetime.date(*first), datetime.date(*last)) == label


@pytest.mark.parametrize(
    ("zone", "when", "offset"),
    [
        ("Europe/London", (2026, 1, 15), "UTC+0"),
        ("Europe/London", (2026, 7, 15), "UTC+1"),
        ("America/New_York", (2026, 1, 15), "UTC-5"),
        ("Asia/Kolkata", (2026, 1, 15), "UTC+5:30"),
        ("America/St_Johns", (2026, 1, 15), "UTC-3:30"),
        ("Asia/Kathmandu", (2026, 1, 15), "UTC+5:45"),
    ],
)
def test_utc_offset(zone, when, offset):
    assert timefmt.utc_offset(zone, datetime.datetime(*when, 12, tzinfo=UTC)) == offset


def test_zone_label_and_city():
    noon = datetime.datetime(2026, 7, 1, 12, tzinfo=UTC)

    assert timefmt.zone_label("Europe/Paris", noon) == "Paris time (UTC+2)"
    assert timefmt.zone_label("America/Los_Angeles", noon) == "Los Angeles time (UTC-7)"
    assert timefmt.zone_label("UTC", noon) == "UTC"
    assert timefmt.zone_label("Etc/UTC", noon) == "UTC"
    assert timefmt.city("America/Argentina/Buenos_Aires") == "Buenos Aires"


@pytest.mark.parametrize(
    ("name", "known"),
    [("Europe/London", True), ("UTC", True), ("Mars/Base", False), ("", False), (None, False)],
)
def test_is_zone(name, known):
    assert timefmt.is_zone(name) is known


def test_every_offered_zone_is_real():
    assert all(timefmt.is_zone(name) for name in timefmt.COMMON_ZONES)


def test_local_and_monday_of():
    instant = datetime.datetime(2026, 12, 6, 23, 30, tzinfo=UTC)  # a Sunday in UTC

    tokyo = timefmt.local(instant, "Asia/Tokyo")

    assert (tokyo.date(), tokyo.hour, tokyo.minute) == (datetime.date(2026, 12, 7), 8, 30)
    assert timefmt.monday_of(datetime.date(2026, 12, 13)) == datetime.date(2026, 12, 7)
    assert timefmt.monday_of(datetime.date(2026, 12, 7)) == datetime.date(2026, 12, 7)


def test_day_bounds_follow_the_zone_and_its_clock_changes():
    start, end = timefmt.day_bounds(datetime.date(2026, 3, 29), "Europe/London")  # 23 hours long

    assert start == datetime.datetime(2026, 3, 29, 0, tzinfo=UTC)
    assert end == datetime.datetime(2026, 3, 29, 23, tzinfo=UTC)
    assert timefmt.day_bounds(datetime.date(2026, 12, 7), "Asia/Tokyo") == (
        datetime.datetime(2026, 12, 6, 15, tzinfo=UTC),
        datetime.datetime(2026, 12, 7, 15, tzinfo=UTC),
    )


def test_clock_change_names_the_day_and_the_way():
    spring = timefmt.clock_change(
        datetime.date(2026, 3, 23), datetime.date(2026, 3, 29), "Europe/London"
    )
    autumn = timefmt.clock_change(
        datetime.date(2026, 10, 19), datetime.date(2026, 10, 25), "Europe/London"
    )

    assert spring == "Clocks go forward one hour on Sunday 29 March."
    assert autumn == "Clocks go back one hour on Sunday 25 October."
    assert (
        timefmt.clock_change(datetime.date(2026, 3, 23), datetime.date(2026, 3, 29), "Asia/Tokyo")
        is None
    )
    assert (
        timefmt.clock_change(datetime.date(2026, 6, 1), datetime.date(2026, 6, 7), "Europe/London")
        is None
    )


@pytest.mark.parametrize(
    ("minutes", "label"),
    [
        (0, "no time"),
        (-5, "no time"),
        (1, "1 minute"),
        (45, "45 minutes"),
        (60, "1 hour"),
        (90, "1 hour 30 minutes"),
        (1440, "1 day"),
        (2880, "2 days"),
        (1441, "1 day 1 minute"),
        (10080, "7 days"),
    ],
)
def test_duration_label(minutes, label):
    assert timefmt.duration_label(minutes) == label
