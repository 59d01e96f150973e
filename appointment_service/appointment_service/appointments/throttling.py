"""Rate limits on booking, rescheduling and cancelling: requests per user, in the shared cache."""

from __future__ import annotations

import logging

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from appointment_service.appointments import selectors

logger = logging.getLogger(__name__)

IDEMPOTENCY_HEADER = "Idempotency-Key"


class UserActionThrottle(SimpleRateThrottle):
    """At most ``THROTTLE_<SCOPE>`` requests per signed-in user (a 429 with ``Retry-After``).

    The rate is read from settings at each request (tests and operators change
    it without a restart of the class). Every request counts, refused ones too:
    each may call schedule_service. If the cache cannot be reached the request
    is let through and the failure logged: a clinic keeps booking without
    limits rather than not at all.
    """

    scope = ""

    def get_rate(self) -> str:
        return getattr(settings, f"THROTTLE_{self.scope.upper()}")

    def get_cache_key(self, request, view) -> str | None:
        user = request.user
        if not getattr(user, "is_authenticated", False) or getattr(user, "is_service", False):
            return None  # only people are counted; permissions have refused the others
        return self.cache_format % {"scope": self.scope, "ident": user.pk}

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception:  # the cache is down or misconfigured: never a 500 for it
            logger.warning(
                "The %s rate limit is not enforced: the cache failed", self.scope, exc_info=True
            )
            return True


class BookingThrottle(UserActionThrottle):
    """Bookings per patient; a retry whose ``Idempotency-Key`` already has its answer is free.

    Such a retry books nothing (it gets the stored answer back), so a client
    that lost the first answer can always fetch it, however busy it was.
    """

    scope = "booking"

    def allow_request(self, request, view) -> bool:
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if key and selectors.idempotency_key_answered(patient_id=request.user.pk, key=key):
            return True
        return super().allow_request(request, view)


class RescheduleThrottle(UserActionThrottle):
    scope = "reschedule"


class CancelThrottle(UserActionThrottle):
    scope = "cancel"
