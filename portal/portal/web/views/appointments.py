"""A person's appointments: the lists, one appointment, and changing or cancelling it."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone as dj_timezone
from django.views.decorators.http import require_GET, require_http_methods

from portal.web import clients, problems, timefmt
from portal.web.clients import ApiProblem
from portal.web.context import display_zone
from portal.web.forms.booking import CancelForm, ReasonForm
from portal.web.views.base import (
    form_status,
    initial_values,
    or_404,
    other_names,
    page_number_of,
    signed_in,
)
from portal.web.views.booking import time_taken
from portal.web.views.week import week_of_slots

PAGE_STATUSES = {
    "upcoming": "Upcoming",
    "completed": "Completed",
    "cancelled": "Cancelled",
}


@require_GET
@signed_in()
def appointment_list(request: HttpRequest) -> HttpResponse:
    """The person's appointments of one status (Upcoming, Completed, Cancelled), by page."""
    status = request.GET.get("status", "upcoming")
    if status not in PAGE_STATUSES:
        status = "upcoming"
    page_number = page_number_of(request)
    page = or_404(lambda: clients.appointment_list(request, status=status, page=page_number))
    return render(
        request,
        "portal/appointment_list.html",
        {
            "status": status,
            "statuses": PAGE_STATUSES,
            "page": page,
            "page_number": page_number,
            "names": other_names(page.items, request.person),
        },
    )


def _appointment(request: HttpRequest, appointment_id: uuid.UUID) -> clients.Appointment:
    """The appointment, or this page's 404 when it is missing or someone else's."""
    return or_404(lambda: clients.appointment_get(request, appointment_id=appointment_id))


def _change_state(appointment: clients.Appointment) -> dict[str, Any]:
    """What may be done with the appointment now: change it, cancel it (late or not)."""
    now = dj_timezone.now()
    return {
        "is_upcoming": appointment.status == "upcoming",
        "can_change": appointment.status == "upcoming" and now < appointment.changes_close_at,
        "is_late_cancel": appointment.status == "upcoming" and now >= appointment.late_cancel_from,
        "has_started": appointment.start <= now,
    }


@require_GET
@signed_in()
def appointment_detail(request: HttpRequest, appointment_id: uuid.UUID) -> HttpResponse:
    """One appointment with its history (two calls to appointment_service)."""
    appointment = _appointment(request, appointment_id)
    history = clients.appointment_history(request, appointment_id=appointment_id)
    names = other_names([appointment], request.person)
    return render(
        request,
        "portal/appointment_detail.html",
        {
            "appointment": appointment,
            "history": history,
            "names": names,
            "other": names.get(
                appointment.patient_id if request.person.is_doctor else appointment.doctor_id
            ),
            **_change_state(appointment),
        },
    )


@require_GET
@signed_in(role="patient")
def appointment_booked(request: HttpRequest, appointment_id: uuid.UUID) -> HttpResponse:
    """The page after booking, offering the calendar file."""
    appointment = _appointment(request, appointment_id)
    names = other_names([appointment], request.person)
    return render(
        request,
        "portal/booked.html",
        {"appointment": appointment, "doctor": names.get(appointment.doctor_id)},
    )


@require_GET
@signed_in()
def appointment_ics(request: HttpRequest, appointment_id: uuid.UUID) -> HttpResponse:
    """The appointment as a calendar file to download."""
    body = or_404(lambda: clients.appointment_ics(request, appointment_id=appointment_id))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="appointment-{appointment_id}.ics"'
    return response


@require_http_methods(["GET", "POST"])
@signed_in(role="patient")
def appointment_reason(request: HttpRequest, appointment_id: uuid.UUID) -> HttpResponse:
    """Change the reason for an appointment."""
    appointment = _appointment(request, appointment_id)
    state = _change_state(appointment)
    if request.method == "GET":
        form = ReasonForm(initial=initial_values(request, {"reason": appointment.reason}))
        return render(
            request,
            "portal/appointment_reason.html",
            {"form": form, "appointment": appointment, **state},
        )
    form = ReasonForm(request.POST)
    problem = None
    if form.is_valid():
        try:
            clients.appointment_update(
                request, appointment_id=appointment_id, reason=form.cleaned_data["reason"]
            )
        except ApiProblem as exc:
            problem = exc
            problems.add_to_form(form, exc)
        else:
            messages.success(request, "Reason saved.")
            return redirect("appointment-detail", appointment_id=appointment_id)
    return render(
        request,
        "portal/appointment_reason.html",
        {"form": form, "appointment": appointment, **state},
        status=form_status(form, problem),
    )


@require_GET
@signed_in(role="patient")
def appointment_reschedule(request: HttpRequest, appointment_id: uuid.UUID) -> HttpResponse:
    """The same week view, with the current appointment marked, to pick a new time."""
    appointment = _appointment(request, appointment_id)
    state = _change_state(appointment)
    doctor = or_404(lambda: clients.user_doctor_get(request, doctor_id=appointment.doctor_id))
    if not state["can_change"]:
        return render(
            request,
            "portal/reschedule_closed.html",
            {"appointment": appointment, "doctor": doctor, **state},
            status=409,
        )
    zone_name, _ = display_zone(request)
    current = clients.Slot(
        id=appointment.slot_id,
        doctor_id=appointment.doctor_id,
        start=appointment.start,
        end=appointment.end,
    )
    week = week_of_slots(
        request,
        doctor_id=appointment.doctor_id,
        zone_name=zone_name,
        notes={appointment.slot_id: "Your current appointment"},
        extra_slots=[current],
        default_day=timefmt.local(appointment.start, zone_name).date(),
    )
    return render(
        request,
        "portal/reschedule.html",
        {"appointment": appointment, "doctor": doctor, "week": week, **state},
    )


@require_http_methods(["GET", "POST"])
@signed_in(role="patient")
def appointment_reschedule_confirm(
    request: HttpRequest, appointment_id: uuid.UUID, slot_id: uuid.UUID
) -> HttpResponse:
    """Check the new time and move the appointment to it."""
    appointment = _appointment(request, appointment_id)
    slot = or_404(lambda: clients.schedule_slot_get(request, slot_id=slot_id))
    doctor = or_404(lambda: clients.user_doctor_get(request, doctor_id=appointment.doctor_id))
    context = {
        "appointment": appointment,
        "slot": slot,
        "doctor": doctor,
        **_change_state(appointment),
    }
    if request.method == "GET":
        if slot.doctor_id != appointment.doctor_id:
            raise Http404
        if not slot.bookable:
            return time_taken(
                request,
                slot=slot,
                doctor=doctor,
                reason="",
                appointment=appointment,
                taken_by_other=False,
            )
        return render(request, "portal/reschedule_confirm.html", context)
    try:
        moved = clients.appointment_reschedule(
            request, appointment_id=appointment_id, slot_id=slot_id
        )
    except ApiProblem as problem:
        if problem.code in problems.TIME_TAKEN:
            return time_taken(request, slot=slot, doctor=doctor, reason="", appointment=appointment)
        context["problem_message"] = problems.message(problem)
        return render(request, "portal/reschedule_confirm.html", context, status=409)
    zone_name, _ = display_zone(request)
    local = timefmt.local(moved.start, zone_name)
    messages.success(
        request,
        f"Appointment moved to {timefmt.time_label(local)} on {timefmt.date_label(local)}.",
    )
    return redirect("appointment-detail", appointment_id=appointment_id)


@require_http_methods(["GET", "POST"])
@signed_in()
def appointment_cancel(request: HttpRequest, appointment_id: uuid.UUID) -> HttpResponse:
    """Confirm cancelling; say beforehand when it will count as a late cancellation."""
    appointment = _appointment(request, appointment_id)
    state = _change_state(appointment)
    names = other_names([appointment], request.person)
    context = {"appointment": appointment, "names": names, **state}
    if not state["is_upcoming"]:
        return render(request, "portal/cancel_closed.html", context, status=409)
    if request.method == "GET":
        form = CancelForm(initial=initial_values(request))
        return render(request, "portal/cancel.html", {**context, "form": form})
    form = CancelForm(request.POST)
    if request.person.is_doctor and not (form.data.get("reason") or "").strip():
        form.add_error("reason", "Enter why you are cancelling. The patient will see it.")
    problem = None
    if form.is_valid():
        try:
            cancelled = clients.appointment_cancel(
                request, appointment_id=appointment_id, reason=form.cleaned_data["reason"]
            )
        except ApiProblem as exc:
            problem = exc
            problems.add_to_form(form, exc)
        else:
            if cancelled.late_cancellation:
                messages.warning(
                    request,
                    "Appointment cancelled. This was recorded as a late cancellation because "
                    f"it was less than {appointment.cancel_cutoff_hours} hours before the start.",
                )
            else:
                messages.success(request, "Appointment cancelled. The time is free for others.")
            return redirect("appointment-detail", appointment_id=appointment_id)
    return render(
        request, "portal/cancel.html", {**context, "form": form}, status=form_status(form, problem)
    )
