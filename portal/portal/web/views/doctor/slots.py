"""A doctor's free times as patients see them, with booked times labelled."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.web.views.base import signed_in
from portal.web.views.doctor.base import api_refusals, page_zone
from portal.web.views.week import week_of_slots


@require_GET
@signed_in(role="doctor")
@api_refusals
def slots(request: HttpRequest) -> HttpResponse:
    """The doctor's week as patients see it, with booked times labelled (one call)."""
    zone_name = page_zone(request)
    week = week_of_slots(
        request, doctor_id=request.person.id, zone_name=zone_name, include_held=True
    )
    return render(
        request,
        "portal/doctor/slots.html",
        {
            "week": week,
            "has_times": any(day.tiles for day in week.days),
            "week_end_text": f"Patients see up to {settings.BOOKING_WEEKS_AHEAD} weeks ahead",
        },
    )
