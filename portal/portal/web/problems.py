"""API problems in plain words: the one place that maps a problem code to what a person reads.

Field problems go next to their field; the others go in the error summary or
on a page of their own. An unknown code gets a general sentence, and the code
is logged with the request id so that it can be given words here.
"""

from __future__ import annotations

import logging

from django import forms

from portal.web.clients import ApiProblem

logger = logging.getLogger(__name__)

UNKNOWN = "Something went wrong with this answer. Check it and try again."

# (field, code) → message; field "*" matches any field.
FIELD_MESSAGES: dict[tuple[str, str], str] = {
    ("password", "password_too_short"): "Password must be at least 10 characters",
    ("password", "password_too_common"): "This password is too common. Choose another",
    ("password", "password_entirely_numeric"): "Password cannot be only numbers",
    ("password", "password_too_similar"): "Password is too similar to your email address",
    ("new_password", "password_too_short"): "Password must be at least 10 characters",
    ("new_password", "password_too_common"): "This password is too common. Choose another",
    ("new_password", "password_entirely_numeric"): "Password cannot be only numbers",
    ("new_password", "password_too_similar"): "Password is too similar to your email address",
    ("new_password", "password-unchanged"): "Choose a new password, not the temporary one",
    ("email", "invalid"): "Enter an email address in the correct format, like name@example.com",
    ("email", "email-taken"): (
        "An account with this email address already exists. Sign in or reset your password."
    ),
    ("reason", "max_length"): "Reason must be 500 characters or fewer",
    ("start_time", "rule-overlap"): "These hours overlap hours you already have on this day. "
    "Change the times or remove the other hours.",
    ("weekday", "too-many-rules"): "You have as many sets of hours as allowed. "
    "Remove some before adding more.",
    ("end_time", "invalid"): "End time must be after the start time",
    ("end", "invalid"): "The end must be after the start",
    ("valid_until", "invalid"): "The last date must be on or after the first date",
}

# code → message, for problems that are not about one field.
MESSAGES: dict[str, str] = {
    "invalid-credentials": "The email address or password is not correct",
    "throttled": "You have done this too many times in a short while. Wait a few minutes and "
    "try again, or call the clinic.",
    "email-taken": FIELD_MESSAGES[("email", "email-taken")],
    "slot-unavailable": "This time can no longer be booked online. Choose another time.",
    "slot-not-found": "This time can no longer be booked online. Choose another time.",
    "too-many-appointments": "You have the most upcoming appointments allowed. Cancel one, or "
    "wait until after your next one, to book another.",
    "too-many-appointments-with-doctor": "You already have as many upcoming appointments with "
    "this doctor as allowed. Cancel one, or wait until after your next one, to book another.",
    "doctor-not-bookable": "This doctor cannot be booked online yet. Choose another doctor or "
    "call the clinic.",
    "overlapping-appointment": "You already have an appointment at this time. Choose another "
    "time or change that appointment.",
    "reschedule-too-late": "You can no longer change this appointment online because it starts "
    "soon.",
    "too-many-reschedules": "This appointment has been moved as often as allowed. Cancel it and "
    "book a new time instead.",
    "appointment-not-upcoming": "This appointment has already happened or was cancelled, so it "
    "cannot be changed.",
    "appointment-completed": "This appointment has already happened, so it cannot be cancelled.",
    "appointment-cancelled": "This appointment was cancelled, so it cannot be marked.",
    "appointment-not-started": "You can mark an appointment only once it has started.",
    "appointment-changed": "This appointment changed while you were looking at it. Check it and "
    "try again.",
    "different-doctor": "You can only move an appointment to another time with the same doctor.",
    "idempotency-in-progress": "We are still booking this appointment. Wait a moment, then check "
    "My appointments.",
    "idempotency-key-reused": "This form was already used. Choose the time again to book.",
    "doctor-profile-missing": "Your doctor profile could not be found, so your schedule cannot "
    "be set up yet. Contact clinic staff.",
}

# Problems with no field errors that are nonetheless about one field: shown next to it.
CODE_FIELDS: dict[str, str] = {"email-taken": "email"}

# Codes that mean "someone else took this time": the time-taken page, not a message.
TIME_TAKEN = frozenset({"slot-taken", "slot-held-by-other"})


# Where sign-in needs other words than MESSAGES.
SIGN_IN_MESSAGES: dict[str, str] = {
    "throttled": "You have tried to sign in too many times. Wait a few minutes and try again.",
}

# Where choosing a new password after a reset needs other words than MESSAGES.
RENEW_MESSAGES: dict[str, str] = {
    **SIGN_IN_MESSAGES,
    "invalid-credentials": "The email address or temporary password is not correct",
}


def message(problem: ApiProblem, *, overrides: dict[str, str] | None = None) -> str:
    """The sentence for a problem that is not about a field (``overrides`` first)."""
    text = (overrides or {}).get(problem.code) or MESSAGES.get(problem.code)
    if text is None:
        logger.warning("No words for API problem %s (%s)", problem.code, problem.status)
        return UNKNOWN
    return text


def field_message(field: str, code: str, detail: str) -> str:
    """The sentence for a field problem; the API's own words when we have none of ours."""
    return FIELD_MESSAGES.get((field, code)) or detail or UNKNOWN


def add_to_form(
    form: forms.Form, problem: ApiProblem, *, fields: dict[str, str] | None = None
) -> None:
    """Put ``problem``'s field errors on ``form`` (API field → form field via ``fields``).

    Errors on fields the form does not have, and a problem without field
    errors, go to the form's non-field errors (the summary).
    """
    fields = fields or {}
    placed = False
    for error in problem.errors:
        api_field = str(error.get("field") or "")
        name = fields.get(api_field, api_field)
        text = field_message(
            api_field, str(error.get("code") or ""), str(error.get("detail") or "")
        )
        if name in form.fields:
            form.add_error(name, text)
        else:
            form.add_error(None, text)
        placed = True
    if not placed:
        api_field = CODE_FIELDS.get(problem.code, "")
        name = fields.get(api_field, api_field)
        form.add_error(name if name in form.fields else None, message(problem))
