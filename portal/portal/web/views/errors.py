"""Django's error handlers: the portal's own 404, 500 (or 503) and CSRF failure pages."""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from common.db import is_database_fault, mark_retryable
from portal.web.middleware import service_unavailable


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's ``handler404``: the page that says nothing is here."""
    return render(request, "portal/errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's ``handler500``; a database fault (the sessions live there) is the 503 page."""
    if is_database_fault(sys.exc_info()[1]):
        return mark_retryable(service_unavailable(request, without_session=True))
    return render(request, "portal/errors/500.html", status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: the form has expired (nothing was sent); open the page again."""
    return render(request, "portal/errors/403_csrf.html", status=403)
