"""Dates, times and time zones in plain words: "Monday 7 December 2026", "9am", "2:30pm", "midday"."""

from __future__ import annotations

import datetime
import zoneinfo
from functools import cache

UTC = datetime.UTC

# Zones offered in the time-zone setting; anything zoneinfo knows is accepted.
COMMON_ZONES = (
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Amsterdam",
    "Europe/Warsaw",
    "Europe/Athens",
    "Europe/Helsinki",
    "Europe/Istanbul",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "UTC",
)


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_zone(name: str | None) -> bool:
    return bool(name) and name in _zone_names()


def zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def city(name: str) -> str:
    """The city part of an IANA name: Europe/Paris → Paris, America/New_York → New York."""
    return name.rsplit("/", 1)[-1].replace("_", " ")


def utc_offset(name: str, at: datetime.datetime) -> str:
    """UTC+1, UTC-5, UTC+5:30, UTC+0."""
    offset = at.astimezone(zone(name)).utcoffset() or datetime.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_label(name: str, at: datetime.datetime) -> str:
    """Paris time (UTC+1); plain UTC for UTC."""
    if name in ("UTC", "Etc/UTC"):
        return "UTC"
    return f"{city(name)} time ({utc_offset(name, at)})"


def time_label(value: datetime.datetime | datetime.time) -> str:
    """9am, 2:30pm, midday, 12am."""
    hour, minute = value.hour, value.minute
    if hour == 12 and minute == 0:
        return "midday"
    suffix = "am" if hour < 12 else "pm"
    shown = hour % 12 or 12
    return f"{shown}{suffix}" if minute == 0 else f"{shown}:{minute:02d}{suffix}"


def date_label(value: datetime.date | datetime.datetime, *, year: bool = True) -> str:
    """Monday 7 December 2026 (no ordinals, no commas); without the year on request."""
    text = f"{value:%A} {value.day} {value:%B}"
    return f"{text} {value.year}" if year else text


def range_label(start: datetime.datetime, end: datetime.datetime) -> str:
    """9am to 9:30am."""
    return f"{time_label(start)} to {time_label(end)}"


def week_label(first: datetime.date, last: datetime.date) -> str:
    """7 to 13 December 2026 · 30 November to 6 December 2026 · 28 December 2026 to 3 January 2027."""
    if first.year != last.year:
        return f"{first.day} {first:%B} {first.year} to {last.day} {last:%B} {last.year}"
    if first.month != last.month:
        return f"{first.day} {first:%B} to {last.day} {last:%B} {last.year}"
    return f"{first.day} to {last.day} {last:%B} {last.year}"


def local(value: datetime.datetime, name: str) -> datetime.datetime:
    return value.astimezone(zone(name))


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def day_bounds(day: datetime.date, name: str) -> tuple[datetime.datetime, datetime.datetime]:
    """The instants at which local ``day`` starts and the next one starts."""
    tz = zone(name)
    start = datetime.datetime.combine(day, datetime.time(), tzinfo=tz)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def clock_change(first: datetime.date, last: datetime.date, name: str) -> str | None:
    """A sentence when the clocks change in ``name`` between ``first`` and ``last``, else None."""
    tz = zone(name)
    previous = datetime.datetime.combine(first, datetime.time(12), tzinfo=tz).utcoffset()
    day = first + datetime.timedelta(days=1)
    while day <= last:
        offset = datetime.datetime.combine(day, datetime.time(12), tzinfo=tz).utcoffset()
        if offset != previous:
            way = "forward" if offset > previous else "back"
            return f"Clocks go {way} one hour on {date_label(day, year=False)}."
        previous = offset
        day += datetime.timedelta(days=1)
    return None


def duration_label(minutes: int) -> str:
    """90 → 1 hour 30 minutes; 2880 → 2 days; 0 → no time."""
    if minutes <= 0:
        return "no time"
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    for amount, unit in ((days, "day"), (hours, "hour"), (mins, "minute")):
        if amount:
            parts.append(f"{amount} {unit}" + ("" if amount == 1 else "s"))
    return " ".join(parts)
