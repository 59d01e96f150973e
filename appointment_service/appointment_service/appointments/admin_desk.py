"""The front desk in the admin: book for a patient, reschedule, cancel, mark; the clinic's day.

Every change goes through ``services`` with the signed-in staff member as the
actor (``common.admin_sso.staff_id``), so the slot holds in schedule_service
stay in line and the history says who did it. Names come from
``common.people``; free times from schedule_service's internal listing.
Server-rendered pages, no JavaScript.
"""

from __future__ import annotations

import datetime
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from appointment_service.appointments import clients, selectors, services
from appointment_service.appointments.exceptions import ProblemCode
from appointment_service.appointments.models import (
    IDEMPOTENCY_KEY_MAX_LENGTH,
    REASON_MAX_LENGTH,
    ActorRole,
    Appointment,
    AppointmentState,
    AppointmentStatus,
    Outcome,
)
from common import admin_sso, people
from common.errors import Problem, ServiceUnavailable
from common.permissions import ROLE_DOCTOR, ROLE_PATIENT

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


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _refusal(exc: Problem, *, may_override: bool) -> str:
    """What the admin says when a service function refuses."""
    text = f"{exc.title}: {exc.detail}"
    if exc.code in OVERRIDABLE and may_override:
        text += " Tick “Override the patient's cut-offs and limits” to go ahead anyway."
    return text


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


# The week of free times ----------------------------------------------------------------


@dataclass
class Day:
    date: datetime.date
    slots: list[tuple[clients.FreeSlot, datetime.datetime]] = field(default_factory=list)


@dataclass
class Week:
    first: datetime.date
    days: list[Day]
    previous: datetime.date | None
    next: datetime.date | None

    @property
    def empty(self) -> bool:
        return not any(day.slots for day in self.days)


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _week_start(value: str | None) -> datetime.date:
    """The Monday of the week asked for, kept between this week and ``WEEKS_AHEAD`` ahead."""
    this_week = _monday(timezone.now().astimezone(clinic_zone()).date())
    last = this_week + datetime.timedelta(weeks=WEEKS_AHEAD)
    try:
        asked = _monday(datetime.date.fromisoformat(value)) if value else this_week
    except ValueError:
        asked = this_week
    return min(max(asked, this_week), last)


def _week(*, doctor_id: uuid.UUID, week: str | None) -> Week:
    """The doctor's free times of one week (Monday to Sunday, clinic dates), by day.

    Raises ``DoctorNotBookable`` and ``ServiceUnavailable``.
    """
    first = _week_start(week)
    zone = clinic_zone()
    slots = clients.schedule_slot_list(
        doctor_id=doctor_id, first=first, last=first + datetime.timedelta(days=6)
    )
    days: OrderedDict[datetime.date, Day] = OrderedDict(
        (first + datetime.timedelta(days=n), Day(first + datetime.timedelta(days=n)))
        for n in range(7)
    )
    for slot in slots:
        local = slot.start.astimezone(zone)
        days.setdefault(local.date(), Day(local.date())).slots.append((slot, local))
    this_week = _week_start(None)
    return Week(
        first=first,
        days=sorted(days.values(), key=lambda day: day.date),
        previous=first - datetime.timedelta(weeks=1) if first > this_week else None,
        next=first + datetime.timedelta(weeks=1)
        if first < this_week + datetime.timedelta(weeks=WEEKS_AHEAD)
        else None,
    )


# The clinic's day ----------------------------------------------------------------------


@dataclass
class DayRow:
    appointment: Appointment
    start: datetime.datetime
    end: datetime.datetime
    patient: people.Person | None
    doctor: people.Person | None
    status: str


def _status_label(appointment: Appointment) -> str:
    if appointment.status_value == AppointmentStatus.CANCELLED:
        return "Cancelled (late)" if appointment.late_cancellation else "Cancelled"
    if appointment.outcome_value == Outcome.NO_SHOW:
        return "No-show"
    if appointment.status_value == AppointmentStatus.COMPLETED:
        return "Completed"
    return "Upcoming"


def _day_asked(value: str | None) -> tuple[datetime.date, bool]:
    """The date asked for (clinic time zone), or today; False when the value was unusable."""
    today = timezone.now().astimezone(clinic_zone()).date()
    if not value:
        return today, True
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        return today, False
    if not datetime.date(2000, 1, 1) <= day <= today + datetime.timedelta(days=3660):
        return today, False
    return day, True


# The admin -----------------------------------------------------------------------------


class FrontDeskAdminMixin:
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
        appointment = selectors.appointment_get(appointment_id=_uuid(object_id))
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

    # Book for a patient

    def book_view(self, request: HttpRequest) -> HttpResponse:
        self._require(request, PERM_BOOK)
        title = "Book for a patient"
        if request.method == "POST":
            return self._book(request, title=title)
        try:
            return self._book_step(request, title=title, query=request.GET)
        except ServiceUnavailable as exc:
            return self._unavailable(request, exc, title=title)

    def _book_step(
        self,
        request: HttpRequest,
        *,
        title: str,
        query,
        form: BookForm | None = None,
        status: int = 200,
    ) -> TemplateResponse:
        patient_id = _uuid(query.get("patient"))
        doctor_id = _uuid(query.get("doctor")) if patient_id else None
        slot_id = _uuid(query.get("slot")) if doctor_id else None
        found = people.people_get([i for i in (patient_id, doctor_id) if i])
        patient = found.get(patient_id) if patient_id else None
        doctor = found.get(doctor_id) if doctor_id else None
        if patient_id and (patient is None or patient.role != ROLE_PATIENT):
            messages.error(request, "No patient has this id; search again.")
            patient = doctor = None
        if patient and doctor_id and (doctor is None or doctor.role != ROLE_DOCTOR):
            messages.error(request, "No doctor has this id; search again.")
            doctor = None
        context: dict[str, Any] = {"patient": patient, "doctor": doctor, "step": 1}
        if patient is None:
            text = query.get("q", "").strip()[:SEARCH_MAX_LENGTH]
            context["q"] = text
            if text:
                context["results"] = people.people_search(text, role=ROLE_PATIENT)
        elif doctor is None:
            text = query.get("dq", "").strip()[:SEARCH_MAX_LENGTH]
            context |= {"step": 2, "dq": text}
            if text:
                context["results"] = people.people_search(text, role=ROLE_DOCTOR)
        else:
            context |= self._book_time(
                request, patient=patient, doctor=doctor, slot_id=slot_id, query=query, form=form
            )
        context["book_url"] = self._url("book")
        return self._render(request, "desk_book.html", title=title, status=status, **context)

    def _book_time(self, request, *, patient, doctor, slot_id, query, form) -> dict[str, Any]:
        """Step 3 (the doctor's week) or, with a slot chosen and still free, step 4 (the form)."""
        slot = clients.schedule_slot_get(slot_id=slot_id) if slot_id else None
        if slot_id and (slot is None or slot.doctor_id != doctor.id):
            messages.error(request, "No time of this doctor has this id; choose another.")
            slot = None
        elif slot is not None and not slot.bookable:
            messages.error(request, "This time is no longer free; choose another.")
            slot = None
        if slot is not None:
            # A new key for every form rendered: sending it twice books once.
            form = form or BookForm(
                initial={
                    "patient": patient.id,
                    "doctor": doctor.id,
                    "slot": slot.id,
                    "key": uuid.uuid4().hex,
                    "reason": query.get("reason", ""),
                }
            )
            if not request.user.has_perm(PERM_OVERRIDE):
                form.fields.pop("override", None)
            return {
                "step": 4,
                "slot": slot,
                "slot_local": slot.start.astimezone(clinic_zone()),
                "slot_end_local": slot.end.astimezone(clinic_zone()),
                "form": form,
            }
        try:
            week = _week(doctor_id=doctor.id, week=query.get("week"))
        except Problem as exc:
            if isinstance(exc, ServiceUnavailable):
                raise
            messages.error(request, f"{exc.title}: {exc.detail}")
            week = None
        chosen = self._url("book", query={"patient": patient.id, "doctor": doctor.id})
        return {
            "step": 3,
            "week": week,
            "week_url": f"{chosen}&week=",
            "slot_url": f"{chosen}&slot=",
        }

    def _book(self, request: HttpRequest, *, title: str) -> HttpResponse:
        form = BookForm(request.POST)
        if not request.user.has_perm(PERM_OVERRIDE):
            del form.fields["override"]
        query = {k: request.POST.get(k) for k in ("patient", "doctor", "slot", "reason")}
        if not form.is_valid():
            return self._retry_book(request, title=title, query=query, status=400, form=form)
        staff = admin_sso.staff_id(request)
        if staff is None:
            messages.error(request, NO_STAFF_ID)
            return self._retry_book(request, title=title, query=query, status=403)
        data = form.cleaned_data
        override = bool(data.get("override"))
        try:
            answer = services.appointment_book(
                patient_id=data["patient"],
                slot_id=data["slot"],
                reason=data["reason"],
                idempotency_key=f"admin:{data['key']}",
                actor_id=staff,
                actor_role=ActorRole.STAFF,
                override=override,
            )
        except ServiceUnavailable as exc:
            messages.error(request, UNAVAILABLE.format(what="The schedule service"))
            return self._retry_book(request, title=title, query=query, status=exc.status_code)
        except Problem as exc:
            messages.error(
                request, _refusal(exc, may_override=request.user.has_perm(PERM_OVERRIDE))
            )
            if exc.code in OVERRIDABLE:  # the same time, with a new key: the answer is stored
                return self._retry_book(request, title=title, query=query, status=exc.status_code)
            return HttpResponseRedirect(
                self._url("book", query={"patient": data["patient"], "doctor": data["doctor"]})
            )
        if answer.status != 201:  # the same form sent again: its first answer
            messages.error(request, f"{answer.body.get('title')}: {answer.body.get('detail')}")
            return HttpResponseRedirect(
                self._url("book", query={"patient": data["patient"], "doctor": data["doctor"]})
            )
        appointment = selectors.appointment_get(appointment_id=uuid.UUID(answer.body["id"]))
        local = appointment.start.astimezone(clinic_zone())
        messages.success(
            request,
            f"Booked for {local:%A %d %B %Y at %H:%M} ({settings.CLINIC_TIME_ZONE})"
            + (" with the patient's limits overridden." if override else "."),
        )
        return self._change_page(appointment)

    def _retry_book(self, request, *, title, query, status, form=None) -> TemplateResponse:
        try:
            return self._book_step(request, title=title, query=query, form=form, status=status)
        except ServiceUnavailable as exc:
            return self._unavailable(request, exc, title=title)

    # Reschedule, cancel, mark

    def _names(self, appointment: Appointment) -> dict[str, Any]:
        try:
            found = people.people_get([appointment.patient_id, appointment.doctor_id])
        except ServiceUnavailable:
            found = {}
        return {
            "patient": found.get(appointment.patient_id),
            "doctor": found.get(appointment.doctor_id),
        }

    def reschedule_view(self, request: HttpRequest, object_id: uuid.UUID) -> HttpResponse:
        self._require(request, PERM_RESCHEDULE)
        appointment = self._appointment(object_id)
        if not self._upcoming(request, appointment):
            return self._change_page(appointment)
        title = "Reschedule the appointment"
        may_override = request.user.has_perm(PERM_OVERRIDE)
        if request.method == "POST":
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
                moved = services.appointment_reschedule(
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
                messages.error(request, _refusal(exc, may_override=may_override))
                return HttpResponseRedirect(back)
            local = moved.start.astimezone(clinic_zone())
            messages.success(request, f"Moved to {local:%A %d %B %Y at %H:%M}.")
            return self._change_page(moved)
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
            week = _week(doctor_id=appointment.doctor_id, week=request.GET.get("week"))
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
            cancelled = services.appointment_cancel(
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
                marked = services.appointment_complete(
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

    # The clinic's day

    def day_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        day, usable = _day_asked(request.GET.get("date"))
        if not usable:
            messages.warning(request, "That is no date the clinic keeps; here is today.")
        zone = clinic_zone()
        start = datetime.datetime.combine(day, datetime.time(0), tzinfo=zone)
        end = datetime.datetime.combine(
            day + datetime.timedelta(days=1), datetime.time(0), tzinfo=zone
        )
        appointments = list(selectors.appointment_list_for_period(start=start, end=end))
        ids = {a.patient_id for a in appointments} | {a.doctor_id for a in appointments}
        names_missing = False
        try:
            found = people.people_get(ids) if ids else {}
        except ServiceUnavailable:
            found, names_missing = {}, True
        rows = [
            DayRow(
                appointment=a,
                start=a.start.astimezone(zone),
                end=a.end.astimezone(zone),
                patient=found.get(a.patient_id),
                doctor=found.get(a.doctor_id),
                status=_status_label(a),
            )
            for a in appointments
        ]
        doctors = sorted(
            {row.doctor.id: row.doctor for row in rows if row.doctor}.values(),
            key=lambda d: d.full_name,
        )
        specialties = sorted(
            {(d.specialty_slug, d.specialty) for d in doctors if d.specialty_slug},
            key=lambda s: s[1] or "",
        )
        doctor_id = _uuid(request.GET.get("doctor"))
        specialty = request.GET.get("specialty", "")[:SEARCH_MAX_LENGTH]
        if doctor_id:
            rows = [row for row in rows if row.appointment.doctor_id == doctor_id]
        if specialty:
            rows = [row for row in rows if row.doctor and row.doctor.specialty_slug == specialty]
        filters = {"doctor": doctor_id or "", "specialty": specialty}
        return self._render(
            request,
            "desk_day.html",
            title=f"The clinic's day: {day:%A %d %B %Y}",
            day=day,
            rows=rows,
            doctors=doctors,
            specialties=specialties,
            doctor_id=doctor_id,
            specialty=specialty,
            names_missing=names_missing,
            previous_url=self._url(
                "day", query={"date": day - datetime.timedelta(days=1), **filters}
            ),
            next_url=self._url("day", query={"date": day + datetime.timedelta(days=1), **filters}),
            today_url=self._url("day", query=filters),
            may_book=request.user.has_perm(PERM_BOOK),
        )
