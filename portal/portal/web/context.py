"""What every page's template knows: the person, the clinic, and the display time zone."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from portal.web import auth, timefmt


def display_zone(request: HttpRequest) -> tuple[str, bool]:
    """The zone times are shown in, and whether it is the clinic's because nothing else is known.

    Doctors see their own profile zone; others the zone their browser told us
    (or they chose); without either, the clinic's.
    """
    person = auth.current_person(request)
    if person and person.is_doctor and timefmt.is_zone(person.time_zone):
        return person.time_zone, False
    chosen = request.session.get(auth.TIME_ZONE_KEY)
    if timefmt.is_zone(chosen):
        return chosen, False
    return settings.CLINIC_TIME_ZONE, True


def portal(request: HttpRequest) -> dict:
    zone_name, is_clinic_default = display_zone(request)
    return {
        "person": auth.current_person(request),
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "clinic_zone": settings.CLINIC_TIME_ZONE,
        "display_zone": zone_name,
        "display_zone_is_clinic_default": is_clinic_default,
        "booking_weeks_ahead": settings.BOOKING_WEEKS_AHEAD,
    }
