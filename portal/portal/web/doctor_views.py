"""Doctors' pages: their day, coming appointments, weekly hours, time off, booking rules, times.

Every page is for doctors only (anyone else gets the 404 page) and shows times
in the doctor's own profile time zone, the zone their weekly hours are set in.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone as dj_timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.errors import ServiceUnavailable
from portal.web import auth, clients, problems, timefmt
from portal.web.clients import ApiProblem
from portal.web.context import display_zone
from portal.web.forms.doctor import WEEKDAYS, CompleteForm, PolicyForm, RuleForm, TimeOffForm
from portal.web.views import (
    _initial,
    _names,
    form_status,
    or_404,
    page_number_of,
    safe_next,
    signed_in,
    today_in,
    week_of_slots,
)

logger = logging.getLogger(__name__)

PAGE_SIZE = 20
# One day never holds more appointments than this (the API's largest page).
DAY_PAGE_SIZE = 100
# Booked times inside time off just added, shown once on the next Time off page.
HELD_KEY = "time_off_held"
WEEKDAY_NAMES = dict(WEEKDAYS)
OUTCOME_WORDS = {"completed": "completed", "no_show": "a no-show"}


# Helpers


def _api_refusals(view: Callable) -> Callable:
    """A refusal no page expects (e.g. no doctor profile) becomes a page that says why.

    A 403 or 404 is this page's 404, as with ``or_404``.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ApiProblem as problem:
            if problem.status in (403, 404):
                raise Http404 from problem
            logger.warning("Doctor page refused: %s %s", problem.status, problem.code)
            return render(
                request,
                "portal/doctor/refused.html",
                {"problem_message": problems.message(problem)},
                status=problem.status if 400 <= problem.status < 500 else 500,
            )

    return wrapped


def _zone(request: HttpRequest) -> str:
    zone_name, _ = display_zone(request)
    return zone_name


def _date_param(value: str | None, *, default: datetime.date) -> datetime.date:
    """``value`` as a date (YYYY-MM-DD), or ``default`` when it is missing or not a usable date."""
    try:
        chosen = datetime.date.fromisoformat(value or "")
    except ValueError:
        return default
    if not datetime.MINYEAR < chosen.year < datetime.MAXYEAR:
        return default
    return chosen


def _day_month(day: datetime.date, *, year: bool = True) -> str:
    """24 December 2026 (no weekday)."""
    return f"{day.day} {day:%B} {day.year}" if year else f"{day.day} {day:%B}"


def _day_url(day: datetime.date) -> str:
    return f"{reverse('doctor-day')}?date={day.isoformat()}"


# Weekly hours in words


def _hours(rule: clients.Rule) -> str:
    """9am to midday."""
    return f"{timefmt.time_label(rule.start_time)} to {timefmt.time_label(rule.end_time)}"


def rule_title(rule: clients.Rule) -> str:
    """Monday 9am to midday."""
    return f"{WEEKDAY_NAMES[rule.weekday]} {_hours(rule)}"


def rule_details(rule: clients.Rule, *, today: datetime.date | None = None) -> str:
    """9am to midday, 30-minute appointments, from 1 January 2027 until 30 June 2027."""
    parts = [_hours(rule), f"{rule.slot_minutes}-minute appointments"]
    dates = []
    if rule.valid_from and (today is None or rule.valid_from > today):
        dates.append(f"from {_day_month(rule.valid_from)}")
    if rule.valid_until:
        ended = today is not None and rule.valid_until < today
        dates.append(f"{'ended' if ended else 'until'} {_day_month(rule.valid_until)}")
    if dates:
        parts.append(" ".join(dates))
    return ", ".join(parts)


def _dates_meet(
    first: datetime.date | None,
    last: datetime.date | None,
    other_first: datetime.date | None,
    other_last: datetime.date | None,
) -> bool:
    # Open ends are infinite, as schedule_service counts them.
    starts_in_time = first is None or other_last is None or first <= other_last
    other_starts_in_time = other_first is None or last is None or other_first <= last
    return starts_in_time and other_starts_in_time


def _clashing_rule(
    data: dict[str, Any], rules: list[clients.Rule], *, editing: int | None = None
) -> clients.Rule | None:
    """The existing rule that the hours in ``data`` overlap, if it is in ``rules``."""
    for rule in rules:
        if rule.id == editing or rule.weekday != data.get("weekday"):
            continue
        if (
            data["start_time"] < rule.end_time
            and rule.start_time < data["end_time"]
            and _dates_meet(
                data.get("valid_from"), data.get("valid_until"), rule.valid_from, rule.valid_until
            )
        ):
            return rule
    return None


def _add_rule_problem(
    form: RuleForm,
    problem: ApiProblem,
    rules: list[clients.Rule],
    *,
    editing: int | None = None,
) -> None:
    """Put the API's refusal on the form; an overlap names the hours it overlaps."""
    overlaps = [e for e in problem.errors if e.get("code") == "rule-overlap"]
    others = [e for e in problem.errors if e.get("code") != "rule-overlap"]
    if overlaps:
        clash = _clashing_rule(form.cleaned_data, rules, editing=editing)
        if clash is not None:
            text = (
                f"These hours overlap {rule_title(clash)}. "
                "Change the times or remove the other hours."
            )
        else:
            text = problems.field_message("start_time", "rule-overlap", "")
        form.add_error("start_time", text)
    if others or not overlaps:
        problems.add_to_form(
            form,
            ApiProblem(
                status=problem.status, code=problem.code, detail=problem.detail, errors=others
            ),
        )


def _rule_initial(rule: clients.Rule) -> dict[str, Any]:
    return {
        "weekday": rule.weekday,
        "start_time": rule.start_time,
        "end_time": rule.end_time,
        "slot_minutes": rule.slot_minutes,
        "valid_from": rule.valid_from,
        "valid_until": rule.valid_until,
    }


def _week_of_rules(rules: list[clients.Rule], today: datetime.date) -> list[dict[str, Any]]:
    """Monday to Sunday, each with its rules by start time and their words."""
    return [
        {
            "name": name,
            "rules": [
                {
                    "rule": rule,
                    "title": rule_title(rule),
                    "details": rule_details(rule, today=today),
                }
                for rule in sorted(
                    (r for r in rules if r.weekday == weekday), key=lambda r: r.start_time
                )
            ],
        }
        for weekday, name in WEEKDAYS
    ]


# Time off in words


def time_off_words(
    start: datetime.datetime, end: datetime.datetime, zone_name: str, *, this_year: int
) -> tuple[str, str]:
    """(label, phrase) of a period: ("24 to 26 December", "from 24 to 26 December").

    Whole local days are named by their dates; other periods by dates and times.
    The year is left out when the whole period is in ``this_year``.
    """
    first, last = timefmt.local(start, zone_name), timefmt.local(end, zone_name)
    year = not (first.year == this_year and last.year == this_year)
    midnight = datetime.time()
    if first.time() == midnight and last.time() == midnight:
        last_day = last.date() - datetime.timedelta(days=1)
        if last_day <= first.date():
            label = _day_month(first.date(), year=year)
            return f"{label}, all day", f"on {label}"
        if first.year != last_day.year:
            label = f"{_day_month(first.date())} to {_day_month(last_day)}"
        elif first.month != last_day.month:
            label = f"{_day_month(first.date(), year=False)} to {_day_month(last_day, year=year)}"
        else:
            label = f"{first.day} to {_day_month(last_day, year=year)}"
        return label, f"from {label}"
    if first.date() == last.date():
        day = _day_month(first.date(), year=year)
        return (
            f"{day}, {timefmt.range_label(first, last)}",
            f"on {day} from {timefmt.range_label(first, last)}",
        )
    label = (
        f"{_day_month(first.date(), year=year)} at {timefmt.time_label(first)} to "
        f"{_day_month(last.date(), year=year)} at {timefmt.time_label(last)}"
    )
    return label, f"from {label}"


def _held_for_session(held: tuple[clients.Slot, ...]) -> list[dict[str, str]]:
    return [
        {"appointment_id": str(s.appointment_id), "start": s.start.isoformat()}
        for s in sorted(held, key=lambda s: s.start)
        if s.appointment_id
    ]


def _held_from_session(request: HttpRequest) -> list[dict[str, Any]]:
    """The booked times kept inside time off just added (once), with their appointment ids."""
    kept = request.session.pop(HELD_KEY, None) or []
    held = []
    for item in kept:
        try:
            held.append(
                {
                    "appointment_id": uuid.UUID(item["appointment_id"]),
                    "start": datetime.datetime.fromisoformat(item["start"]),
                }
            )
        except (KeyError, TypeError, ValueError):
            continue
    return held


# Booking rules in words


def _hours_words(hours: int) -> str:
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


# My day and coming appointments


@require_GET
@signed_in(role="doctor")
@_api_refusals
def day(request: HttpRequest) -> HttpResponse:
    """One local day of the doctor's appointments (one call to each of two services).

    While the doctor waits for the clinic's approval, one more call asks
    user_service whether it has come.
    """
    if (
        request.person.awaiting_approval
        and not clients.user_profile_mine(request).awaiting_approval
    ):
        auth.approval_received(request)
        request.person = auth.current_person(request)
    zone_name = _zone(request)
    today = today_in(zone_name)
    chosen = _date_param(request.GET.get("date"), default=today)
    start, end = timefmt.day_bounds(chosen, zone_name)
    page = clients.appointment_list(
        request, start_from=start, start_to=end, page_size=DAY_PAGE_SIZE
    )
    now = dj_timezone.now()
    return render(
        request,
        "portal/doctor/day.html",
        {
            "date": chosen,
            "day_label": timefmt.date_label(chosen),
            "is_today": chosen == today,
            "previous": chosen - datetime.timedelta(days=1),
            "previous_label": timefmt.date_label(chosen - datetime.timedelta(days=1)),
            "next": chosen + datetime.timedelta(days=1),
            "next_label": timefmt.date_label(chosen + datetime.timedelta(days=1)),
            "rows": [(a, a.start <= now) for a in page.items],
            "count": sum(1 for a in page.items if a.status != "cancelled"),
            "cancelled_count": sum(1 for a in page.items if a.status == "cancelled"),
            "more": page.has_next,
            "names": _names(page.items, request.person),
            "zone_label": timefmt.zone_label(zone_name, start),
        },
    )


@require_GET
@signed_in(role="doctor")
@_api_refusals
def appointments(request: HttpRequest) -> HttpResponse:
    """Upcoming appointments by day, 20 a page."""
    zone_name = _zone(request)
    page_number = page_number_of(request)
    page = or_404(
        lambda: clients.appointment_list(
            request, status="upcoming", page=page_number, page_size=PAGE_SIZE
        )
    )
    days: list[dict[str, Any]] = []
    for appointment in page.items:
        local_day = timefmt.local(appointment.start, zone_name).date()
        if not days or days[-1]["date"] != local_day:
            days.append(
                {
                    "date": local_day,
                    "label": timefmt.date_label(local_day),
                    "url": _day_url(local_day),
                    "appointments": [],
                }
            )
        days[-1]["appointments"].append(appointment)
    return render(
        request,
        "portal/doctor/appointments.html",
        {
            "page": page,
            "page_number": page_number,
            "days": days,
            "names": _names(page.items, request.person),
        },
    )


def _patient_name(appointment: clients.Appointment) -> str:
    """The patient's name for a message; the words "the patient" when it cannot be read.

    The appointment has been marked by then: a failing name lookup must not
    turn that into an error page.
    """
    try:
        profile = clients.user_profiles([appointment.patient_id]).get(appointment.patient_id)
    except (ApiProblem, ServiceUnavailable):
        logger.warning("Patient name unavailable for a completion message")
        profile = None
    return f"{profile.full_name}'s" if profile else "the patient's"


@require_POST
@signed_in(role="doctor")
def complete(request: HttpRequest, appointment_id: uuid.UUID) -> HttpResponse:
    """Mark a started appointment completed or no-show, then go back to where the doctor was."""
    zone_name = _zone(request)
    next_value = request.POST.get("next")
    back = safe_next(request, next_value, reverse("doctor-day"))
    form = CompleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether the appointment was completed or a no-show.")
        return redirect(back)
    outcome = form.cleaned_data["outcome"]
    try:
        marked = or_404(
            lambda: clients.appointment_complete(
                request, appointment_id=appointment_id, outcome=outcome
            )
        )
    except ApiProblem as problem:
        messages.error(request, problems.message(problem))
        return redirect(back)
    local = timefmt.local(marked.start, zone_name)
    messages.success(
        request,
        f"Marked {_patient_name(marked)} {timefmt.time_label(local)} appointment as "
        f"{OUTCOME_WORDS[outcome]}.",
    )
    return redirect(safe_next(request, next_value, _day_url(local.date())))


# Weekly hours


def _availability_page(
    request: HttpRequest,
    form: RuleForm,
    rules: list[clients.Rule],
    *,
    status: int = 200,
) -> HttpResponse:
    zone_name = _zone(request)
    today = today_in(zone_name)
    return render(
        request,
        "portal/doctor/availability.html",
        {
            "form": form,
            "has_rules": bool(rules),
            "week": _week_of_rules(rules, today),
            "zone_label": timefmt.zone_label(zone_name, dj_timezone.now()),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@signed_in(role="doctor")
@_api_refusals
def availability(request: HttpRequest) -> HttpResponse:
    """The doctor's weekly hours by weekday, and a form to add more."""
    if request.method == "GET":
        form = RuleForm(initial=_initial(request))
        return _availability_page(request, form, clients.schedule_rule_list(request))
    form = RuleForm(request.POST)
    problem = None
    rules = None
    if form.is_valid():
        try:
            rule = clients.schedule_rule_create(request, data=form.api_data())
        except ApiProblem as exc:
            problem = exc
            rules = clients.schedule_rule_list(request)
            _add_rule_problem(form, exc, rules)
        else:
            messages.success(request, f"Hours added: {rule_title(rule)}.")
            return redirect("doctor-availability")
    if rules is None:
        rules = clients.schedule_rule_list(request)
    return _availability_page(request, form, rules, status=form_status(form, problem))


@require_http_methods(["GET", "POST"])
@signed_in(role="doctor")
@_api_refusals
def rule_edit(request: HttpRequest, rule_id: int) -> HttpResponse:
    """Change one set of weekly hours; booked appointments in them are kept."""
    zone_name = _zone(request)
    if request.method == "GET":
        rule = or_404(lambda: clients.schedule_rule_get(request, rule_id=rule_id))
        form = RuleForm(initial=_initial(request, _rule_initial(rule)))
        status = 200
    else:
        form = RuleForm(request.POST)
        problem = None
        rules = None
        if form.is_valid():
            try:
                changed = or_404(
                    lambda: clients.schedule_rule_update(
                        request, rule_id=rule_id, data=form.api_data()
                    )
                )
            except ApiProblem as exc:
                problem = exc
                rules = clients.schedule_rule_list(request)
                _add_rule_problem(form, exc, rules, editing=rule_id)
            else:
                messages.success(request, f"Hours changed: {rule_title(changed)}.")
                return redirect("doctor-availability")
        if rules is None:
            rules = clients.schedule_rule_list(request)
        rule = next((r for r in rules if r.id == rule_id), None)
        if rule is None:
            raise Http404
        status = form_status(form, problem)
    return render(
        request,
        "portal/doctor/rule_edit.html",
        {
            "form": form,
            "rule": rule,
            "title": rule_title(rule),
            "zone_label": timefmt.zone_label(zone_name, dj_timezone.now()),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@signed_in(role="doctor")
@_api_refusals
def rule_remove(request: HttpRequest, rule_id: int) -> HttpResponse:
    """Confirm, then remove one set of weekly hours (booked appointments are kept)."""
    if request.method == "POST":
        clients.schedule_rule_delete(request, rule_id=rule_id)
        messages.success(
            request, "Hours removed. Appointments already booked in those hours are kept."
        )
        return redirect("doctor-availability")
    rule = or_404(lambda: clients.schedule_rule_get(request, rule_id=rule_id))
    return render(
        request,
        "portal/doctor/rule_remove.html",
        {"rule": rule, "title": rule_title(rule)},
    )


# Time off


@require_http_methods(["GET", "POST"])
@signed_in(role="doctor")
@_api_refusals
def time_off(request: HttpRequest) -> HttpResponse:
    """Coming time off, each with a Remove button, and a form to add more."""
    zone_name = _zone(request)
    today = today_in(zone_name)
    problem = None
    if request.method == "POST":
        form = TimeOffForm(request.POST, zone_name=zone_name, today=today)
        if form.is_valid():
            try:
                created = clients.schedule_time_off_create(request, data=form.api_data())
            except ApiProblem as exc:
                problem = exc
                problems.add_to_form(form, exc, fields={"start": "first_day", "end": "last_day"})
            else:
                _, phrase = time_off_words(
                    created.start, created.end, zone_name, this_year=today.year
                )
                messages.success(request, f"Time off added {phrase}.")
                if created.held_slots:
                    request.session[HELD_KEY] = _held_for_session(created.held_slots)
                return redirect("doctor-time-off")
    else:
        form = TimeOffForm(initial=_initial(request), zone_name=zone_name, today=today)
    now = dj_timezone.now()
    periods = []
    for period in sorted(clients.schedule_time_off_list(request), key=lambda t: t.start):
        if period.end <= now:
            continue
        label, phrase = time_off_words(period.start, period.end, zone_name, this_year=today.year)
        periods.append({"time_off": period, "label": label, "phrase": phrase})
    return render(
        request,
        "portal/doctor/time_off.html",
        {
            "form": form,
            "periods": periods,
            "held": _held_from_session(request),
            "zone_label": timefmt.zone_label(zone_name, now),
        },
        status=form_status(form, problem),
    )


@require_POST
@signed_in(role="doctor")
@_api_refusals
def time_off_remove(request: HttpRequest, time_off_id: int) -> HttpResponse:
    """Remove time off (no confirmation: adding it again undoes it)."""
    clients.schedule_time_off_delete(request, time_off_id=time_off_id)
    messages.success(request, "Time off removed. Patients can book those times again.")
    return redirect("doctor-time-off")


# Booking rules


@require_http_methods(["GET", "POST"])
@signed_in(role="doctor")
@_api_refusals
def policy(request: HttpRequest) -> HttpResponse:
    """Notice, horizon, buffer and cut-offs, with what they mean for patients."""
    if request.method == "GET":
        current = clients.schedule_policy_get(request)
        form = PolicyForm(
            initial=_initial(
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


# My free times


@require_GET
@signed_in(role="doctor")
@_api_refusals
def slots(request: HttpRequest) -> HttpResponse:
    """The doctor's week as patients see it, with booked times labelled (one call)."""
    zone_name = _zone(request)
    week = week_of_slots(
        request, doctor_id=request.person.id, zone_name=zone_name, include_held=True
    )
    return render(
        request,
        "portal/doctor/slots.html",
        {
            "week": week,
            "has_times": any(day.tiles for day in week.days),
            "week_end_text": f"Patients see up to {settings.BOOKING_WEEKS_AHEAD} weeks ahead",
        },
    )
