"""What the portal does when a sign-in ends or a service is down, whatever the page."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse

from common.errors import ServiceUnavailable
from common.request_id import get_request_id
from portal.web import auth

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


def sign_in_url(next_path: str, *, reason: str = "") -> str:
    query = {"next": next_path}
    if reason:
        query["reason"] = reason
    return f"{reverse('sign-in')}?{urlencode(query)}"


class PortalErrorMiddleware:
    """Turn an ended sign-in into a trip to Sign in (keeping the form), and an outage into a 503 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, auth.SignInRequired):
            had_session = request.session.get(auth.ENDED_KEY, False) or bool(
                request.session.get(auth.SESSION_KEY)
            )
            if request.method == "POST":
                auth.keep_pending_form(request, path=request.path, data=dict(request.POST.lists()))
            return HttpResponseRedirect(
                sign_in_url(request.get_full_path(), reason="expired" if had_session else "")
            )
        if isinstance(exception, ServiceUnavailable):
            logger.warning("Service unavailable: %s", exception.detail)
            return service_unavailable(request)
        return None


def service_unavailable(request: HttpRequest, *, without_session: bool = False) -> HttpResponse:
    """The calm 503 page: no API calls, a reference to quote, and when to try again.

    ``without_session``: the page is drawn without the context processors, which
    read the session (the database is what failed), so it shows no one signed in.
    """
    context = {"reference": (get_request_id() or "")[:8]}
    if without_session:
        context |= {"request": request, "clinic_name": settings.CLINIC_NAME}
        context |= {"clinic_phone": settings.CLINIC_PHONE}
        body = render_to_string("portal/errors/503.html", context)
        response = HttpResponse(body, status=503)
    else:
        response = render(request, "portal/errors/503.html", context, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
