"""The forms of the front desk's pages."""

from __future__ import annotations

from django import forms

from appointment_service.appointments.models import (
    IDEMPOTENCY_KEY_MAX_LENGTH,
    REASON_MAX_LENGTH,
    Outcome,
)

# Forms ---------------------------------------------------------------------------------


class BookForm(forms.Form):
    patient = forms.UUIDField(widget=forms.HiddenInput)
    doctor = forms.UUIDField(widget=forms.HiddenInput)
    slot = forms.UUIDField(widget=forms.HiddenInput)
    key = forms.CharField(max_length=IDEMPOTENCY_KEY_MAX_LENGTH, widget=forms.HiddenInput)
    reason = forms.CharField(
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="What the patient comes for (the doctor sees it).",
    )
    override = forms.BooleanField(
        required=False,
        label="Override the patient's cut-offs and limits",
        help_text="Book even if the patient holds as many upcoming appointments as allowed "
        "(in all, or with this doctor). Recorded in the appointment's history.",
    )


class RescheduleForm(forms.Form):
    slot = forms.UUIDField()
    override = forms.BooleanField(
        required=False,
        label="Override the patient's cut-offs and limits",
        help_text="Move it even inside the doctor's reschedule cut-off or past the number of "
        "moves allowed. Recorded in the appointment's history.",
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Required; the patient sees it.",
    )
    override = forms.BooleanField(
        required=False,
        label="Override the cancellation cut-off (not recorded as a late cancellation)",
        help_text="Recorded in the appointment's history.",
    )


class MarkForm(forms.Form):
    outcome = forms.ChoiceField(choices=Outcome.choices)
