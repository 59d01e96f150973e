"""Dates and slot ids shared by the tests."""

from __future__ import annotations

import datetime
import zoneinfo

from django.utils import timezone as dj_timezone

UTC = datetime.UTC
# A fixed "now" for service and selector tests: Monday 4 January 2027, 07:00 in Berlin,
# and the Wednesday after it (the ``berlin`` fixture works Wednesdays 09:00-12:00).
NOW = datetime.datetime(2027, 1, 4, 6, 0, tzinfo=UTC)
WEDNESDAY = datetime.date(2027, 1, 6)


def utc(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


def future_date(
    zone: str = "Europe/Berlin", *, weekday: int = 2, min_days: int = 7
) -> datetime.date:
    """The first local date with ``weekday`` at least ``min_days`` after today in ``zone``."""
    day = dj_timezone.now().astimezone(zoneinfo.ZoneInfo(zone)).date()
    day += datetime.timedelta(days=min_days)
    while day.weekday() != weekday:
        day += datetime.timedelta(days=1)
    return day


def local(day: datetime.date, hour: int, minute: int = 0, zone: str = "Europe/Berlin"):
    """The UTC instant of wall time ``hour:minute`` on ``day`` in ``zone``."""
    wall = datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=zoneinfo.ZoneInfo(zone)
    )
    return wall.astimezone(UTC)


def iso(instant: datetime.datetime) -> str:
    """How the API writes a UTC instant."""
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def slot_id(schedule, start: datetime.datetime):
    """The id of ``schedule``'s slot starting at ``start``."""
    from schedule_service.scheduling.slots import slot_id_encode

    return slot_id_encode(seq=schedule.pk, doctor_id=schedule.doctor_id, start=start)
