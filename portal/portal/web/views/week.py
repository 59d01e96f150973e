"""A doctor's free times as pages show them: a week, the next free time, the nearest ones."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from portal.web import clients, timefmt, weeks
from portal.web.views.base import today_in

NEAREST_TIMES = 6
# The furthest week a page asks schedule_service for (it refuses dates ten years ahead).
FURTHEST_WEEK = datetime.timedelta(weeks=5 * 52)


def week_of_slots(
    request: HttpRequest,
    *,
    doctor_id: uuid.UUID,
    zone_name: str,
    include_held: bool = False,
    notes: dict[uuid.UUID, str] | None = None,
    extra_slots: list[clients.Slot] | None = None,
    default_day: datetime.date | None = None,
) -> weeks.Week:
    """The week asked for in ``?week=`` (else the week of ``default_day``, else this one).

    One call to schedule_service.
    """
    today = today_in(zone_name)
    asked = request.GET.get("week") or (default_day.isoformat() if default_day else None)
    last_bookable = today + datetime.timedelta(weeks=settings.BOOKING_WEEKS_AHEAD)
    first = weeks.week_start(asked, today=today, latest=today + FURTHEST_WEEK)
    fetch_first, fetch_last = weeks.fetch_range(first)
    slots = clients.schedule_slot_list(
        request,
        doctor_id=doctor_id,
        first=fetch_first,
        last=fetch_last,
        include_held=include_held,
    )
    return weeks.build_week(
        first=first,
        zone_name=zone_name,
        slots=[*slots, *(extra_slots or [])],
        today=today,
        last_bookable=last_bookable,
        notes=notes,
    )


def next_free_time(
    request: HttpRequest, *, doctor_id: uuid.UUID, after: datetime.date, zone_name: str
) -> dict[str, Any] | None:
    """The first free time after the week shown (one call, one result), for an empty week."""
    slots = clients.schedule_slot_list(
        request,
        doctor_id=doctor_id,
        first=after,
        last=after + datetime.timedelta(days=61),
        page_size=1,
    )
    if not slots:
        return None
    local = timefmt.local(slots[0].start, zone_name)
    return {
        "week": timefmt.monday_of(local.date()),
        "label": f"{timefmt.date_label(local, year=False)} at {timefmt.time_label(local)}",
    }


def nearest_times(
    request: HttpRequest, *, doctor_id: uuid.UUID, around: datetime.datetime, zone_name: str
) -> list[clients.Slot]:
    """Up to six free times of the doctor nearest to ``around`` (one call)."""
    day = timefmt.local(around, zone_name).date()
    slots = clients.schedule_slot_list(
        request,
        doctor_id=doctor_id,
        first=max(day - datetime.timedelta(days=3), today_in(zone_name)),
        last=day + datetime.timedelta(days=10),
        page_size=200,
    )
    return sorted(slots, key=lambda s: abs((s.start - around).total_seconds()))[:NEAREST_TIMES]
