"""The clinic's day: every appointment of one date, by doctor and specialty."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from appointment_service.appointments import selectors
from appointment_service.appointments.admin_desk.base import (
    PERM_BOOK,
    SEARCH_MAX_LENGTH,
    clinic_zone,
    parse_uuid,
)
from appointment_service.appointments.admin_desk.times import (
    DayRow,
    day_asked,
    status_label,
)
from common import people
from common.errors import ServiceUnavailable


def _rows(*, start: datetime.datetime, end: datetime.datetime) -> tuple[list[DayRow], bool]:
    """The appointments starting in [start, end) with their people's names; True when the names
    could not be had (user_service unavailable: the page shows ids)."""
    zone = start.tzinfo
    appointments = list(selectors.appointment_list_for_period(start=start, end=end))
    ids = {a.patient_id for a in appointments} | {a.doctor_id for a in appointments}
    names_missing = False
    try:
        found = people.people_get(ids) if ids else {}
    except ServiceUnavailable:
        found, names_missing = {}, True
    rows = [
        DayRow(
            appointment=a,
            start=a.start.astimezone(zone),
            end=a.end.astimezone(zone),
            patient=found.get(a.patient_id),
            doctor=found.get(a.doctor_id),
            status=status_label(a),
        )
        for a in appointments
    ]
    return rows, names_missing


class DayPage:
    """The front desk's page of one day."""

    def day_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        day, usable = day_asked(request.GET.get("date"))
        if not usable:
            messages.warning(request, "That is no date the clinic keeps; here is today.")
        zone = clinic_zone()
        start = datetime.datetime.combine(day, datetime.time(0), tzinfo=zone)
        end = datetime.datetime.combine(
            day + datetime.timedelta(days=1), datetime.time(0), tzinfo=zone
        )
        rows, names_missing = _rows(start=start, end=end)
        doctors = sorted(
            {row.doctor.id: row.doctor for row in rows if row.doctor}.values(),
            key=lambda d: d.full_name,
        )
        specialties = sorted(
            {(d.specialty_slug, d.specialty) for d in doctors if d.specialty_slug},
            key=lambda s: s[1] or "",
        )
        doctor_id = parse_uuid(request.GET.get("doctor"))
        specialty = request.GET.get("specialty", "")[:SEARCH_MAX_LENGTH]
        if doctor_id:
            rows = [row for row in rows if row.appointment.doctor_id == doctor_id]
        if specialty:
            rows = [row for row in rows if row.doctor and row.doctor.specialty_slug == specialty]
        filters = {"doctor": doctor_id or "", "specialty": specialty}
        return self._render(
            request,
            "desk_day.html",
            title=f"The clinic's day: {day:%A %d %B %Y}",
            day=day,
            rows=rows,
            doctors=doctors,
            specialties=specialties,
            doctor_id=doctor_id,
            specialty=specialty,
            names_missing=names_missing,
            previous_url=self._url(
                "day", query={"date": day - datetime.timedelta(days=1), **filters}
            ),
            next_url=self._url("day", query={"date": day + datetime.timedelta(days=1), **filters}),
            today_url=self._url("day", query=filters),
            may_book=request.user.has_perm(PERM_BOOK),
        )
