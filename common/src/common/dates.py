"""Calendar facts every service agrees on: the dates the APIs accept, the names of the weekdays."""

from __future__ import annotations

import datetime

from django.utils import timezone

# Dates outside DATE_WINDOW_FIRST .. today + DATE_WINDOW_YEARS_AHEAD are a 400
# ``date-out-of-range`` in every service, never an overflow further down.
DATE_WINDOW_FIRST = datetime.date(2000, 1, 1)
DATE_WINDOW_YEARS_AHEAD = 10

# Python's weekday numbers (0 is Monday), as the schedules store them.
WEEKDAYS: list[tuple[int, str]] = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]


def date_window(*, today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """Return the first and last date (inclusive, UTC) that the APIs accept today."""
    today = today or timezone.now().date()
    year = today.year + DATE_WINDOW_YEARS_AHEAD
    try:
        last = today.replace(year=year)
    except ValueError:  # 29 February, in a year that has none
        last = today.replace(year=year, day=28)
    return DATE_WINDOW_FIRST, last
