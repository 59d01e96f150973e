"""A doctor's day, coming appointments, and marking an appointment completed or no-show."""

from __future__ import annotations

import datetime
import logging
import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone as dj_timezone
from django.views.decorators.http import require_GET, require_POST

from common.errors import ServiceUnavailable
from portal.web import auth, clients, problems, timefmt
from portal.web.clients import ApiProblem
from portal.web.forms.doctor import CompleteForm
from portal.web.views.base import (
    or_404,
    other_names,
    page_number_of,
    safe_next,
    signed_in,
    today_in,
)
from portal.web.views.doctor.base import api_refusals, page_zone

logger = logging.getLogger(__name__)

PAGE_SIZE = 20
# One day never holds more appointments than this (the API's largest page).
DAY_PAGE_SIZE = 100
OUTCOME_WORDS = {"completed": "completed", "no_show": "a no-show"}


def _date_param(value: str | None, *, default: datetime.date) -> datetime.date:
    """``value`` as a date (YYYY-MM-DD), or ``default`` when it is missing or not a usable date."""
    try:
        chosen = datetime.date.fromisoformat(value or "")
    except ValueError:
        return default
    if not datetime.MINYEAR < chosen.year < datetime.MAXYEAR:
        return default
    return chosen


def _day_url(day: datetime.date) -> str:
    """The doctor's page of ``day``."""
    return f"{reverse('doctor-day')}?date={day.isoformat()}"


@require_GET
@signed_in(role="doctor")
@api_refusals
def day(request: HttpRequest) -> HttpResponse:
    """One local day of the doctor's appointments (one call to each of two services).

    While the doctor waits for the clinic's approval, one more call asks
    user_service whether it has come.
    """
    if (
        request.person.awaiting_approval
        and not clients.user_profile_mine(request).awaiting_approval
    ):
        auth.approval_received(request)
        request.person = auth.current_person(request)
    zone_name = page_zone(request)
    today = today_in(zone_name)
    chosen = _date_param(request.GET.get("date"), default=today)
    start, end = timefmt.day_bounds(chosen, zone_name)
    page = clients.appointment_list(
        request, start_from=start, start_to=end, page_size=DAY_PAGE_SIZE
    )
    now = dj_timezone.now()
    return render(
        request,
        "portal/doctor/day.html",
        {
            "date": chosen,
            "day_label": timefmt.date_label(chosen),
            "is_today": chosen == today,
            "previous": chosen - datetime.timedelta(days=1),
            "previous_label": timefmt.date_label(chosen - datetime.timedelta(days=1)),
            "next": chosen + datetime.timedelta(days=1),
            "next_label": timefmt.date_label(chosen + datetime.timedelta(days=1)),
            "rows": [(a, a.start <= now) for a in page.items],
            "count": sum(1 for a in page.items if a.status != "cancelled"),
            "cancelled_count": sum(1 for a in page.items if a.status == "cancelled"),
            "more": page.has_next,
            "names": other_names(page.items, request.person),
            "zone_label": timefmt.zone_label(zone_name, start),
        },
    )


@require_GET
@signed_in(role="doctor")
@api_refusals
def appointments(request: HttpRequest) -> HttpResponse:
    """Upcoming appointments by day, 20 a page."""
    zone_name = page_zone(request)
    page_number = page_number_of(request)
    page = or_404(
        lambda: clients.appointment_list(
            request, status="upcoming", page=page_number, page_size=PAGE_SIZE
        )
    )
    days: list[dict[str, Any]] = []
    for appointment in page.items:
        local_day = timefmt.local(appointment.start, zone_name).date()
        if not days or days[-1]["date"] != local_day:
            days.append(
                {
                    "date": local_day,
                    "label": timefmt.date_label(local_day),
                    "url": _day_url(local_day),
                    "appointments": [],
                }
            )
        days[-1]["appointments"].append(appointment)
    return render(
        request,
        "portal/doctor/appointments.html",
        {
            "page": page,
            "page_number": page_number,
            "days": days,
            "names": other_names(page.items, request.person),
        },
    )


def _patient_name(appointment: clients.Appointment) -> str:
    """The patient's name for a message; the words "the patient" when it cannot be read.

    The appointment has been marked by then: a failing name lookup must not
    turn that into an error page.
    """
    try:
        profile = clients.user_profiles([appointment.patient_id]).get(appointment.patient_id)
    except (ApiProblem, ServiceUnavailable):
        logger.warning("Patient name unavailable for a completion message")
        profile = None
    return f"{profile.full_name}'s" if profile else "the patient's"


@require_POST
@signed_in(role="doctor")
def complete(request: HttpRequest, appointment_id: uuid.UUID) -> HttpResponse:
    """Mark a started appointment completed or no-show, then go back to where the doctor was."""
    zone_name = page_zone(request)
    next_value = request.POST.get("next")
    back = safe_next(request, next_value, reverse("doctor-day"))
    form = CompleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether the appointment was completed or a no-show.")
        return redirect(back)
    outcome = form.cleaned_data["outcome"]
    try:
        marked = or_404(
            lambda: clients.appointment_complete(
                request, appointment_id=appointment_id, outcome=outcome
            )
        )
    except ApiProblem as problem:
        messages.error(request, problems.message(problem))
        return redirect(back)
    local = timefmt.local(marked.start, zone_name)
    messages.success(
        request,
        f"Marked {_patient_name(marked)} {timefmt.time_label(local)} appointment as "
        f"{OUTCOME_WORDS[outcome]}.",
    )
    return redirect(safe_next(request, next_value, _day_url(local.date())))
