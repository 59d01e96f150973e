"""Pure slot arithmetic: rules to UTC slots across DST, filters, slot ids."""

import datetime
import uuid
import zoneinfo
from dataclasses import dataclass
from types import SimpleNamespace

import pytest

from schedule_service.scheduling import slots
from schedule_service.scheduling.slots import Interval, Policy, Slot
from schedule_service.scheduling.tests.helpers import utc

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
UTC_ZONE = zoneinfo.ZoneInfo("UTC")
MIN = datetime.timedelta(minutes=1)


@dataclass
class Rule:
    weekday: int
    start_time: datetime.time
    end_time: datetime.time
    slot_minutes: int = 30
    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = None


def _rule(day: datetime.date, start: str, end: str, minutes: int = 30, **kw) -> Rule:
    return Rule(
        day.weekday(),
        datetime.time.fromisoformat(start),
        datetime.time.fromisoformat(end),
        minutes,
        **kw,
    )


def _starts(generated) -> list[datetime.datetime]:
    return [slot.start for slot in generated]


def _day(rule: Rule, zone, day: datetime.date) -> list[Slot]:
    return slots.slots_generate(rules=[rule], zone=zone, first=day, last=day)


# Generation across DST


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2026, 1, 14), utc(2026, 1, 14, 14)),  # EST, UTC-5
        (datetime.date(2026, 7, 15), utc(2026, 7, 15, 13)),  # EDT, UTC-4
    ],
)
def test_a_nine_oclock_rule_in_new_york_follows_daylight_saving(day, expected):
    generated = _day(_rule(day, "09:00", "10:00"), NEW_YORK, day)
    assert _starts(generated) == [expected, expected + 30 * MIN]
    assert all(slot.end - slot.start == 30 * MIN for slot in generated)


def test_new_york_spring_forward_gap_has_no_slots():
    day = datetime.date(2026, 3, 8)  # 02:00 EST jumps to 03:00 EDT
    generated = _day(_rule(day, "01:00", "04:00"), NEW_YORK, day)
    assert _starts(generated) == [
        utc(2026, 3, 8, 6, 0),  # 01:00 EST
        utc(2026, 3, 8, 6, 30),  # 01:30 EST, ends 03:00 EDT
        utc(2026, 3, 8, 7, 0),  # 03:00 EDT
        utc(2026, 3, 8, 7, 30),  # 03:30 EDT
    ]
    assert generated[1].end == utc(2026, 3, 8, 7, 0)


def test_new_york_fall_back_repeated_hour_is_offered_once():
    day = datetime.date(2026, 11, 1)  # 02:00 EDT falls back to 01:00 EST
    generated = _day(_rule(day, "00:00", "03:00", 60), NEW_YORK, day)
    assert [(s.start, s.end) for s in generated] == [
        (utc(2026, 11, 1, 4), utc(2026, 11, 1, 5)),  # 00:00 EDT
        (utc(2026, 11, 1, 5), utc(2026, 11, 1, 6)),  # 01:00 EDT (the first 01:00)
        (utc(2026, 11, 1, 7), utc(2026, 11, 1, 8)),  # 02:00 EST
    ]


def test_berlin_spring_forward_gap_is_skipped():
    day = datetime.date(2026, 3, 29)  # 02:00 CET jumps to 03:00 CEST
    generated = _day(_rule(day, "01:00", "04:00"), BERLIN, day)
    assert _starts(generated) == [
        utc(2026, 3, 29, 0, 0),
        utc(2026, 3, 29, 0, 30),
        utc(2026, 3, 29, 1, 0),  # 03:00 CEST
        utc(2026, 3, 29, 1, 30),
    ]


def test_berlin_fall_back_gives_the_first_occurrence_of_the_repeated_hour():
    day = datetime.date(2026, 10, 25)  # 03:00 CEST falls back to 02:00 CET
    generated = _day(_rule(day, "01:00", "04:00"), BERLIN, day)
    assert [(s.start, s.end) for s in generated] == [
        (utc(2026, 10, 24, 23, 0), utc(2026, 10, 24, 23, 30)),  # 01:00 CEST
        (utc(2026, 10, 24, 23, 30), utc(2026, 10, 25, 0, 0)),
        (utc(2026, 10, 25, 0, 0), utc(2026, 10, 25, 0, 30)),  # 02:00 CEST (first)
        (utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 0)),  # 02:30 CEST
        (utc(2026, 10, 25, 2, 0), utc(2026, 10, 25, 2, 30)),  # 03:00 CET
        (utc(2026, 10, 25, 2, 30), utc(2026, 10, 25, 3, 0)),
    ]


def test_slots_never_overlap_around_a_dst_change_with_odd_lengths():
    day = datetime.date(2026, 3, 8)
    generated = _day(_rule(day, "00:15", "05:00", 45), NEW_YORK, day)
    # 00:15, 01:00, 01:45 EST; 02:30 does not exist; 03:15 EDT (07:15Z) would overlap
    # 01:45 EST (06:45Z-07:30Z) and is left out; 04:00 EDT.
    assert _starts(generated) == [
        utc(2026, 3, 8, 5, 15),
        utc(2026, 3, 8, 6, 0),
        utc(2026, 3, 8, 6, 45),
        utc(2026, 3, 8, 8, 0),
    ]
    for before, after in zip(generated, generated[1:], strict=False):
        assert before.end <= after.start


def test_a_slot_may_not_run_past_the_rule_end_on_a_short_day():
    day = datetime.date(2026, 3, 8)
    # 01:30 EST + 60 minutes is 03:30 EDT, past the 03:00 end though the wall clock fits.
    assert _day(_rule(day, "01:30", "03:00", 60), NEW_YORK, day) == []


def test_slots_stop_when_the_next_would_not_fit():
    day = datetime.date(2026, 1, 14)
    generated = _day(_rule(day, "09:00", "10:10", 30), UTC_ZONE, day)
    assert _starts(generated) == [utc(2026, 1, 14, 9), utc(2026, 1, 14, 9, 30)]


def test_validity_dates_bound_a_rule():
    monday = datetime.date(2026, 1, 5)
    rule = Rule(
        0,
        datetime.time(9),
        datetime.time(9, 30),
        valid_from=datetime.date(2026, 1, 12),
        valid_until=datetime.date(2026, 1, 19),
    )
    generated = slots.slots_generate(
        rules=[rule], zone=UTC_ZONE, first=monday, last=monday + datetime.timedelta(days=27)
    )
    assert _starts(generated) == [utc(2026, 1, 12, 9), utc(2026, 1, 19, 9)]


def test_open_ended_validity_and_several_rules_merge_in_order():
    monday = datetime.date(2026, 1, 5)
    rules = [
        Rule(0, datetime.time(13), datetime.time(14), 60, valid_from=datetime.date(2026, 1, 12)),
        Rule(0, datetime.time(9), datetime.time(10), 60, valid_until=datetime.date(2026, 1, 5)),
        Rule(2, datetime.time(8), datetime.time(9), 60),
    ]
    generated = slots.slots_generate(
        rules=rules, zone=UTC_ZONE, first=monday, last=monday + datetime.timedelta(days=7)
    )
    assert _starts(generated) == [
        utc(2026, 1, 5, 9),
        utc(2026, 1, 7, 8),
        utc(2026, 1, 12, 13),
    ]


def test_rule_applies():
    rule = _rule(datetime.date(2026, 1, 7), "09:00", "10:00", valid_from=datetime.date(2026, 1, 7))
    assert slots.rule_applies(rule, datetime.date(2026, 1, 7))
    assert not slots.rule_applies(rule, datetime.date(2026, 1, 8))  # weekday
    assert not slots.rule_applies(rule, datetime.date(2025, 12, 31))  # before valid_from


def test_local_day_bounds_of_a_short_day():
    bounds = slots.local_day_bounds(
        zone=BERLIN, first=datetime.date(2026, 3, 29), last=datetime.date(2026, 3, 29)
    )
    assert bounds == Interval(utc(2026, 3, 28, 23), utc(2026, 3, 29, 22))


# Filters

NOW = utc(2026, 1, 1, 8)
NO_LIMITS = Policy(min_notice_minutes=0, horizon_days=365, buffer_minutes=0)


def _grid(day: datetime.date, start: str, end: str, minutes: int = 30) -> list[Slot]:
    return _day(_rule(day, start, end, minutes), UTC_ZONE, day)


def test_time_off_cuts_a_day_in_half():
    day = datetime.date(2026, 1, 14)
    free = slots.slots_filter_bookable(
        _grid(day, "09:00", "17:00", 60),
        now=NOW,
        policy=NO_LIMITS,
        time_off=[Interval(utc(2026, 1, 14, 11, 30), utc(2026, 1, 14, 14))],
        holds=[],
    )
    assert [s.start.hour for s in free] == [9, 10, 14, 15, 16]


def test_notice_and_horizon_bound_the_bookable_window():
    day = datetime.date(2026, 1, 1)
    grid = _grid(day, "08:00", "12:00", 60)
    policy = Policy(min_notice_minutes=120, horizon_days=1, buffer_minutes=0)
    free = slots.slots_filter_bookable(grid, now=NOW, policy=policy, time_off=[], holds=[])
    assert [s.start.hour for s in free] == [10, 11]  # 08:00 is now, 09:00 within 2 h
    tomorrow = _grid(datetime.date(2026, 1, 2), "07:00", "10:00", 60)
    free = slots.slots_filter_bookable(tomorrow, now=NOW, policy=policy, time_off=[], holds=[])
    assert [s.start.hour for s in free] == [7, 8]  # 09:00 is past now + 1 day


def test_holds_and_buffers_hide_neighbours():
    day = datetime.date(2026, 1, 14)
    grid = _grid(day, "09:00", "12:00")
    hold = Interval(utc(2026, 1, 14, 10), utc(2026, 1, 14, 10, 45))  # 10:00-10:30 + 15 min
    free = slots.slots_filter_bookable(grid, now=NOW, policy=NO_LIMITS, time_off=[], holds=[hold])
    # 10:00 is held and 10:30 falls in its buffer.
    assert [s.start.strftime("%H:%M") for s in free] == ["09:00", "09:30", "11:00", "11:30"]
    buffered = Policy(min_notice_minutes=0, horizon_days=365, buffer_minutes=15)
    free = slots.slots_filter_bookable(grid, now=NOW, policy=buffered, time_off=[], holds=[hold])
    # Now 09:30 (blocking until 10:15) would also crowd the held slot.
    assert [s.start.strftime("%H:%M") for s in free] == ["09:00", "11:00", "11:30"]


def test_a_held_slot_of_an_old_grid_hides_the_new_slots_it_overlaps():
    day = datetime.date(2026, 1, 14)
    grid = _grid(day, "09:00", "11:00", 45)  # 09:00, 09:45, (10:30 does not fit)
    old_hold = Interval(utc(2026, 1, 14, 9, 30), utc(2026, 1, 14, 10))
    free = slots.slots_filter_bookable(
        grid, now=NOW, policy=NO_LIMITS, time_off=[], holds=[old_hold]
    )
    assert free == []


def test_interval_index():
    index = slots.IntervalIndex(
        [
            Interval(utc(2026, 1, 1, 9), utc(2026, 1, 1, 12)),
            Interval(utc(2026, 1, 1, 10), utc(2026, 1, 1, 10, 30)),
        ]
    )
    assert index.overlaps(utc(2026, 1, 1, 11), utc(2026, 1, 1, 13))
    assert not index.overlaps(utc(2026, 1, 1, 12), utc(2026, 1, 1, 13))  # touching
    assert not index.overlaps(utc(2026, 1, 1, 8), utc(2026, 1, 1, 9))
    assert not slots.IntervalIndex([]).overlaps(utc(2026, 1, 1, 8), utc(2026, 1, 1, 9))


def test_timezone_names():
    assert slots.is_timezone("America/New_York")
    assert not slots.is_timezone("Mars/Olympus")
    assert slots.zone_get("Europe/Berlin") is slots.zone_get("Europe/Berlin")


# Slot ids

DOCTOR = uuid.UUID("2b2d6c70-9d5d-5544-a0f3-a2a8aee6ac4f")
START = utc(2026, 12, 1, 8, 30)


def test_slot_id_round_trip_and_layout():
    slot_id = slots.slot_id_encode(seq=42, doctor_id=DOCTOR, start=START)
    assert slot_id.version == 8
    assert slot_id.variant == uuid.RFC_4122
    assert slots.slot_id_decode(slot_id) == (42, START)
    assert slots.slot_id_matches(slot_id, seq=42, doctor_id=DOCTOR, start=START)


def test_slot_ids_are_stable_and_distinct():
    same = {slots.slot_id_encode(seq=42, doctor_id=DOCTOR, start=START) for _ in range(3)}
    assert len(same) == 1
    # The same instant written in another zone is the same slot.
    berlin = START.astimezone(BERLIN)
    assert slots.slot_id_encode(seq=42, doctor_id=DOCTOR, start=berlin) in same
    others = {
        slots.slot_id_encode(seq=43, doctor_id=DOCTOR, start=START),
        slots.slot_id_encode(seq=42, doctor_id=uuid.uuid4(), start=START),
        slots.slot_id_encode(seq=42, doctor_id=DOCTOR, start=START + MIN),
    }
    assert len(others) == 3
    assert not others & same


def test_extreme_values_round_trip():
    largest = (2**32 - 1, utc(9999, 12, 31, 23, 59))
    for seq, start in [(0, utc(1970, 1, 1)), largest]:
        slot_id = slots.slot_id_encode(seq=seq, doctor_id=DOCTOR, start=start)
        assert slots.slot_id_decode(slot_id) == (seq, start)


def test_tampered_ids_are_refused():
    slot_id = slots.slot_id_encode(seq=42, doctor_id=DOCTOR, start=START)
    flipped = uuid.UUID(int=slot_id.int ^ 1)  # a check bit
    seq, start = slots.slot_id_decode(flipped)
    assert not slots.slot_id_matches(flipped, seq=seq, doctor_id=DOCTOR, start=start)
    moved = uuid.UUID(int=slot_id.int ^ (1 << 58))  # the lowest bit of the start minute
    decoded = slots.slot_id_decode(moved)
    assert decoded is not None and decoded[1] != START
    assert not slots.slot_id_matches(moved, seq=decoded[0], doctor_id=DOCTOR, start=decoded[1])
    # Wrong version or variant: not a slot id at all.
    assert slots.slot_id_decode(uuid.uuid4()) is None
    assert slots.slot_id_decode(uuid.UUID(int=slot_id.int ^ (0b11 << 62))) is None


def test_an_id_beyond_year_9999_is_no_slot():
    slot_id = uuid.UUID(int=(0xFFFFFFFFFFFF << 80) | (0x8 << 76) | (0xFFF << 64) | (0b10 << 62))
    assert slots.slot_id_decode(slot_id) is None


@pytest.mark.parametrize(
    ("seq", "start"),
    [
        (-1, START),
        (2**32, START),
        (1, START.replace(tzinfo=None)),
        (1, START.replace(second=5)),
        (1, START.replace(microsecond=1)),
        (1, utc(1969, 12, 31, 23, 59)),
    ],
)
def test_encode_refuses_what_no_slot_can_be(seq, start):
    with pytest.raises(ValueError, match="."):
        slots.slot_id_encode(seq=seq, doctor_id=DOCTOR, start=start)


# The quick way (no clock change in the window) agrees with the slot-by-slot one


def _change_days(zone: zoneinfo.ZoneInfo, first: datetime.date, days: int) -> set[datetime.date]:
    """The local dates (and the day around each) on which ``zone``'s offset changes."""
    found = set()
    for n in range(days):
        day = first + datetime.timedelta(days=n)
        today = datetime.datetime.combine(day, datetime.time(0), tzinfo=zone).utcoffset()
        nextday = day + datetime.timedelta(days=1)
        tomorrow = datetime.datetime.combine(nextday, datetime.time(0), tzinfo=zone).utcoffset()
        if today != tomorrow:
            found.update(day + datetime.timedelta(days=d) for d in (-1, 0, 1))
    return found


def test_the_quick_way_gives_what_checking_each_slot_gives_in_every_zone():
    rules = [
        SimpleNamespace(
            weekday=0,
            start_time=datetime.time(a),
            end_time=b,
            slot_minutes=m,
            valid_from=None,
            valid_until=None,
        )
        for a, b, m in [
            (0, datetime.time(23, 55), 60),
            (0, datetime.time(5), 5),
            (1, datetime.time(4), 45),
            (22, datetime.time(23, 59), 25),
        ]
    ]
    compared = 0
    for name in sorted(slots.timezone_names()):
        zone = slots.zone_get(name)
        days = _change_days(zone, datetime.date(2025, 12, 25), 2 * 366)
        for day in sorted(days | {datetime.date(2026, 1, 14), datetime.date(2026, 7, 15)}):
            for rule in rules:
                quick = list(slots._day_slots(rule, day, zone))
                assert quick == list(slots._day_slots_across_a_change(rule, day, zone)), (
                    name,
                    day,
                    rule,
                )
                compared += 1
    assert compared > 10_000
