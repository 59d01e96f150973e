"""Forms for finding a doctor, booking a time, and changing or cancelling an appointment."""

from __future__ import annotations

import uuid

from django import forms

from portal.web.forms.base import PortalForm

REASON_MAX_LENGTH = 500


class SearchForm(PortalForm):
    """Find a doctor by name or keyword, and specialty."""

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
    """The reason for an appointment, which the doctor reads beforehand."""
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
    """Book a time: the reason, and the key that makes a resent form book once."""

    reason = _reason_field()
    # Made when the page is rendered: a double click or a resent form books once.
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def key(self) -> str:
        """The form's Idempotency-Key (a new one when the form came without it)."""
        return str(self.cleaned_data.get("idempotency_key") or uuid.uuid4())


class ReasonForm(PortalForm):
    """Change the reason for an appointment."""

    reason = _reason_field()


class CancelForm(PortalForm):
    """Cancel an appointment, with an optional reason (the page asks doctors for one)."""

    reason = forms.CharField(
        label="Why are you cancelling? (optional)",
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Reason must be 500 characters or fewer"},
    )
