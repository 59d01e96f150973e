"""The week view shared by patients, rescheduling and doctors: seven days of times, one API call."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from portal.web import timefmt
from portal.web.clients import Slot

ONE_DAY = datetime.timedelta(days=1)
# A day with more times than this splits under Morning, Afternoon and Evening.
GROUP_OVER = 8


@dataclass
class TimeTile:
    slot: Slot
    local_start: datetime.datetime
    label: str
    note: str = ""  # "Booked", "Your current appointment": shown as text, never as a link


@dataclass
class DayPart:
    name: str
    tiles: list[TimeTile]


@dataclass
class Day:
    date: datetime.date
    tiles: list[TimeTile] = field(default_factory=list)
    is_past: bool = False

    @property
    def anchor(self) -> str:
        return f"d-{self.date.isoformat()}"

    @cached_property
    def label(self) -> str:
        # Read once per time tile (its hidden day text): worked out once.
        return timefmt.date_label(self.date, year=False)

    @property
    def short_label(self) -> str:
        return f"{self.date:%a} {self.date.day}"

    @property
    def free_count(self) -> int:
        return sum(1 for tile in self.tiles if not tile.note)

    @property
    def parts(self) -> list[DayPart]:
        """Morning (before midday), Afternoon (to 5pm) and Evening, when the day is long."""
        if len(self.tiles) <= GROUP_OVER:
            return [DayPart("", self.tiles)]
        parts = [
            DayPart("Morning", [t for t in self.tiles if t.local_start.hour < 12]),
            DayPart("Afternoon", [t for t in self.tiles if 12 <= t.local_start.hour < 17]),
            DayPart("Evening", [t for t in self.tiles if t.local_start.hour >= 17]),
        ]
        return [part for part in parts if part.tiles]


@dataclass
class Week:
    first: datetime.date
    zone_name: str
    days: list[Day]
    previous: datetime.date | None
    next: datetime.date | None

    @property
    def last(self) -> datetime.date:
        return self.first + 6 * ONE_DAY

    @property
    def label(self) -> str:
        return timefmt.week_label(self.first, self.last)

    @property
    def previous_label(self) -> str:
        return (
            timefmt.week_label(self.previous, self.previous + 6 * ONE_DAY) if self.previous else ""
        )

    @property
    def next_label(self) -> str:
        return timefmt.week_label(self.next, self.next + 6 * ONE_DAY) if self.next else ""

    @property
    def zone_label(self) -> str:
        noon = datetime.datetime.combine(self.first, datetime.time(12), tzinfo=timefmt.UTC)
        return timefmt.zone_label(self.zone_name, noon)

    def offset_differs(self, other_zone: str) -> bool:
        """Whether ``other_zone`` is on another UTC offset than the week's zone, mid-week."""
        noon = datetime.datetime.combine(self.first + 3 * ONE_DAY, datetime.time(12), timefmt.UTC)
        return timefmt.utc_offset(other_zone, noon) != timefmt.utc_offset(self.zone_name, noon)

    @property
    def clock_change(self) -> str | None:
        return timefmt.clock_change(self.first, self.last, self.zone_name)

    @property
    def free_count(self) -> int:
        return sum(day.free_count for day in self.days)


def week_start(value: str | None, *, today: datetime.date, latest: datetime.date) -> datetime.date:
    """The Monday of ``value`` (YYYY-MM-DD), or of today; never before this week, nor after
    the week of ``latest`` (a made-up ``?week=9999-12-27`` shows the last week there is)."""
    this_week = timefmt.monday_of(today)
    try:
        chosen = timefmt.monday_of(datetime.date.fromisoformat(value)) if value else this_week
    except (ValueError, OverflowError):
        chosen = this_week
    return min(max(chosen, this_week), max(timefmt.monday_of(latest), this_week))


def fetch_range(first: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Local dates to ask for so that every instant of the viewer's week is covered in any zone.

    The API takes dates in the doctor's zone; a day either side covers every
    offset between the two zones (at most 26 hours apart).
    """
    return first - ONE_DAY, first + 7 * ONE_DAY


def build_week(
    *,
    first: datetime.date,
    zone_name: str,
    slots: Iterable[Slot],
    today: datetime.date,
    last_bookable: datetime.date | None,
    notes: dict[uuid.UUID, str] | None = None,
) -> Week:
    """Group ``slots`` into the seven local days from ``first`` (in ``zone_name``).

    ``notes`` labels particular slots (by id) that are shown but not chosen.
    ``last_bookable`` ends paging forward; paging back stops at this week.
    """
    notes = notes or {}
    days = [Day(first + i * ONE_DAY, is_past=first + i * ONE_DAY < today) for i in range(7)]
    by_date = {day.date: day for day in days}
    for slot in sorted(slots, key=lambda s: s.start):
        local = timefmt.local(slot.start, zone_name)
        day = by_date.get(local.date())
        if day is None:
            continue
        note = notes.get(slot.id, "Booked" if slot.held else "")
        day.tiles.append(TimeTile(slot, local, timefmt.time_label(local), note))
    this_week = timefmt.monday_of(today)
    next_first = first + 7 * ONE_DAY
    return Week(
        first=first,
        zone_name=zone_name,
        days=days,
        previous=first - 7 * ONE_DAY if first > this_week else None,
        next=next_first if last_bookable is None or next_first <= last_bookable else None,
    )
