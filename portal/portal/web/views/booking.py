"""Finding a doctor and booking one of their free times (patients)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from portal.web import clients, problems, timefmt, weeks
from portal.web.clients import ApiProblem
from portal.web.context import display_zone
from portal.web.forms.booking import BookForm, SearchForm
from portal.web.views.base import form_status, initial_values, or_404, page_number_of, signed_in
from portal.web.views.week import nearest_times, next_free_time, week_of_slots

KEPT_REASON_KEY = "kept_reason"


@require_GET
@signed_in()
def doctor_list(request: HttpRequest) -> HttpResponse:
    """Find a doctor by name or keyword and specialty, a page at a time."""
    specialties = clients.user_specialty_list()
    form = SearchForm(request.GET or None, specialties=specialties)
    query, specialty = "", ""
    if form.is_bound and form.is_valid():
        query, specialty = form.cleaned_data["q"], form.cleaned_data["specialty"]
    page_number = page_number_of(request)
    page = or_404(
        lambda: clients.user_doctor_list(
            request, search=query, specialty=specialty, page=page_number
        )
    )
    specialty_name = dict(form.fields["specialty"].choices).get(specialty, "") if specialty else ""
    return render(
        request,
        "portal/doctor_list.html",
        {
            "form": form,
            "page": page,
            "page_number": page_number,
            "query": query,
            "specialty": specialty,
            "specialty_name": specialty_name,
        },
        status=400 if form.errors else 200,
    )


@require_GET
@signed_in()
def doctor_detail(request: HttpRequest, doctor_id: uuid.UUID) -> HttpResponse:
    """A doctor and a week of their free times (one call to each service)."""
    doctor = or_404(lambda: clients.user_doctor_get(request, doctor_id=doctor_id))
    zone_name, _ = display_zone(request)
    week = week_of_slots(request, doctor_id=doctor_id, zone_name=zone_name)
    next_free = None
    if not week.free_count:
        next_free = next_free_time(
            request, doctor_id=doctor_id, after=week.last + weeks.ONE_DAY, zone_name=zone_name
        )
    return render(
        request,
        "portal/doctor_detail.html",
        {
            "doctor": doctor,
            "week": week,
            "next_free": next_free,
            "link_name": "book" if request.person.is_patient else "",
        },
    )


def _booking_context(request: HttpRequest, slot: clients.Slot) -> dict[str, Any]:
    """The time, its doctor and the week it is in (the way back to that week)."""
    doctor = or_404(lambda: clients.user_doctor_get(request, doctor_id=slot.doctor_id))
    zone_name, _ = display_zone(request)
    local = timefmt.local(slot.start, zone_name)
    return {
        "slot": slot,
        "doctor": doctor,
        "slot_week": timefmt.monday_of(local.date()),
    }


def time_taken(
    request: HttpRequest,
    *,
    slot: clients.Slot,
    doctor: clients.Doctor,
    reason: str,
    appointment: clients.Appointment | None = None,
    taken_by_other: bool = True,
) -> HttpResponse:
    """The time cannot be had: say why if we know, keep the reason, offer the nearest times.

    ``taken_by_other`` when the API said another appointment holds it; otherwise
    (found unbookable on opening the page) the words do not guess who or why.
    """
    zone_name, _ = display_zone(request)
    if reason:
        request.session[KEPT_REASON_KEY] = reason
    nearby = nearest_times(request, doctor_id=doctor.id, around=slot.start, zone_name=zone_name)
    return render(
        request,
        "portal/time_taken.html",
        {
            "slot": slot,
            "doctor": doctor,
            "nearby": sorted(nearby, key=lambda s: s.start),
            "appointment": appointment,
            "reason_kept": bool(reason),
            "taken_by_other": taken_by_other,
            "slot_week": timefmt.monday_of(timefmt.local(slot.start, zone_name).date()),
        },
        status=409,
    )


def _own_booking(request: HttpRequest, *, slot_id: uuid.UUID) -> clients.Appointment | None:
    """The person's own upcoming appointment in ``slot_id`` (a page opened again after booking)."""
    upcoming = clients.appointment_list(request, status="upcoming", page_size=100)
    return next((a for a in upcoming.items if a.slot_id == slot_id), None)


@require_http_methods(["GET", "POST"])
@signed_in(role="patient")
def book(request: HttpRequest, slot_id: uuid.UUID) -> HttpResponse:
    """Give a reason and book the chosen time (one Idempotency-Key per rendered form)."""
    slot = or_404(lambda: clients.schedule_slot_get(request, slot_id=slot_id))
    context = _booking_context(request, slot)
    if request.method == "GET":
        kept_reason = request.session.pop(KEPT_REASON_KEY, "")
        initial = initial_values(request, {"reason": kept_reason})
        initial["idempotency_key"] = uuid.uuid4()
        form = BookForm(initial=initial)
        if not slot.bookable:
            own = _own_booking(request, slot_id=slot_id)
            if own is not None:
                messages.info(request, "You have already booked this time.")
                return redirect("appointment-detail", appointment_id=own.id)
            return time_taken(
                request,
                slot=slot,
                doctor=context["doctor"],
                reason=initial.get("reason", ""),
                taken_by_other=False,
            )
        return render(request, "portal/book.html", {**context, "form": form})
    form = BookForm(request.POST)
    problem = None
    if form.is_valid():
        try:
            appointment = clients.appointment_create(
                request,
                slot_id=slot_id,
                reason=form.cleaned_data["reason"],
                idempotency_key=form.key(),
            )
        except ApiProblem as exc:
            if exc.code in problems.TIME_TAKEN:
                return time_taken(
                    request, slot=slot, doctor=context["doctor"], reason=form.cleaned_data["reason"]
                )
            problem = exc
            problems.add_to_form(form, exc)
            if exc.code != "idempotency-in-progress":
                # The service answers a key's first refusal to every resend of that key:
                # the next attempt (after making room, say) needs a key of its own.
                form.data = form.data.copy()
                form.data["idempotency_key"] = str(uuid.uuid4())
        else:
            return redirect("appointment-booked", appointment_id=appointment.id)
    return render(
        request, "portal/book.html", {**context, "form": form}, status=form_status(form, problem)
    )
