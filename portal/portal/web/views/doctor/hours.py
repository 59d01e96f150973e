"""A doctor's weekly hours: the week of them in words, adding, changing and removing hours."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone as dj_timezone
from django.views.decorators.http import require_http_methods

from portal.web import clients, problems, timefmt
from portal.web.clients import ApiProblem
from portal.web.forms.doctor import WEEKDAYS, RuleForm
from portal.web.views.base import form_status, initial_values, or_404, signed_in, today_in
from portal.web.views.doctor.base import api_refusals, day_month, page_zone

WEEKDAY_NAMES = dict(WEEKDAYS)


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
        dates.append(f"from {day_month(rule.valid_from)}")
    if rule.valid_until:
        ended = today is not None and rule.valid_until < today
        dates.append(f"{'ended' if ended else 'until'} {day_month(rule.valid_until)}")
    if dates:
        parts.append(" ".join(dates))
    return ", ".join(parts)


def _dates_meet(
    first: datetime.date | None,
    last: datetime.date | None,
    other_first: datetime.date | None,
    other_last: datetime.date | None,
) -> bool:
    """Whether two date ranges meet; open ends are infinite, as schedule_service counts them."""
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
    """The form's initial values: the hours as they are."""
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


def _availability_page(
    request: HttpRequest,
    form: RuleForm,
    rules: list[clients.Rule],
    *,
    status: int = 200,
) -> HttpResponse:
    """The Weekly hours page: the week of hours in words, and ``form`` to add more."""
    zone_name = page_zone(request)
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
@api_refusals
def availability(request: HttpRequest) -> HttpResponse:
    """The doctor's weekly hours by weekday, and a form to add more."""
    if request.method == "GET":
        form = RuleForm(initial=initial_values(request))
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
@api_refusals
def rule_edit(request: HttpRequest, rule_id: int) -> HttpResponse:
    """Change one set of weekly hours; booked appointments in them are kept."""
    zone_name = page_zone(request)
    if request.method == "GET":
        rule = or_404(lambda: clients.schedule_rule_get(request, rule_id=rule_id))
        form = RuleForm(initial=initial_values(request, _rule_initial(rule)))
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
@api_refusals
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
