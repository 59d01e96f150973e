"""Slot arithmetic without the ORM: weekly rules to UTC slots across DST, filters, slot ids."""

from __future__ import annotations

import bisect
import datetime
import hashlib
import uuid
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Protocol

UTC = datetime.UTC
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=UTC)
MINUTE = datetime.timedelta(minutes=1)

# Slot id layout (a UUID version 8, RFC 9562): 122 free bits carry
# doctor sequence number (32) | start in minutes since the epoch (32) | check (58).
_SEQ_BITS = 32
_MINUTES_BITS = 32
_CHECK_BITS = 58
_SEQ_MAX = (1 << _SEQ_BITS) - 1
_MINUTES_MAX = (1 << _MINUTES_BITS) - 1
_LOW62 = (1 << 62) - 1


class RuleLike(Protocol):
    """What slot generation reads from a weekly rule (an ``AvailabilityRule`` fits)."""

    weekday: int
    start_time: datetime.time
    end_time: datetime.time
    slot_minutes: int
    valid_from: datetime.date | None
    valid_until: datetime.date | None


@dataclass(frozen=True, order=True)
class Interval:
    """A half-open span of time ``[start, end)`` between aware datetimes."""

    start: datetime.datetime
    end: datetime.datetime


@dataclass(frozen=True, order=True)
class Slot:
    """One generated slot: UTC start and end (``end - start`` is the slot's length)."""

    start: datetime.datetime
    end: datetime.datetime


@dataclass(frozen=True)
class Policy:
    """The part of a doctor's booking policy that decides what is bookable."""

    min_notice_minutes: int = 60
    horizon_days: int = 90
    buffer_minutes: int = 0


@cache
def zone_get(name: str) -> zoneinfo.ZoneInfo:
    """Return the ``ZoneInfo`` of IANA name ``name``; raise ``zoneinfo.ZoneInfoNotFoundError``."""
    return zoneinfo.ZoneInfo(name)


@cache
def timezone_names() -> frozenset[str]:
    # Reading the tz database walks the filesystem: do it once per process.
    return frozenset(zoneinfo.available_timezones())


def is_timezone(name: str) -> bool:
    """True when ``name`` is an IANA time zone name (``Europe/Berlin``)."""
    return name in timezone_names()


def rule_applies(rule: RuleLike, day: datetime.date) -> bool:
    """True when ``rule`` offers slots on local date ``day`` (weekday and validity)."""
    return (
        rule.weekday == day.weekday()
        and (rule.valid_from is None or rule.valid_from <= day)
        and (rule.valid_until is None or day <= rule.valid_until)
    )


def _exists(local: datetime.datetime, zone: zoneinfo.ZoneInfo) -> bool:
    """False for a wall time skipped by a spring-forward change (it does not survive UTC)."""
    back = local.astimezone(UTC).astimezone(zone)
    return back.replace(tzinfo=None) == local.replace(tzinfo=None)


def _day_slots(rule: RuleLike, day: datetime.date, zone: zoneinfo.ZoneInfo) -> Iterable[Slot]:
    length = datetime.timedelta(minutes=rule.slot_minutes)
    wall = datetime.datetime.combine(day, rule.start_time)
    wall_end = datetime.datetime.combine(day, rule.end_time)
    offsets = {
        moment.replace(tzinfo=zone, fold=fold).utcoffset()
        for moment in (wall, wall_end)
        for fold in (0, 1)
    }
    offset = offsets.pop() if len(offsets) == 1 else None
    if offset is not None:
        # One offset at both ends, and neither end in a gap or a repeated hour (both
        # folds agree): no clock change inside the window (the days that have one go
        # the long way), so every wall time of it exists once, at this offset.
        first = (wall - offset).replace(tzinfo=UTC)
        return [
            Slot(start=first + k * length, end=first + (k + 1) * length)
            for k in range((wall_end - wall) // length)
        ]
    return _day_slots_across_a_change(rule, day, zone)


def _day_slots_across_a_change(
    rule: RuleLike, day: datetime.date, zone: zoneinfo.ZoneInfo
) -> Iterable[Slot]:
    """Slots of a window that a clock change may cross: each wall time checked one by one."""
    length = datetime.timedelta(minutes=rule.slot_minutes)
    wall = datetime.datetime.combine(day, rule.start_time)
    wall_end = datetime.datetime.combine(day, rule.end_time)
    # The rule's last instant; a wall end inside a gap resolves (fold=0) to the later instant.
    end_utc = wall_end.replace(tzinfo=zone).astimezone(UTC)
    while wall + length <= wall_end:
        local = wall.replace(tzinfo=zone)  # fold=0: the first of a repeated fall-back hour
        wall += length
        if not _exists(local, zone):
            continue
        start = local.astimezone(UTC)
        end = start + length  # elapsed time, not wall time
        if end > end_utc:  # a spring-forward day shortens the working window
            continue
        yield Slot(start=start, end=end)


def slots_generate(
    *,
    rules: Iterable[RuleLike],
    zone: zoneinfo.ZoneInfo,
    first: datetime.date,
    last: datetime.date,
) -> list[Slot]:
    """Return the slots ``rules`` make on local dates ``first``..``last`` (inclusive), by start.

    Each rule steps from ``start_time`` by ``slot_minutes`` of wall-clock time
    while ``start + slot_minutes <= end_time``. A start that does not exist
    (spring-forward gap) is skipped; a repeated fall-back hour gives its first
    occurrence; ends are ``start + slot_minutes`` of elapsed time. A slot
    that would overlap the one before it (possible only around a DST change,
    with slot lengths that do not divide the hour) is left out.
    """
    by_weekday: dict[int, list[RuleLike]] = {}
    for rule in rules:
        by_weekday.setdefault(rule.weekday, []).append(rule)
    generated: list[Slot] = []
    day = first
    while day <= last:
        for rule in by_weekday.get(day.weekday(), ()):
            if rule_applies(rule, day):
                generated.extend(_day_slots(rule, day, zone))
        day += datetime.timedelta(days=1)
    generated.sort()
    kept: list[Slot] = []
    for slot in generated:
        if kept and slot.start < kept[-1].end:
            continue
        kept.append(slot)
    return kept


class IntervalIndex:
    """Answers "does ``[start, end)`` overlap any of these intervals?" in O(log n)."""

    def __init__(self, intervals: Iterable[Interval]):
        ordered = sorted(intervals)
        self._starts = [interval.start for interval in ordered]
        self._max_ends: list[datetime.datetime] = []
        for interval in ordered:
            latest = self._max_ends[-1] if self._max_ends else interval.end
            self._max_ends.append(max(latest, interval.end))

    def overlaps(self, start: datetime.datetime, end: datetime.datetime) -> bool:
        # Intervals starting before ``end``; one of them overlaps when the latest end > start.
        count = bisect.bisect_left(self._starts, end)
        return count > 0 and self._max_ends[count - 1] > start


def bookable_window(
    *, now: datetime.datetime, policy: Policy
) -> tuple[datetime.datetime, datetime.datetime]:
    """Return ``(earliest, latest)`` start a slot may have to be bookable at ``now``."""
    return (
        now + datetime.timedelta(minutes=policy.min_notice_minutes),
        now + datetime.timedelta(days=policy.horizon_days),
    )


def slot_is_bookable(
    slot: Slot,
    *,
    now: datetime.datetime,
    policy: Policy,
    time_off: IntervalIndex,
    holds: IntervalIndex,
) -> bool:
    """True when ``slot`` honours notice and horizon, misses time off and misses every hold.

    ``holds`` are ``[start, blocked_until)`` intervals; the slot blocks
    ``[start, end + buffer)``.
    """
    earliest, latest = bookable_window(now=now, policy=policy)
    if not earliest <= slot.start <= latest:
        return False
    if time_off.overlaps(slot.start, slot.end):
        return False
    blocked_until = slot.end + datetime.timedelta(minutes=policy.buffer_minutes)
    return not holds.overlaps(slot.start, blocked_until)


def slots_filter_bookable(
    slots: Sequence[Slot],
    *,
    now: datetime.datetime,
    policy: Policy,
    time_off: Iterable[Interval],
    holds: Iterable[Interval],
) -> list[Slot]:
    """Return the slots of ``slots`` that are bookable at ``now`` (see ``slot_is_bookable``)."""
    time_off_index, holds_index = IntervalIndex(time_off), IntervalIndex(holds)
    return [
        slot
        for slot in slots
        if slot_is_bookable(
            slot, now=now, policy=policy, time_off=time_off_index, holds=holds_index
        )
    ]


def local_day_bounds(
    *, zone: zoneinfo.ZoneInfo, first: datetime.date, last: datetime.date
) -> Interval:
    """Return the UTC instants from local midnight of ``first`` to local midnight after ``last``."""
    start = datetime.datetime.combine(first, datetime.time(0), tzinfo=zone)
    end = datetime.datetime.combine(
        last + datetime.timedelta(days=1), datetime.time(0), tzinfo=zone
    )
    return Interval(start.astimezone(UTC), end.astimezone(UTC))


# Slot ids


def _check(doctor_id: uuid.UUID, minutes: int) -> int:
    digest = hashlib.sha256(b"slot" + doctor_id.bytes + minutes.to_bytes(4, "big")).digest()
    return int.from_bytes(digest[:8], "big") >> (64 - _CHECK_BITS)


def _minutes(start: datetime.datetime) -> int:
    if start.tzinfo is None:
        raise ValueError("A slot start must be an aware datetime.")
    if start.second or start.microsecond:
        raise ValueError("A slot starts on a whole minute.")
    minutes = (start - EPOCH) // MINUTE
    if not 0 <= minutes <= _MINUTES_MAX:
        raise ValueError("A slot start must lie after 1970 and fit in 32 bits of minutes.")
    return minutes


def slot_id_encode(*, seq: int, doctor_id: uuid.UUID, start: datetime.datetime) -> uuid.UUID:
    """Return the stable id of the slot of doctor ``seq``/``doctor_id`` starting at ``start``.

    The same doctor and start always give the same id. Raises ``ValueError``
    for a naive or non-whole-minute ``start`` or a ``seq`` beyond 32 bits.
    """
    if not 0 <= seq <= _SEQ_MAX:
        raise ValueError("A doctor sequence number must fit in 32 bits.")
    minutes = _minutes(start)
    payload = (seq << 90) | (minutes << _CHECK_BITS) | _check(doctor_id, minutes)
    value = (
        ((payload >> 74) << 80)
        | (0x8 << 76)
        | (((payload >> 62) & 0xFFF) << 64)
        | (0b10 << 62)
        | (payload & _LOW62)
    )
    return uuid.UUID(int=value)


def slot_id_decode(slot_id: uuid.UUID) -> tuple[int, datetime.datetime] | None:
    """Return ``(seq, start)`` carried by ``slot_id``, or ``None`` when it is no slot id.

    Only the layout is checked here: the caller loads the doctor by ``seq``
    and compares ``slot_id_encode(...)`` with ``slot_id`` to verify the check bits.
    """
    value = slot_id.int
    if (value >> 76) & 0xF != 0x8 or (value >> 62) & 0b11 != 0b10:
        return None
    payload = ((value >> 80) << 74) | (((value >> 64) & 0xFFF) << 62) | (value & _LOW62)
    seq = payload >> 90
    minutes = (payload >> _CHECK_BITS) & _MINUTES_MAX
    try:
        return seq, EPOCH + minutes * MINUTE
    except OverflowError:  # past year 9999: no datetime, so no slot
        return None


def slot_id_matches(
    slot_id: uuid.UUID, *, seq: int, doctor_id: uuid.UUID, start: datetime.datetime
) -> bool:
    """True when ``slot_id`` is the id of this doctor's slot at ``start`` (check bits agree)."""
    return slot_id_encode(seq=seq, doctor_id=doctor_id, start=start) == slot_id
