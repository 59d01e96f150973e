"""The portal's forms: every message is ours, rendered by the server (no browser validation)."""

from __future__ import annotations

import datetime
import uuid

from django import forms
from django.forms.renderers import DjangoTemplates

from portal.web import timefmt

REASON_MAX_LENGTH = 500
WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]
SLOT_LENGTHS = [(m, f"{m} minutes") for m in (10, 15, 20, 30, 45, 60)]
SLOT_MINUTES_MIN, SLOT_MINUTES_MAX = 5, 240


class PortalRenderer(DjangoTemplates):
    """Fields render as label, hint, error, control (the ids Django links by aria-describedby)."""

    field_template_name = "portal/includes/field.html"


class PortalForm(forms.Form):
    """Messages from the server only: ``novalidate`` in the template, no ``required`` attribute."""

    default_renderer = PortalRenderer
    use_required_attribute = False

    def summary(self) -> list[tuple[str, str]]:
        """(anchor, message) for the error summary, in field order, non-field errors first."""
        items = [("", str(error)) for error in self.non_field_errors()]
        for name in self.fields:
            bound = self[name]
            anchor = bound.auto_id
            if bound.use_fieldset:
                anchor = f"{anchor}_0"
            items.extend((anchor, str(error)) for error in bound.errors)
        return items


def _zone_field() -> forms.CharField:
    # Filled by the JS file from the browser (Intl API); empty without JS.
    return forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)


def _email_field(help_text: str = "") -> forms.EmailField:
    return forms.EmailField(
        label="Email address",
        max_length=254,
        help_text=help_text,
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )


def _password_field(*, autocomplete: str, missing: str, help_text: str = "") -> forms.CharField:
    # Pasting and password managers are welcome (WCAG 3.3.8): no attribute stops them.
    return forms.CharField(
        label="Password",
        max_length=128,
        strip=False,
        help_text=help_text,
        error_messages={"required": missing},
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


class SignInForm(PortalForm):
    email = _email_field()
    password = _password_field(autocomplete="current-password", missing="Enter your password")
    time_zone = _zone_field()


STRONG_ENOUGH_HINT = (
    "At least 10 characters. Not only numbers, not a common password, and not like your email "
    "address. A few words together work well."
)


class PasswordRenewForm(PortalForm):
    """After the clinic reset a password: the temporary one, then one of the person's own."""

    email = _email_field()
    temporary_password = forms.CharField(
        label="Temporary password",
        max_length=128,
        strip=False,
        help_text="The password the clinic gave you.",
        error_messages={"required": "Enter the temporary password the clinic gave you"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label="New password",
        max_length=128,
        strip=False,
        help_text=STRONG_ENOUGH_HINT,
        error_messages={"required": "Enter a new password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    time_zone = _zone_field()


class RegisterForm(PortalForm):
    full_name = forms.CharField(
        label="Full name",
        max_length=200,
        error_messages={"required": "Enter your full name"},
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    email = _email_field("We will use this to sign you in.")
    password = _password_field(
        autocomplete="new-password",
        missing="Enter a password",
        help_text="At least 10 characters. Not only numbers, not a common password, and not "
        "like your email address. A few words together work well.",
    )
    time_zone = _zone_field()


class DoctorRegisterForm(RegisterForm):
    specialty = forms.ChoiceField(
        label="Specialty", error_messages={"required": "Select your specialty"}
    )
    timezone = forms.ChoiceField(
        label="Time zone of your clinic hours",
        help_text="Your weekly hours are set in this time zone.",
        error_messages={"required": "Select a time zone"},
    )
    bio = forms.CharField(
        label="About you (optional)",
        help_text="Patients see this on your page. 2,000 characters at most.",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "About you must be 2,000 characters or fewer"},
    )

    def __init__(self, *args, specialties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialty"].choices = [("", "Select a specialty")] + [
            (s.slug, s.name) for s in specialties
        ]
        self.fields["timezone"].choices = [("", "Select a time zone")] + zone_choices()


class SearchForm(PortalForm):
    q = forms.CharField(
        label="Name or keyword",
        required=False,
        max_length=100,
        help_text="For example, a doctor's name, 'heart' or 'skin'.",
        error_messages={"max_length": "Search must be 100 characters or fewer"},
    )
    specialty = forms.ChoiceField(label="Specialty", required=False)

    def __init__(self, *args, specialties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialty"].choices = [("", "All specialties")] + [
            (s.slug, s.name) for s in specialties
        ]


def _reason_field(label: str = "Reason for your appointment") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=REASON_MAX_LENGTH,
        help_text="The doctor will read this before your appointment. 500 characters at most.",
        error_messages={
            "required": "Enter the reason for your appointment",
            "max_length": "Reason must be 500 characters or fewer",
        },
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class BookForm(PortalForm):
    reason = _reason_field()
    # Made when the page is rendered: a double click or a resent form books once.
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def key(self) -> str:
        return str(self.cleaned_data.get("idempotency_key") or uuid.uuid4())


class ReasonForm(PortalForm):
    reason = _reason_field()


class CancelForm(PortalForm):
    reason = forms.CharField(
        label="Why are you cancelling? (optional)",
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Reason must be 500 characters or fewer"},
    )


class TimeZoneForm(PortalForm):
    time_zone = forms.ChoiceField(
        label="Time zone",
        error_messages={
            "required": "Select a time zone",
            "invalid_choice": "Select a time zone from the list",
        },
    )

    def __init__(self, *args, detected: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = zone_choices()
        if detected and timefmt.is_zone(detected) and detected not in dict(choices):
            choices.insert(0, (detected, _zone_choice_label(detected)))
        self.fields["time_zone"].choices = choices


def _zone_choice_label(name: str) -> str:
    now = datetime.datetime.now(timefmt.UTC)
    return f"{timefmt.city(name)} ({timefmt.utc_offset(name, now)})"


def zone_choices() -> list[tuple[str, str]]:
    return [(name, _zone_choice_label(name)) for name in timefmt.COMMON_ZONES]


class CompleteForm(PortalForm):
    outcome = forms.ChoiceField(choices=[("completed", "Completed"), ("no_show", "No-show")])


class RuleForm(PortalForm):
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
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", "End time must be after the start time")
        first, last = data.get("valid_from"), data.get("valid_until")
        if first and last and last < first:
            self.add_error("valid_until", "The last date must be on or after the first date")
        return data

    def api_data(self) -> dict:
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
    return forms.TimeField(
        label=label,
        required=False,
        help_text="Leave empty for the whole day.",
        error_messages={"invalid": f"Enter a time like {example}"},
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )


class TimeOffForm(PortalForm):
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
        data = self.cleaned_data
        return {
            "start": data["start"].isoformat(),
            "end": data["end"].isoformat(),
            "reason": data.get("reason") or "",
        }


def _whole(label: str, hint: str, low: int, high: int, unit: str) -> forms.IntegerField:
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
