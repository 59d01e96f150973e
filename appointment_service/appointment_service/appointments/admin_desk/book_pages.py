"""Book for a patient: pick the patient, the doctor, a free time, then confirm."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse

from appointment_service.appointments import clients, idempotency, selectors
from appointment_service.appointments.admin_desk.base import (
    NO_STAFF_ID,
    OVERRIDABLE,
    PERM_BOOK,
    PERM_OVERRIDE,
    SEARCH_MAX_LENGTH,
    UNAVAILABLE,
    clinic_zone,
    parse_uuid,
    refusal,
)
from appointment_service.appointments.admin_desk.forms import (
    BookForm,
)
from appointment_service.appointments.admin_desk.times import (
    doctor_week,
)
from appointment_service.appointments.models import (
    ActorRole,
)
from common import admin_sso, people
from common.errors import Problem, ServiceUnavailable
from common.permissions import ROLE_DOCTOR, ROLE_PATIENT


class BookPages:
    """The front desk's booking pages (a four-step form)."""

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
        patient_id = parse_uuid(query.get("patient"))
        doctor_id = parse_uuid(query.get("doctor")) if patient_id else None
        slot_id = parse_uuid(query.get("slot")) if doctor_id else None
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
            week = doctor_week(doctor_id=doctor.id, week=query.get("week"))
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
            answer = idempotency.book_once(
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
            messages.error(request, refusal(exc, may_override=request.user.has_perm(PERM_OVERRIDE)))
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
