"""Liveness (``/healthz``) and readiness (``/readyz``) views."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connections
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.cache import never_cache

from common.errors import PROBLEM_CONTENT_TYPE, problem_body

logger = logging.getLogger(__name__)


@never_cache
def healthz(request):
    """Answer while the process can serve requests."""
    return JsonResponse({"status": "ok", "service": getattr(settings, "SERVICE_NAME", "")})


@never_cache
def readyz(request):
    """Answer 200 when every configured database answers a query, 503 otherwise."""
    for alias in connections:
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except Exception:
            logger.exception("Readiness check failed for database %s", alias)
            return JsonResponse(
                problem_body(503, detail=f"Database '{alias}' does not answer."),
                status=503,
                content_type=PROBLEM_CONTENT_TYPE,
            )
    return JsonResponse({"status": "ready", "service": getattr(settings, "SERVICE_NAME", "")})


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
]
