"""Pages for everyone: the landing page and help."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from portal.web import auth, clients


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
    """Help and contact, with links to each service's API documentation for developers."""
    return render(request, "portal/help.html", {"service_urls": settings.PUBLIC_SERVICE_URLS})
