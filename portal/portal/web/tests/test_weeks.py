"""The week view: which week, which days, which times and what each tile says."""

import datetime
import uuid

import pytest

from portal.web import weeks
from portal.web.clients import Slot

UTC = datetime.UTC
MONDAY = datetime.date(2026, 12, 7)
DOCTOR = uuid.uuid4()


def slot(start: datetime.datetime, *, held: bool = False, minutes: int = 30) -> Slot:
    return Slot(
        id=uuid.uuid4(),
        doctor_id=DOCTOR,
        start=start,
        end=start + datetime.timedelta(minutes=minutes),
        held=held,
    )


def utc(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "today", "first"),
    [
        (None, datetime.date(2026, 12, 9), MONDAY),
        ("", datetime.date(2026, 12, 9), MONDAY),
        ("2026-12-17", datetime.date(2026, 12, 9), datetime.date(2026, 12, 14)),
        ("2026-12-14", datetime.date(2026, 12, 9), datetime.date(2026, 12, 14)),
        ("2026-11-30", datetime.date(2026, 12, 9), MONDAY),  # never before this week
        ("next week", datetime.date(2026, 12, 9), MONDAY),
        ("2026-02-30", datetime.date(2026, 12, 9), MONDAY),
        (None, datetime.date(2026, 12, 13), MONDAY),  # a Sunday
        ("2027-03-01", datetime.date(2026, 12, 9), datetime.date(2027, 1, 25)),  # never after
        ("9999-12-31", datetime.date(2026, 12, 9), datetime.date(2027, 1, 25)),
        ("0001-01-01", datetime.date(2026, 12, 9), MONDAY),
    ],
)
def test_week_start(value, today, first):
    latest = datetime.date(2027, 1, 27)  # a Wednesday

    assert weeks.week_start(value, today=today, latest=latest) == first


def test_week_start_with_latest_before_this_week_is_this_week():
    today = datetime.date(2026, 12, 9)

    assert weeks.week_start("2027-01-04", today=today, latest=datetime.date(2026, 12, 1)) == MONDAY


def test_fetch_range_covers_a_day_either_side():
    assert weeks.fetch_range(MONDAY) == (datetime.date(2026, 12, 6), datetime.date(2026, 12, 14))


def test_build_week_groups_slots_by_local_day_in_order():
    late_sunday_utc = slot(utc(MONDAY - weeks.ONE_DAY, 20))  # Monday 5am in Tokyo
    monday_noon = slot(utc(MONDAY, 3))  # Monday midday in Tokyo
    after_week = slot(utc(MONDAY + 6 * weeks.ONE_DAY, 16))  # next Monday 1am in Tokyo
    before_week = slot(utc(MONDAY - weeks.ONE_DAY, 14))  # Sunday 11pm in Tokyo

    week = weeks.build_week(
        first=MONDAY,
        zone_name="Asia/Tokyo",
        slots=[monday_noon, after_week, late_sunday_utc, before_week],
        today=MONDAY,
        last_bookable=None,
    )

    assert [day.date for day in week.days] == [MONDAY + i * weeks.ONE_DAY for i in range(7)]
    monday = week.days[0]
    assert [tile.slot for tile in monday.tiles] == [late_sunday_utc, monday_noon]
    assert [tile.label for tile in monday.tiles] == ["5am", "midday"]
    assert monday.tiles[0].local_start.utcoffset() == datetime.timedelta(hours=9)
    assert all(not day.tiles for day in week.days[1:])
    assert week.free_count == 2
    assert monday.free_count == 2


def test_held_and_noted_slots_are_shown_but_not_free():
    held = slot(utc(MONDAY, 9), held=True)
    current = slot(utc(MONDAY, 10))
    free = slot(utc(MONDAY, 11))

    week = weeks.build_week(
        first=MONDAY,
        zone_name="UTC",
        slots=[held, current, free],
        today=MONDAY,
        last_bookable=None,
        notes={current.id: "Your current appointment"},
    )

    assert [tile.note for tile in week.days[0].tiles] == ["Booked", "Your current appointment", ""]
    assert week.free_count == 1


def test_a_note_wins_over_booked():
    mine = slot(utc(MONDAY, 9), held=True)

    week = weeks.build_week(
        first=MONDAY,
        zone_name="UTC",
        slots=[mine],
        today=MONDAY,
        last_bookable=None,
        notes={mine.id: "Your current appointment"},
    )

    assert week.days[0].tiles[0].note == "Your current appointment"


def test_a_short_day_has_one_unnamed_part_and_a_long_one_is_split():
    short = weeks.build_week(
        first=MONDAY,
        zone_name="UTC",
        slots=[slot(utc(MONDAY, h)) for h in range(9, 9 + weeks.GROUP_OVER)],
        today=MONDAY,
        last_bookable=None,
    )
    long = weeks.build_week(
        first=MONDAY,
        zone_name="UTC",
        slots=[slot(utc(MONDAY, h)) for h in (7, 8, 9, 10, 11, 13, 14, 15, 16)],
        today=MONDAY,
        last_bookable=None,
    )
    mornings_only = weeks.build_week(
        first=MONDAY,
        zone_name="UTC",
        slots=[slot(utc(MONDAY, 8, m)) for m in range(0, 60, 6)],
        today=MONDAY,
        last_bookable=None,
    )

    [part] = short.days[0].parts
    assert part.name == "" and len(part.tiles) == weeks.GROUP_OVER
    assert [(p.name, len(p.tiles)) for p in long.days[0].parts] == [
        ("Morning", 5),
        ("Afternoon", 4),
    ]
    assert [p.name for p in mornings_only.days[0].parts] == ["Morning"]


def test_evening_starts_at_five():
    week = weeks.build_week(
        first=MONDAY,
        zone_name="UTC",
        slots=[slot(utc(MONDAY, h, 30)) for h in (9, 10, 11, 12, 13, 14, 15, 16, 17)],
        today=MONDAY,
        last_bookable=None,
    )

    parts = week.days[0].parts
    assert [p.name for p in parts] == ["Morning", "Afternoon", "Evening"]
    assert [t.label for t in parts[2].tiles] == ["5:30pm"]
    assert [t.label for t in parts[1].tiles][-1] == "4:30pm"


def test_paging_stops_at_this_week_and_at_the_last_bookable_day():
    this_week = weeks.build_week(
        first=MONDAY, zone_name="UTC", slots=[], today=MONDAY + weeks.ONE_DAY, last_bookable=None
    )
    later = weeks.build_week(
        first=MONDAY + 14 * weeks.ONE_DAY,
        zone_name="UTC",
        slots=[],
        today=MONDAY,
        last_bookable=MONDAY + 21 * weeks.ONE_DAY,
    )
    last = weeks.build_week(
        first=MONDAY + 21 * weeks.ONE_DAY,
        zone_name="UTC",
        slots=[],
        today=MONDAY,
        last_bookable=MONDAY + 27 * weeks.ONE_DAY,
    )

    assert this_week.previous is None and this_week.previous_label == ""
    assert this_week.next == MONDAY + 7 * weeks.ONE_DAY
    assert later.previous == MONDAY + 7 * weeks.ONE_DAY
    assert later.next == MONDAY + 21 * weeks.ONE_DAY
    assert later.previous_label == "14 to 20 December 2026"
    assert later.next_label == "28 December 2026 to 3 January 2027"
    assert last.next is None and last.next_label == ""


def test_week_labels():
    week = weeks.build_week(
        first=datetime.date(2026, 3, 23),
        zone_name="Europe/London",
        slots=[],
        today=datetime.date(2026, 3, 23),
        last_bookable=None,
    )

    assert week.last == datetime.date(2026, 3, 29)
    assert week.label == "23 to 29 March 2026"
    assert week.zone_label == "London time (UTC+0)"
    assert week.clock_change == "Clocks go forward one hour on Sunday 29 March."
    day = week.days[6]
    assert (day.anchor, day.label, day.short_label) == ("d-2026-03-29", "Sunday 29 March", "Sun 29")


def test_days_before_today_are_past_and_others_not():
    week = weeks.build_week(
        first=MONDAY,
        zone_name="Asia/Tokyo",
        slots=[],
        today=MONDAY + 2 * weeks.ONE_DAY,
        last_bookable=None,
    )

    assert [day.is_past for day in week.days] == [True, True] + [False] * 5


@pytest.mark.parametrize(
    ("week_zone", "other", "differs"),
    [("UTC", "Europe/London", False), ("Europe/Paris", "Europe/London", True)],
)
def test_offset_differs_compares_offsets_not_names(week_zone, other, differs):
    # MONDAY is in winter: London is on UTC+0 then.
    week = weeks.build_week(
        first=MONDAY, zone_name=week_zone, slots=[], today=MONDAY, last_bookable=None
    )

    assert week.offset_differs(other) is differs
