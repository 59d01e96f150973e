"""What every page of the front desk shares: permissions, messages, the admin's frame."""

from __future__ import annotations

import uuid
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from appointment_service.appointments import selectors
from appointment_service.appointments.exceptions import ProblemCode
from appointment_service.appointments.models import (
    Appointment,
    AppointmentState,
    AppointmentStatus,
)
from common import people
from common.errors import Problem, ServiceUnavailable

PERM_BOOK = "appointments.book_for_patient"
PERM_RESCHEDULE = "appointments.reschedule_for_patient"
PERM_CANCEL = "appointments.cancel_for_patient"
PERM_MARK = "appointments.mark_outcome"
PERM_OVERRIDE = "appointments.override_rules"

# The refusals an override sets aside (the others never are).
OVERRIDABLE = {
    ProblemCode.TOO_MANY_APPOINTMENTS,
    ProblemCode.TOO_MANY_APPOINTMENTS_WITH_DOCTOR,
    ProblemCode.TOO_MANY_RESCHEDULES,
    ProblemCode.RESCHEDULE_TOO_LATE,
}
SEARCH_MAX_LENGTH = 100
# How far the week view goes ahead (the doctors' horizons are usually shorter).
WEEKS_AHEAD = 52
NO_STAFF_ID = (
    "Your admin session does not say who you are, so nothing was changed. "
    "Sign out and sign in again."
)
UNAVAILABLE = "{what} cannot be reached right now; nothing was changed. Try again in a moment."


def clinic_zone() -> ZoneInfo:
    return ZoneInfo(settings.CLINIC_TIME_ZONE)


def parse_uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def refusal(exc: Problem, *, may_override: bool) -> str:
    """What the admin says when a service function refuses."""
    text = f"{exc.title}: {exc.detail}"
    if exc.code in OVERRIDABLE and may_override:
        text += " Tick “Override the patient's cut-offs and limits” to go ahead anyway."
    return text


class DeskPages:
    """Pages of the front desk on the Appointment admin (its changelist and change page link
    to them); every one checks its own permission (a 403 without it)."""

    change_list_template = "admin/appointments/appointment/change_list.html"
    change_form_template = "admin/appointments/appointment/change_form.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        wrap = self.admin_site.admin_view
        return [
            path("book/", wrap(self.book_view), name="{}_{}_book".format(*info)),
            path("day/", wrap(self.day_view), name="{}_{}_day".format(*info)),
            path(
                "<uuid:object_id>/reschedule/",
                wrap(self.reschedule_view),
                name="{}_{}_reschedule".format(*info),
            ),
            path(
                "<uuid:object_id>/cancel/",
                wrap(self.cancel_view),
                name="{}_{}_cancel".format(*info),
            ),
            path(
                "<uuid:object_id>/mark/",
                wrap(require_POST(self.mark_view)),
                name="{}_{}_mark".format(*info),
            ),
            *super().get_urls(),
        ]

    # Helpers

    def _url(self, name: str, *args: Any, query: dict[str, Any] | None = None) -> str:
        url = reverse(f"admin:appointments_appointment_{name}", args=args)
        kept = {k: v for k, v in (query or {}).items() if v not in (None, "")}
        return f"{url}?{urlencode(kept)}" if kept else url

    def _render(
        self, request: HttpRequest, template: str, *, title: str, status: int = 200, **context
    ) -> TemplateResponse:
        return TemplateResponse(
            request,
            f"admin/appointments/appointment/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": title,
                "clinic_zone": settings.CLINIC_TIME_ZONE,
                **context,
            },
            status=status,
        )

    def _unavailable(
        self, request: HttpRequest, exc: ServiceUnavailable, *, title: str
    ) -> TemplateResponse:
        response = self._render(
            request, "desk_unavailable.html", title=title, status=503, detail=str(exc.detail)
        )
        response["Retry-After"] = "30"
        return response

    @staticmethod
    def _require(request: HttpRequest, permission: str) -> None:
        if not request.user.has_perm(permission):
            raise PermissionDenied

    def _appointment(self, object_id: uuid.UUID) -> Appointment:
        appointment = selectors.appointment_get(appointment_id=object_id)
        if appointment is None or appointment.state == AppointmentState.PENDING:
            raise Http404("No appointment has this id.")
        return appointment

    def _upcoming(self, request: HttpRequest, appointment: Appointment) -> bool:
        """Whether it is upcoming; if not, the message that says so."""
        if appointment.state == AppointmentState.BOOKED and (
            appointment.status_at(timezone.now()) == AppointmentStatus.UPCOMING
        ):
            return True
        messages.error(request, "Only an upcoming appointment can be moved or cancelled.")
        return False

    def _change_page(self, appointment: Appointment) -> HttpResponseRedirect:
        return HttpResponseRedirect(
            reverse("admin:appointments_appointment_change", args=[appointment.pk])
        )

    # The change page: buttons for what the staff member may do now

    def change_view(self, request, object_id, form_url="", extra_context=None):
        appointment = selectors.appointment_get(appointment_id=parse_uuid(object_id))
        actions: dict[str, bool] = {}
        if appointment is not None:
            now = timezone.now()
            upcoming = (
                appointment.state == AppointmentState.BOOKED
                and appointment.status_at(now) == AppointmentStatus.UPCOMING
            )
            markable = (
                appointment.state not in (AppointmentState.CANCELLED, AppointmentState.PENDING)
                and appointment.start <= now
            )
            user = request.user
            actions = {
                "reschedule": upcoming and user.has_perm(PERM_RESCHEDULE),
                "cancel": upcoming and user.has_perm(PERM_CANCEL),
                "mark": markable and user.has_perm(PERM_MARK),
            }
        return super().change_view(
            request,
            object_id,
            form_url,
            extra_context={**(extra_context or {}), "desk_actions": actions},
        )

    def _names(self, appointment: Appointment) -> dict[str, Any]:
        try:
            found = people.people_get([appointment.patient_id, appointment.doctor_id])
        except ServiceUnavailable:
            found = {}
        return {
            "patient": found.get(appointment.patient_id),
            "doctor": found.get(appointment.doctor_id),
        }
