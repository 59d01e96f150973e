"""What many pages share: who may open them, API 404s, paging, dates, forms and names."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone as dj_timezone
from django.utils.http import url_has_allowed_host_and_scheme

from portal.web import auth, clients, timefmt
from portal.web.clients import ApiProblem
from portal.web.forms.base import PortalForm

T = TypeVar("T")


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
    """Today's date in ``zone_name`` (pages count days in the zone they show)."""
    return timefmt.local(dj_timezone.now(), zone_name).date()


def safe_next(request: HttpRequest, value: str | None, default: str) -> str:
    """``value`` when it is a URL of this site (a safe place to go back to), else ``default``."""
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


def initial_values(request: HttpRequest, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Initial values: what was kept when a sign-in ended, over ``extra``."""
    kept = auth.pop_pending_form(request, path=request.path) or {}
    return {**(extra or {}), **kept}


def other_names(appointments: list[clients.Appointment], person: auth.Person) -> dict:
    """The other person's profile of each appointment, in one call."""
    ids = [a.patient_id if person.is_doctor else a.doctor_id for a in appointments]
    return clients.user_profiles(ids)
