"""Pages for everyone and for patients: thin views over ``clients``, rendered by the server."""

from __future__ import annotations

import datetime
import logging
import sys
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone as dj_timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.db import RETRYABLE_ATTRIBUTE, connection_lost, is_database_fault
from portal.web import auth, clients, problems, timefmt, weeks
from portal.web.clients import ApiProblem
from portal.web.context import display_zone
from portal.web.forms.account import (
    DoctorRegisterForm,
    PasswordRenewForm,
    RegisterForm,
    SignInForm,
    TimeZoneForm,
)
from portal.web.forms.base import PortalForm
from portal.web.forms.booking import BookForm, CancelForm, ReasonForm, SearchForm
from portal.web.middleware import service_unavailable

logger = logging.getLogger(__name__)

T = TypeVar("T")

PAGE_STATUSES = {
    "upcoming": "Upcoming",
    "completed": "Completed",
    "cancelled": "Cancelled",
}
NEAREST_TIMES = 6
# The furthest week a page asks schedule_service for (it refuses dates ten years ahead).
FURTHEST_WEEK = datetime.timedelta(weeks=5 * 52)
KEPT_REASON_KEY = "kept_reason"
# The email of a sign-in refused for a temporary password, for the "Choose a new password" form.
RENEW_EMAIL_KEY = "password_renew_email"
PASSWORD_CHANGE_REQUIRED = "password-change-required"  # noqa: S105 - a problem code


# Helpers


def signed_in(role: str | None = None) -> Callable:
    """Let only a signed-in person in (and only ``role``, when given: others get a 404)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            person = auth.current_person(request)
            if person is None:
                raise auth.SignInRequired
            if role and person.role != role:
                raise Http404
            request.person = person
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def or_404(call: Callable[[], T]) -> T:
    """Run an API call; its 404 (or a 403 for someone else's thing) becomes this page's 404."""
    try:
        return call()
    except ApiProblem as problem:
        if problem.status in (403, 404):
            raise Http404 from problem
        raise


def page_number_of(request: HttpRequest) -> int:
    """``?page=`` as a page number (1 when missing or not a number)."""
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def today_in(zone_name: str) -> datetime.date:
    return timefmt.local(dj_timezone.now(), zone_name).date()


def safe_next(request: HttpRequest, value: str | None, default: str) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return default


def form_status(form: PortalForm, problem: ApiProblem | None = None) -> int:
    """400 for a form with errors; 409 when the API refused because of the state of things,
    429 when it asked to slow down."""
    if problem is not None and problem.status in (409, 429):
        return problem.status
    return 400 if form.errors else 200


def _initial(request: HttpRequest, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Initial values: what was kept when a sign-in ended, over ``extra``."""
    kept = auth.pop_pending_form(request, path=request.path) or {}
    return {**(extra or {}), **kept}


def week_of_slots(
    request: HttpRequest,
    *,
    doctor_id: uuid.UUID,
    zone_name: str,
    include_held: bool = False,
    notes: dict[uuid.UUID, str] | None = None,
    extra_slots: list[clients.Slot] | None = None,
    default_day: datetime.date | None = None,
) -> weeks.Week:
    """The week asked for in ``?week=`` (else the week of ``default_day``, else this one).

    One call to schedule_service.
    """
    today = today_in(zone_name)
    asked = request.GET.get("week") or (default_day.isoformat() if default_day else None)
    last_bookable = today + datetime.timedelta(weeks=settings.BOOKING_WEEKS_AHEAD)
    first = weeks.week_start(asked, today=today, latest=today + FURTHEST_WEEK)
    fetch_first, fetch_last = weeks.fetch_range(first)
    slots = clients.schedule_slot_list(
        request,
        doctor_id=doctor_id,
        first=fetch_first,
        last=fetch_last,
        include_held=include_held,
    )
    return weeks.build_week(
        first=first,
        zone_name=zone_name,
        slots=[*slots, *(extra_slots or [])],
        today=today,
        last_bookable=last_bookable,
        notes=notes,
    )


def next_free_time(
    request: HttpRequest, *, doctor_id: uuid.UUID, after: datetime.date, zone_name: str
) -> dict[str, Any] | None:
    """The first free time after the week shown (one call, one result), for an empty week."""
    slots = clients.schedule_slot_list(
        request,
        doctor_id=doctor_id,
        first=after,
        last=after + datetime.timedelta(days=61),
        page_size=1,
    )
    if not slots:
        return None
    local = timefmt.local(slots[0].start, zone_name)
    return {
        "week": timefmt.monday_of(local.date()),
        "label": f"{timefmt.date_label(local, year=False)} at {timefmt.time_label(local)}",
    }


def nearest_times(
    request: HttpRequest, *, doctor_id: uuid.UUID, around: datetime.datetime, zone_name: str
) -> list[clients.Slot]:
    """Up to six free times of the doctor nearest to ``around`` (one call)."""
    day = timefmt.local(around, zone_name).date()
    slots = clients.schedule_slot_list(
        request,
        doctor_id=doctor_id,
        first=max(day - datetime.timedelta(days=3), today_in(zone_name)),
        last=day + datetime.timedelta(days=10),
        page_size=200,
    )
    return sorted(slots, key=lambda s: abs((s.start - around).total_seconds()))[:NEAREST_TIMES]


# Errors


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "portal/errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's ``handler500``; a database fault (the sessions live there) is the 503 page."""
    if is_database_fault(sys.exc_info()[1]):
        response = service_unavailable(request, without_session=True)
        setattr(response, RETRYABLE_ATTRIBUTE, connection_lost())
        return response
    return render(request, "portal/errors/500.html", status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "portal/errors/403_csrf.html", status=403)


# Everyone


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The landing page; signed-in patients also see their next appointment."""
    person = auth.current_person(request)
    context: dict[str, Any] = {"service_urls": settings.PUBLIC_SERVICE_URLS}
    if person and person.is_doctor:
        return redirect("doctor-day")
    if person:
        upcoming = clients.appointment_list(request, status="upcoming", page_size=1)
        context["next_appointment"] = upcoming.items[0] if upcoming.items else None
        context["upcoming_count"] = upcoming.count
        if upcoming.items:
            context["names"] = clients.user_profiles([upcoming.items[0].doctor_id])
    return render(request, "portal/home.html", context)


@require_GET
def help_page(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/help.html", {"service_urls": settings.PUBLIC_SERVICE_URLS})


def _start_session(request: HttpRequest, *, email: str, password: str, zone: str) -> auth.Person:
    tokens = clients.auth_token(request, email=email, password=password)
    me = clients.user_profile_me(access=tokens.access)
    if timefmt.is_zone(zone) and not request.session.get(auth.TIME_ZONE_KEY):
        request.session[auth.TIME_ZONE_KEY] = zone
    return auth.sign_in(
        request,
        access=tokens.access,
        refresh=tokens.refresh,
        email=email,
        full_name=me.full_name,
        time_zone=me.timezone,
        awaiting_approval=me.awaiting_approval,
    )


def _landing(person: auth.Person) -> str:
    return reverse("doctor-day") if person.is_doctor else reverse("home")


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Sign in; go back to ``next`` (the page, and the form, that the person left)."""
    next_url = safe_next(request, request.GET.get("next") or request.POST.get("next"), "")
    reason = request.GET.get("reason", "")
    if request.method == "GET":
        if auth.current_person(request):
            return redirect(next_url or _landing(auth.current_person(request)))
        return render(
            request,
            "portal/sign_in.html",
            {"form": SignInForm(), "next": next_url, "reason": reason},
        )
    form = SignInForm(request.POST)
    problem = None
    if form.is_valid():
        try:
            person = _start_session(
                request,
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                zone=form.cleaned_data["time_zone"],
            )
            return redirect(next_url or _landing(person))
        except ApiProblem as exc:
            if exc.code == PASSWORD_CHANGE_REQUIRED:
                request.session[RENEW_EMAIL_KEY] = form.cleaned_data["email"]
                return redirect(_with_next(reverse("password-renew"), next_url))
            problem = exc
            form.add_error(None, problems.message(exc, overrides=problems.SIGN_IN_MESSAGES))
    form.data = form.data.copy()
    form.data["password"] = ""
    if form.errors and "password" not in form.errors:
        form.add_error("password", "Enter your password again")
    return render(
        request,
        "portal/sign_in.html",
        {"form": form, "next": next_url, "reason": reason},
        status=429 if problem is not None and problem.status == 429 else 400,
    )


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


@require_http_methods(["GET", "POST"])
def password_renew(request: HttpRequest) -> HttpResponse:
    """Choose a new password after the clinic reset it (the temporary one signs in to nothing)."""
    next_url = safe_next(request, request.GET.get("next") or request.POST.get("next"), "")
    if request.method == "GET":
        form = PasswordRenewForm(initial={"email": request.session.get(RENEW_EMAIL_KEY, "")})
        return render(request, "portal/password_renew.html", {"form": form, "next": next_url})
    form = PasswordRenewForm(request.POST)
    problem = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            clients.auth_password_renew(
                request,
                email=data["email"],
                temporary_password=data["temporary_password"],
                new_password=data["new_password"],
            )
        except ApiProblem as exc:
            problem = exc
            if exc.errors:
                problems.add_to_form(form, exc)
            else:
                form.add_error(None, problems.message(exc, overrides=problems.RENEW_MESSAGES))
        else:
            request.session.pop(RENEW_EMAIL_KEY, None)
            try:
                person = _start_session(
                    request,
                    email=data["email"],
                    password=data["new_password"],
                    zone=data["time_zone"],
                )
            except ApiProblem:
                messages.success(request, "Your new password is set. Sign in with it.")
                return redirect(_with_next(reverse("sign-in"), next_url))
            messages.success(request, "Your new password is set. You are signed in.")
            return redirect(next_url or _landing(person))
    return render(
        request,
        "portal/password_renew.html",
        {"form": form, "next": next_url},
        status=form_status(form, problem),
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    refresh = auth.sign_out(request)
    if refresh:
        try:
            clients.auth_logout(refresh_token=refresh)
        except clients.ServiceUnavailable:
            logger.warning("Sign-out could not revoke the refresh token")
    messages.success(request, "You have signed out.")
    return redirect("home")


def _register(
    request: HttpRequest, form_class: type[RegisterForm], template: str, **form_kwargs: Any
) -> HttpResponse:
    if request.method == "GET":
        return render(request, template, {"form": form_class(**form_kwargs)})
    form = form_class(request.POST, **form_kwargs)
    if form.is_valid():
        data = form.cleaned_data
        role = "doctor" if isinstance(form, DoctorRegisterForm) else "patient"
        body = {
            "email": data["email"],
            "password": data["password"],
            "role": role,
            "full_name": data["full_name"],
        }
        if role == "doctor":
            body |= {"specialty": data["specialty"], "timezone": data["timezone"]}
            if data.get("bio"):
                body["bio"] = data["bio"]
        try:
            clients.auth_register(request, data=body)
            person = _start_session(
                request, email=data["email"], password=data["password"], zone=data["time_zone"]
            )
        except ApiProblem as problem:
            problems.add_to_form(form, problem)
        else:
            if person.is_doctor:
                messages.info(
                    request,
                    "Your account is ready. Clinic staff will check your details before patients "
                    "can find you. Add your weekly hours now so you can be booked once approved.",
                )
                return redirect("doctor-availability")
            messages.success(request, "Your account is ready. You are signed in.")
            return redirect("doctor-list")
    form.data = form.data.copy()
    form.data["password"] = ""
    if form.errors and "password" not in form.errors:
        form.add_error("password", "Enter your password again")
    return render(request, template, {"form": form}, status=400)


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    return _register(request, RegisterForm, "portal/register.html")


@require_http_methods(["GET", "POST"])
def register_doctor(request: HttpRequest) -> HttpResponse:
    return _register(
        request,
        DoctorRegisterForm,
        "portal/register_doctor.html",
        specialties=clients.user_specialty_list(),
    )


@require_http_methods(["GET", "POST"])
def time_zone(request: HttpRequest) -> HttpResponse:
    """Choose the zone times are shown in (kept with the session)."""
    next_url = safe_next(request, request.GET.get("next") or request.POST.get("next"), "/")
    current, _ = display_zone(request)
    detected = request.POST.get("detected") or request.GET.get("detected")
    if request.method == "POST":
        form = TimeZoneForm(request.POST, detected=request.POST.get("time_zone"))
        if form.is_valid():
            request.session[auth.TIME_ZONE_KEY] = form.cleaned_data["time_zone"]
            messages.success(
                request,
                f"Times are now shown in {timefmt.zone_label(form.cleaned_data['time_zone'], dj_timezone.now())}.",
            )
            return redirect(next_url)
        status = 400
    else:
        form = TimeZoneForm(initial={"time_zone": current}, detected=current)
        status = 200
    return render(
        request,
        "portal/time_zone.html",
        {"form": form, "next": next_url, "detected": detected},
        status=status,
    )


# Finding a doctor and booking (patients)


@require_GET
@signed_in()
def doctor_list(request: HttpRequest) -> HttpResponse:
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
    doctor = or_404(lambda: clients.user_doctor_get(request, doctor_id=slot.doctor_id))
    zone_name, _ = display_zone(request)
    local = timefmt.local(slot.start, zone_name)
    return {
        "slot": slot,
        "doctor": doctor,
        "slot_week": timefmt.monday_of(local.date()),
    }


def _time_taken(
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
        initial = _initial(request, {"reason": kept_reason})
        initial["idempotency_key"] = uuid.uuid4()
        form = BookForm(initial=initial)
        if not slot.bookable:
            own = _own_booking(request, slot_id=slot_id)
            if own is not None:
                messages.info(request, "You have already booked this time.")
                return redirect("appointment-detail", appointment_id=own.id)
            return _time_taken(
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
                return _time_taken(
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


# Patients and doctors: their appointments


def _names(appointments: list[clients.Appointment], person: auth.Person) -> dict:
    """The other person's profile of each appointment, in one call."""
    ids = [a.patient_id if person.is_doctor else a.doctor_id for a in appointments]
    return clients.user_profiles(ids)


@require_GET
@signed_in()
def appointment_list(request: HttpRequest) -> HttpResponse:
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
            "names": _names(page.items, request.person),
        },
    )


def _appointment(request: HttpRequest, appointment_id: uuid.UUID) -> clients.Appointment:
    return or_404(lambda: clients.appointment_get(request, appointment_id=appointment_id))


def _change_state(appointment: clients.Appointment) -> dict[str, Any]:
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
    appointment = _appointment(request, appointment_id)
    history = clients.appointment_history(request, appointment_id=appointment_id)
    names = _names([appointment], request.person)
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
    appointment = _appointment(request, appointment_id)
    names = _names([appointment], request.person)
    return render(
        request,
        "portal/booked.html",
        {"appointment": appointment, "doctor": names.get(appointment.doctor_id)},
    )


@require_GET
@signed_in()
def appointment_ics(request: HttpRequest, appointment_id: uuid.UUID) -> HttpResponse:
    body = or_404(lambda: clients.appointment_ics(request, appointment_id=appointment_id))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="appointment-{appointment_id}.ics"'
    return response


@require_http_methods(["GET", "POST"])
@signed_in(role="patient")
def appointment_reason(request: HttpRequest, appointment_id: uuid.UUID) -> HttpResponse:
    appointment = _appointment(request, appointment_id)
    state = _change_state(appointment)
    if request.method == "GET":
        form = ReasonForm(initial=_initial(request, {"reason": appointment.reason}))
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
            return _time_taken(
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
            return _time_taken(
                request, slot=slot, doctor=doctor, reason="", appointment=appointment
            )
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
    names = _names([appointment], request.person)
    context = {"appointment": appointment, "names": names, **state}
    if not state["is_upcoming"]:
        return render(request, "portal/cancel_closed.html", context, status=409)
    if request.method == "GET":
        form = CancelForm(initial=_initial(request))
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
