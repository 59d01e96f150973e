"""A doctor's booking rules (notice, horizon, buffer, cut-offs) and what they mean for patients."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from portal.web import clients, problems, timefmt
from portal.web.clients import ApiProblem
from portal.web.forms.doctor import PolicyForm
from portal.web.views.base import form_status, initial_values, signed_in
from portal.web.views.doctor.base import api_refusals


def _hours_words(hours: int) -> str:
    """1 hour, 2 hours."""
    return f"{hours} hour{'' if hours == 1 else 's'}"


def policy_sentences(policy: clients.Policy) -> list[str]:
    """What patients meet, in the doctor's words: notice, horizon, buffer and cut-offs."""
    horizon = f"{policy.horizon_days} day{'' if policy.horizon_days == 1 else 's'}"
    if policy.min_notice_minutes:
        notice = timefmt.duration_label(policy.min_notice_minutes)
        booking = f"Patients can book from {notice} to {horizon} ahead."
    else:
        booking = f"Patients can book any free time up to {horizon} ahead."
    if policy.buffer_minutes:
        buffer = (
            f"{timefmt.duration_label(policy.buffer_minutes)} is kept free after each appointment."
        )
    else:
        buffer = "Appointments can follow each other with no break."
    if policy.cancel_cutoff_hours:
        cancel = (
            f"Cancellations less than {_hours_words(policy.cancel_cutoff_hours)} before the "
            "start are recorded as late."
        )
    else:
        cancel = "Cancellations are never recorded as late."
    if policy.reschedule_cutoff_hours:
        change = (
            "Patients can change the time of an appointment online until "
            f"{_hours_words(policy.reschedule_cutoff_hours)} before it starts."
        )
    else:
        change = "Patients can change the time of an appointment online until it starts."
    return [booking, buffer, cancel, change]


@require_http_methods(["GET", "POST"])
@signed_in(role="doctor")
@api_refusals
def policy(request: HttpRequest) -> HttpResponse:
    """Notice, horizon, buffer and cut-offs, with what they mean for patients."""
    if request.method == "GET":
        current = clients.schedule_policy_get(request)
        form = PolicyForm(
            initial=initial_values(
                request, {name: getattr(current, name) for name in PolicyForm.base_fields}
            )
        )
        return render(
            request,
            "portal/doctor/policy.html",
            {"form": form, "sentences": policy_sentences(current)},
        )
    form = PolicyForm(request.POST)
    problem = None
    if form.is_valid():
        try:
            saved = clients.schedule_policy_update(request, data=dict(form.cleaned_data))
        except ApiProblem as exc:
            problem = exc
            problems.add_to_form(form, exc)
        else:
            messages.success(request, f"Booking rules saved. {policy_sentences(saved)[0]}")
            return redirect("doctor-policy")
    return render(
        request,
        "portal/doctor/policy.html",
        {"form": form, "sentences": []},
        status=form_status(form, problem),
    )
