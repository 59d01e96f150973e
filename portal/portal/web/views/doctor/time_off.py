"""A doctor's time off: coming periods in words, adding and removing them."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone as dj_timezone
from django.views.decorators.http import require_http_methods, require_POST

from portal.web import clients, problems, timefmt
from portal.web.clients import ApiProblem
from portal.web.forms.doctor import TimeOffForm
from portal.web.views.base import form_status, initial_values, signed_in, today_in
from portal.web.views.doctor.base import api_refusals, day_month, page_zone

# Booked times inside time off just added, shown once on the next Time off page.
HELD_KEY = "time_off_held"


def time_off_words(
    start: datetime.datetime, end: datetime.datetime, zone_name: str, *, this_year: int
) -> tuple[str, str]:
    """(label, phrase) of a period: ("24 to 26 December", "from 24 to 26 December").

    Whole local days are named by their dates; other periods by dates and times.
    The year is left out when the whole period is in ``this_year``.
    """
    first, last = timefmt.local(start, zone_name), timefmt.local(end, zone_name)
    year = not (first.year == this_year and last.year == this_year)
    midnight = datetime.time()
    if first.time() == midnight and last.time() == midnight:
        last_day = last.date() - datetime.timedelta(days=1)
        if last_day <= first.date():
            label = day_month(first.date(), year=year)
            return f"{label}, all day", f"on {label}"
        if first.year != last_day.year:
            label = f"{day_month(first.date())} to {day_month(last_day)}"
        elif first.month != last_day.month:
            label = f"{day_month(first.date(), year=False)} to {day_month(last_day, year=year)}"
        else:
            label = f"{first.day} to {day_month(last_day, year=year)}"
        return label, f"from {label}"
    if first.date() == last.date():
        day = day_month(first.date(), year=year)
        return (
            f"{day}, {timefmt.range_label(first, last)}",
            f"on {day} from {timefmt.range_label(first, last)}",
        )
    label = (
        f"{day_month(first.date(), year=year)} at {timefmt.time_label(first)} to "
        f"{day_month(last.date(), year=year)} at {timefmt.time_label(last)}"
    )
    return label, f"from {label}"


def _held_for_session(held: tuple[clients.Slot, ...]) -> list[dict[str, str]]:
    """The booked times inside new time off, by start, as the session can keep them."""
    return [
        {"appointment_id": str(s.appointment_id), "start": s.start.isoformat()}
        for s in sorted(held, key=lambda s: s.start)
        if s.appointment_id
    ]


def _held_from_session(request: HttpRequest) -> list[dict[str, Any]]:
    """The booked times kept inside time off just added (once), with their appointment ids."""
    kept = request.session.pop(HELD_KEY, None) or []
    held = []
    for item in kept:
        try:
            held.append(
                {
                    "appointment_id": uuid.UUID(item["appointment_id"]),
                    "start": datetime.datetime.fromisoformat(item["start"]),
                }
            )
        except (KeyError, TypeError, ValueError):
            continue
    return held


@require_http_methods(["GET", "POST"])
@signed_in(role="doctor")
@api_refusals
def time_off(request: HttpRequest) -> HttpResponse:
    """Coming time off, each with a Remove button, and a form to add more."""
    zone_name = page_zone(request)
    today = today_in(zone_name)
    problem = None
    if request.method == "POST":
        form = TimeOffForm(request.POST, zone_name=zone_name, today=today)
        if form.is_valid():
            try:
                created = clients.schedule_time_off_create(request, data=form.api_data())
            except ApiProblem as exc:
                problem = exc
                problems.add_to_form(form, exc, fields={"start": "first_day", "end": "last_day"})
            else:
                _, phrase = time_off_words(
                    created.start, created.end, zone_name, this_year=today.year
                )
                messages.success(request, f"Time off added {phrase}.")
                if created.held_slots:
                    request.session[HELD_KEY] = _held_for_session(created.held_slots)
                return redirect("doctor-time-off")
    else:
        form = TimeOffForm(initial=initial_values(request), zone_name=zone_name, today=today)
    now = dj_timezone.now()
    periods = []
    for period in sorted(clients.schedule_time_off_list(request), key=lambda t: t.start):
        if period.end <= now:
            continue
        label, phrase = time_off_words(period.start, period.end, zone_name, this_year=today.year)
        periods.append({"time_off": period, "label": label, "phrase": phrase})
    return render(
        request,
        "portal/doctor/time_off.html",
        {
            "form": form,
            "periods": periods,
            "held": _held_from_session(request),
            "zone_label": timefmt.zone_label(zone_name, now),
        },
        status=form_status(form, problem),
    )


@require_POST
@signed_in(role="doctor")
@api_refusals
def time_off_remove(request: HttpRequest, time_off_id: int) -> HttpResponse:
    """Remove time off (no confirmation: adding it again undoes it)."""
    clients.schedule_time_off_delete(request, time_off_id=time_off_id)
    messages.success(request, "Time off removed. Patients can book those times again.")
    return redirect("doctor-time-off")
