"""The doctor's week of free times and the clinic's day, as the front desk shows them."""

from __future__ import annotations

import datetime
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field

from django.utils import timezone

from appointment_service.appointments import clients
from appointment_service.appointments.admin_desk.base import WEEKS_AHEAD, clinic_zone
from appointment_service.appointments.models import (
    Appointment,
    AppointmentStatus,
    Outcome,
)
from common import people


@dataclass
class Day:
    date: datetime.date
    slots: list[tuple[clients.FreeSlot, datetime.datetime]] = field(default_factory=list)


@dataclass
class Week:
    first: datetime.date
    days: list[Day]
    previous: datetime.date | None
    next: datetime.date | None

    @property
    def empty(self) -> bool:
        return not any(day.slots for day in self.days)


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def week_start(value: str | None) -> datetime.date:
    """The Monday of the week asked for, kept between this week and ``WEEKS_AHEAD`` ahead."""
    this_week = _monday(timezone.now().astimezone(clinic_zone()).date())
    last = this_week + datetime.timedelta(weeks=WEEKS_AHEAD)
    try:
        asked = _monday(datetime.date.fromisoformat(value)) if value else this_week
    except ValueError:
        asked = this_week
    return min(max(asked, this_week), last)


def doctor_week(*, doctor_id: uuid.UUID, week: str | None) -> Week:
    """The doctor's free times of one week (Monday to Sunday, clinic dates), by day.

    Raises ``DoctorNotBookable`` and ``ServiceUnavailable``.
    """
    first = week_start(week)
    zone = clinic_zone()
    slots = clients.schedule_slot_list(
        doctor_id=doctor_id, first=first, last=first + datetime.timedelta(days=6)
    )
    days: OrderedDict[datetime.date, Day] = OrderedDict(
        (first + datetime.timedelta(days=n), Day(first + datetime.timedelta(days=n)))
        for n in range(7)
    )
    for slot in slots:
        local = slot.start.astimezone(zone)
        days.setdefault(local.date(), Day(local.date())).slots.append((slot, local))
    this_week = week_start(None)
    return Week(
        first=first,
        days=sorted(days.values(), key=lambda day: day.date),
        previous=first - datetime.timedelta(weeks=1) if first > this_week else None,
        next=first + datetime.timedelta(weeks=1)
        if first < this_week + datetime.timedelta(weeks=WEEKS_AHEAD)
        else None,
    )


# The clinic's day ----------------------------------------------------------------------


@dataclass
class DayRow:
    appointment: Appointment
    start: datetime.datetime
    end: datetime.datetime
    patient: people.Person | None
    doctor: people.Person | None
    status: str


def status_label(appointment: Appointment) -> str:
    if appointment.status_value == AppointmentStatus.CANCELLED:
        return "Cancelled (late)" if appointment.late_cancellation else "Cancelled"
    if appointment.outcome_value == Outcome.NO_SHOW:
        return "No-show"
    if appointment.status_value == AppointmentStatus.COMPLETED:
        return "Completed"
    return "Upcoming"


def day_asked(value: str | None) -> tuple[datetime.date, bool]:
    """The date asked for (clinic time zone), or today; False when the value was unusable."""
    today = timezone.now().astimezone(clinic_zone()).date()
    if not value:
        return today, True
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        return today, False
    if not datetime.date(2000, 1, 1) <= day <= today + datetime.timedelta(days=3660):
        return today, False
    return day, True
