"""Reschedule, cancel and mark an appointment from its change page."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone

from appointment_service.appointments import booking, changes
from appointment_service.appointments.admin_desk.base import (
    NO_STAFF_ID,
    PERM_CANCEL,
    PERM_MARK,
    PERM_OVERRIDE,
    PERM_RESCHEDULE,
    UNAVAILABLE,
    clinic_zone,
    refusal,
)
from appointment_service.appointments.admin_desk.forms import (
    CancelForm,
    MarkForm,
    RescheduleForm,
)
from appointment_service.appointments.admin_desk.times import (
    doctor_week,
)
from appointment_service.appointments.models import (
    ActorRole,
    Appointment,
    Outcome,
)
from common import admin_sso
from common.errors import Problem, ServiceUnavailable


class ChangePages:
    """The front desk's pages that change one appointment."""

    def reschedule_view(self, request: HttpRequest, object_id: uuid.UUID) -> HttpResponse:
        self._require(request, PERM_RESCHEDULE)
        appointment = self._appointment(object_id)
        if not self._upcoming(request, appointment):
            return self._change_page(appointment)
        title = "Reschedule the appointment"
        may_override = request.user.has_perm(PERM_OVERRIDE)
        if request.method == "POST":
            return self._reschedule(request, appointment, may_override=may_override)
        now = timezone.now()
        blocked = []
        if appointment.reschedule_count >= settings.MAX_RESCHEDULES:
            blocked.append(f"it has been moved {appointment.reschedule_count} times already")
        if now > appointment.start - datetime.timedelta(hours=appointment.reschedule_cutoff_hours):
            blocked.append(
                f"it is inside the doctor's reschedule cut-off "
                f"({appointment.reschedule_cutoff_hours} hours)"
            )
        try:
            week = doctor_week(doctor_id=appointment.doctor_id, week=request.GET.get("week"))
        except ServiceUnavailable as exc:
            return self._unavailable(request, exc, title=title)
        except Problem as exc:
            messages.error(request, f"{exc.title}: {exc.detail}")
            week = None
        return self._render(
            request,
            "desk_reschedule.html",
            title=title,
            appointment=appointment,
            original=appointment,
            start_local=appointment.start.astimezone(clinic_zone()),
            week=week,
            week_url=self._url("reschedule", appointment.pk) + "?week=",
            blocked=blocked,
            may_override=may_override,
            form=RescheduleForm(),
            **self._names(appointment),
        )

    def _reschedule(
        self, request: HttpRequest, appointment: Appointment, *, may_override: bool
    ) -> HttpResponse:
        """Move the appointment as the form says: its change page, or back to the week."""
        form = RescheduleForm(request.POST)
        back = self._url("reschedule", appointment.pk, query={"week": request.POST.get("week")})
        if not form.is_valid():
            messages.error(request, "Choose a time.")
            return HttpResponseRedirect(back)
        staff = admin_sso.staff_id(request)
        if staff is None:
            messages.error(request, NO_STAFF_ID)
            return HttpResponseRedirect(back)
        try:
            moved = booking.appointment_reschedule(
                appointment=appointment,
                slot_id=form.cleaned_data["slot"],
                actor_id=staff,
                actor_role=ActorRole.STAFF,
                override=bool(form.cleaned_data["override"]) and may_override,
            )
        except ServiceUnavailable:
            messages.error(request, UNAVAILABLE.format(what="The schedule service"))
            return HttpResponseRedirect(back)
        except Problem as exc:
            messages.error(request, refusal(exc, may_override=may_override))
            return HttpResponseRedirect(back)
        local = moved.start.astimezone(clinic_zone())
        messages.success(request, f"Moved to {local:%A %d %B %Y at %H:%M}.")
        return self._change_page(moved)

    def cancel_view(self, request: HttpRequest, object_id: uuid.UUID) -> HttpResponse:
        self._require(request, PERM_CANCEL)
        appointment = self._appointment(object_id)
        if not self._upcoming(request, appointment):
            return self._change_page(appointment)
        title = "Cancel the appointment"
        may_override = request.user.has_perm(PERM_OVERRIDE)
        late = timezone.now() > appointment.start - datetime.timedelta(
            hours=appointment.cancel_cutoff_hours
        )
        form = CancelForm(request.POST or None)
        if not (late and may_override):
            del form.fields["override"]
        status = 200
        if request.method == "POST":
            status = self._cancel(request, appointment, form)
            if isinstance(status, HttpResponse):
                return status
        return self._render(
            request,
            "desk_cancel.html",
            title=title,
            status=status,
            appointment=appointment,
            original=appointment,
            start_local=appointment.start.astimezone(clinic_zone()),
            late=late,
            form=form,
            **self._names(appointment),
        )

    def _cancel(
        self, request: HttpRequest, appointment: Appointment, form: CancelForm
    ) -> HttpResponse | int:
        """Cancel as the form says: the change page, or the status to show the form again with."""
        if not form.is_valid():
            return 400
        staff = admin_sso.staff_id(request)
        if staff is None:
            messages.error(request, NO_STAFF_ID)
            return 403
        try:
            cancelled = changes.appointment_cancel(
                appointment=appointment,
                actor_id=staff,
                actor_role=ActorRole.STAFF,
                reason=form.cleaned_data["reason"],
                override=bool(form.cleaned_data.get("override")),
            )
        except ServiceUnavailable:
            messages.error(request, UNAVAILABLE.format(what="The schedule service"))
            return 503
        except Problem as exc:
            messages.error(request, f"{exc.title}: {exc.detail}")
            return self._change_page(appointment)
        messages.success(
            request,
            "Cancelled; the time is free again"
            + (" (recorded as a late cancellation)." if cancelled.late_cancellation else "."),
        )
        return self._change_page(cancelled)

    def mark_view(self, request: HttpRequest, object_id: uuid.UUID) -> HttpResponse:
        self._require(request, PERM_MARK)
        appointment = self._appointment(object_id)
        form = MarkForm(request.POST)
        staff = admin_sso.staff_id(request)
        if not form.is_valid():
            messages.error(request, "Choose completed or no-show.")
        elif staff is None:
            messages.error(request, NO_STAFF_ID)
        else:
            try:
                marked = changes.appointment_complete(
                    appointment=appointment,
                    outcome=form.cleaned_data["outcome"],
                    actor_id=staff,
                    actor_role=ActorRole.STAFF,
                )
            except Problem as exc:
                messages.error(request, f"{exc.title}: {exc.detail}")
            else:
                messages.success(request, f"Marked {Outcome(marked.state).label.lower()}.")
        return self._change_page(appointment)
