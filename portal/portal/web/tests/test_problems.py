"""API problems in plain words, and on the right field."""

import logging

import pytest
from django import forms

from portal.web import problems
from portal.web.clients import ApiProblem
from portal.web.forms.base import PortalForm


class EmailForm(PortalForm):
    email = forms.EmailField()
    start_time = forms.TimeField(required=False)


def problem(code="validation-error", errors=None, status=400):
    return ApiProblem(status=status, code=code, errors=errors or [])


def test_message_of_a_known_code():
    assert problems.message(problem("invalid-credentials", status=401)) == (
        "The email address or password is not correct"
    )


def test_message_of_an_unknown_code_is_general_and_logged(caplog):
    with caplog.at_level(logging.WARNING, logger="portal.web.problems"):
        text = problems.message(problem("brand-new", status=409))

    assert text == problems.UNKNOWN
    assert "brand-new" in caplog.text and "409" in caplog.text


@pytest.mark.parametrize(
    ("field", "code", "detail", "text"),
    [
        ("password", "password_too_short", "x", "Password must be at least 10 characters"),
        ("reason", "max_length", "x", "Reason must be 500 characters or fewer"),
        (
            "bio",
            "max_length",
            "Ensure this field has no more than 2000.",
            "Ensure this field has no more than 2000.",
        ),
        ("bio", "odd", "", problems.UNKNOWN),
    ],
)
def test_field_message(field, code, detail, text):
    assert problems.field_message(field, code, detail) == text


def test_field_errors_go_next_to_their_fields_and_others_to_the_summary():
    form = EmailForm({"email": "a@example.com"})
    form.is_valid()

    problems.add_to_form(
        form,
        problem(
            errors=[
                {"field": "email", "code": "invalid", "detail": "Enter a valid email."},
                {"field": "start", "code": "rule-overlap", "detail": "Overlaps."},
                {"field": "", "code": "weird", "detail": "Something else."},
            ]
        ),
        fields={"start": "start_time"},
    )

    assert form.errors["email"] == [
        "Enter an email address in the correct format, like name@example.com"
    ]
    assert form.errors["start_time"] == ["Overlaps."]
    assert form.non_field_errors() == ["Something else."]


def test_a_problem_without_field_errors_goes_to_the_summary():
    form = EmailForm({"email": "a@example.com"})
    form.is_valid()

    problems.add_to_form(form, problem("too-many-appointments", status=409))

    assert form.non_field_errors() == [problems.MESSAGES["too-many-appointments"]]
    assert "email" not in form.errors


def test_a_taken_email_goes_next_to_the_email_field():
    form = EmailForm({"email": "a@example.com"})
    form.is_valid()

    problems.add_to_form(form, problem("email-taken", status=409))

    assert form.errors["email"] == [problems.FIELD_MESSAGES[("email", "email-taken")]]
    assert form.non_field_errors() == []
    assert form.summary() == [("id_email", problems.FIELD_MESSAGES[("email", "email-taken")])]


def test_a_taken_email_on_a_form_without_an_email_field_goes_to_the_summary():
    class Other(PortalForm):
        name = forms.CharField()

    form = Other({"name": "x"})
    form.is_valid()

    problems.add_to_form(form, problem("email-taken", status=409))

    assert form.non_field_errors() == [problems.MESSAGES["email-taken"]]


def test_every_time_taken_code_is_not_a_message():
    assert problems.TIME_TAKEN.isdisjoint(problems.MESSAGES)
