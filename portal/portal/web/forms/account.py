"""Forms of a person's account: sign in, register, a new password, the time zone of pages."""

from __future__ import annotations

import datetime

from django import forms

from portal.web import timefmt
from portal.web.forms.base import PortalForm

STRONG_ENOUGH_HINT = (
    "At least 10 characters. Not only numbers, not a common password, and not like your email "
    "address. A few words together work well."
)


def _zone_field() -> forms.CharField:
    """The browser's time zone, sent unseen."""
    # Filled by the JS file from the browser (Intl API); empty without JS.
    return forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)


def _email_field(help_text: str = "") -> forms.EmailField:
    """The email address an account signs in with."""
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
    """A password, kept exactly as typed; ``missing`` is the message when it is empty."""
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
    """Email address and password, with the browser's time zone."""

    email = _email_field()
    password = _password_field(autocomplete="current-password", missing="Enter your password")
    time_zone = _zone_field()


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
    """A patient's new account."""

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
        help_text=STRONG_ENOUGH_HINT,
    )
    time_zone = _zone_field()


class DoctorRegisterForm(RegisterForm):
    """A doctor's new account: also a specialty, the zone of their hours and about them."""

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


class TimeZoneForm(PortalForm):
    """The zone pages show times in; a zone the browser ``detected`` is offered first."""

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
    """Paris (UTC+1): the zone's city and its offset now."""
    now = datetime.datetime.now(timefmt.UTC)
    return f"{timefmt.city(name)} ({timefmt.utc_offset(name, now)})"


def zone_choices() -> list[tuple[str, str]]:
    """The common time zones, as (name, label) choices."""
    return [(name, _zone_choice_label(name)) for name in timefmt.COMMON_ZONES]
