"""What the doctors' pages share: refusals as pages, the zone they show, dates in words."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from portal.web import problems
from portal.web.clients import ApiProblem
from portal.web.context import display_zone

logger = logging.getLogger(__name__)


def api_refusals(view: Callable) -> Callable:
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


def page_zone(request: HttpRequest) -> str:
    """The name of the time zone the page shows times in (the doctor's profile zone)."""
    zone_name, _ = display_zone(request)
    return zone_name


def day_month(day: datetime.date, *, year: bool = True) -> str:
    """24 December 2026 (no weekday)."""
    return f"{day.day} {day:%B} {day.year}" if year else f"{day.day} {day:%B}"
