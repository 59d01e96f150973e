"""Doctors' forms: an appointment's outcome, weekly hours, time off and booking rules."""

from __future__ import annotations

import datetime

from django import forms

from common.dates import WEEKDAYS
from portal.web import timefmt
from portal.web.forms.base import PortalForm

SLOT_LENGTHS = [(m, f"{m} minutes") for m in (10, 15, 20, 30, 45, 60)]
SLOT_MINUTES_MIN, SLOT_MINUTES_MAX = 5, 240


class CompleteForm(PortalForm):
    """The outcome of a started appointment: completed or no-show."""

    outcome = forms.ChoiceField(choices=[("completed", "Completed"), ("no_show", "No-show")])


class RuleForm(PortalForm):
    """One set of weekly hours: a day, start and end times, appointment length, dates."""

    weekday = forms.TypedChoiceField(
        label="Day", choices=WEEKDAYS, coerce=int, error_messages={"required": "Select a day"}
    )
    start_time = forms.TimeField(
        label="Start time",
        help_text="For example, 09:00 for 9am.",
        error_messages={
            "required": "Enter a start time",
            "invalid": "Enter a start time like 09:00",
        },
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    end_time = forms.TimeField(
        label="End time",
        help_text="For example, 17:30 for 5:30pm.",
        error_messages={"required": "Enter an end time", "invalid": "Enter an end time like 17:30"},
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    slot_minutes = forms.TypedChoiceField(
        label="Appointment length",
        choices=SLOT_LENGTHS,
        coerce=int,
        initial=30,
        error_messages={"required": "Select an appointment length"},
    )
    valid_from = forms.DateField(
        label="First date (optional)",
        required=False,
        help_text="Leave empty to start now.",
        error_messages={"invalid": "Enter a real date, like 2027-01-31"},
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    valid_until = forms.DateField(
        label="Last date (optional)",
        required=False,
        help_text="Leave empty to go on with no end.",
        error_messages={"invalid": "Enter a real date, like 2027-06-30"},
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Hours made elsewhere (the API takes 5 to 240 minutes) keep their length when changed here.
        source = self.data if self.is_bound else self.initial
        current = source.get("slot_minutes")
        try:
            minutes = int(current)
        except (TypeError, ValueError):
            return
        field = self.fields["slot_minutes"]
        if SLOT_MINUTES_MIN <= minutes <= SLOT_MINUTES_MAX and minutes not in dict(field.choices):
            field.choices = sorted([*field.choices, (minutes, f"{minutes} minutes")])

    def clean(self):
        """The end comes after the start, and the last date not before the first."""
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", "End time must be after the start time")
        first, last = data.get("valid_from"), data.get("valid_until")
        if first and last and last < first:
            self.add_error("valid_until", "The last date must be on or after the first date")
        return data

    def api_data(self) -> dict:
        """The hours as schedule_service takes them."""
        data = self.cleaned_data
        return {
            "weekday": data["weekday"],
            "start_time": data["start_time"].strftime("%H:%M"),
            "end_time": data["end_time"].strftime("%H:%M"),
            "slot_minutes": data["slot_minutes"],
            "valid_from": data["valid_from"].isoformat() if data.get("valid_from") else None,
            "valid_until": data["valid_until"].isoformat() if data.get("valid_until") else None,
        }


def _time_off_day(label: str, hint: str, which: str, example: str) -> forms.DateField:
    """The ``which`` (first or last) day of time off."""
    return forms.DateField(
        label=label,
        help_text=hint,
        error_messages={
            "required": f"Enter the {which} day of your time off",
            "invalid": f"Enter a real date, like {example}",
        },
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def _time_off_hour(label: str, example: str) -> forms.TimeField:
    """An optional time of day for time off (empty for the whole day)."""
    return forms.TimeField(
        label=label,
        required=False,
        help_text="Leave empty for the whole day.",
        error_messages={"invalid": f"Enter a time like {example}"},
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )


class TimeOffForm(PortalForm):
    """Time off from a first to a last day, in ``zone_name``; ending no earlier than ``today``."""

    first_day = _time_off_day("First day", "For example, 2027-01-31.", "first", "2027-01-31")
    start_time = _time_off_hour("From (optional)", "13:00")
    last_day = _time_off_day(
        "Last day", "The same as the first day for a single day.", "last", "2027-02-03"
    )
    end_time = _time_off_hour("Until (optional)", "17:00")
    reason = forms.CharField(
        label="Private note (optional)",
        required=False,
        max_length=200,
        help_text="Only you and clinic staff see this.",
        error_messages={"max_length": "Note must be 200 characters or fewer"},
    )

    def __init__(self, *args, zone_name: str = "UTC", today: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone_name = zone_name
        self.today = today

    def clean(self):
        """The period as ``start`` and ``end`` moments; it must end after it starts."""
        data = super().clean()
        first, last = data.get("first_day"), data.get("last_day")
        if not (first and last):
            return data
        tz = timefmt.zone(self.zone_name)
        start = datetime.datetime.combine(first, data.get("start_time") or datetime.time(), tz)
        end_day = last if data.get("end_time") else last + datetime.timedelta(days=1)
        end = datetime.datetime.combine(end_day, data.get("end_time") or datetime.time(), tz)
        if end <= start:
            self.add_error("last_day", "The end of your time off must be after its start")
        elif self.today and last < self.today:
            self.add_error("last_day", "Time off must end today or later")
        data["start"], data["end"] = start, end
        return data

    def api_data(self) -> dict:
        """The time off as schedule_service takes it."""
        data = self.cleaned_data
        return {
            "start": data["start"].isoformat(),
            "end": data["end"].isoformat(),
            "reason": data.get("reason") or "",
        }


def _whole(label: str, hint: str, low: int, high: int, unit: str) -> forms.IntegerField:
    """A whole number from ``low`` to ``high`` ``unit``, its messages naming the unit."""
    return forms.IntegerField(
        label=label,
        help_text=hint,
        min_value=low,
        max_value=high,
        error_messages={
            "required": f"Enter the {label.lower()} in {unit}",
            "invalid": f"{label} must be a whole number of {unit}",
            "min_value": f"{label} must be {low} {unit} or more",
            "max_value": f"{label} must be {high} {unit} or fewer",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input--short"}),
    )


class PolicyForm(PortalForm):
    """The doctor's booking rules; each hint names the unit of its number."""

    min_notice_minutes = _whole(
        "Minimum notice",
        "In minutes: how soon before a time patients can still book it. "
        "For example, 60 is 1 hour and 1440 is 1 day. At most 10080 (7 days).",
        0,
        10080,
        "minutes",
    )
    horizon_days = _whole(
        "Booking horizon",
        "In days: how far ahead patients can book. From 1 to 365.",
        1,
        365,
        "days",
    )
    buffer_minutes = _whole(
        "Buffer after each appointment",
        "In minutes: free time kept after each booking. From 0 to 240.",
        0,
        240,
        "minutes",
    )
    cancel_cutoff_hours = _whole(
        "Late cancellation cut-off",
        "In hours: cancellations this close to the start are recorded as late. "
        "From 0 to 720 (30 days).",
        0,
        720,
        "hours",
    )
    reschedule_cutoff_hours = _whole(
        "Change cut-off",
        "In hours: patients cannot move an appointment online this close to its start. "
        "From 0 to 720 (30 days).",
        0,
        720,
        "hours",
    )
