"""OpenAPI parts of the appointments endpoints: examples, parameters and problem answers.

``apis.py`` points its ``extend_schema`` decorators at these, so that it shows the views;
the problem answers are derived from the exceptions the views raise
(``common.schema.problem_for``).
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework.exceptions import (
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    Throttled,
    ValidationError,
)

from appointment_service.appointments.exceptions import (
    AppointmentCancelled,
    AppointmentChanged,
    AppointmentCompleted,
    AppointmentNotFound,
    AppointmentNotStarted,
    AppointmentNotUpcoming,
    DifferentDoctor,
    DoctorNotBookable,
    IdempotencyInProgress,
    IdempotencyKeyReused,
    OverlappingAppointment,
    RescheduleTooLate,
    SlotNotFound,
    SlotTaken,
    SlotUnavailable,
    TooManyAppointments,
    TooManyAppointmentsWithDoctor,
    TooManyReschedules,
)
from appointment_service.appointments.models import IDEMPOTENCY_KEY_MAX_LENGTH
from appointment_service.appointments.throttling import IDEMPOTENCY_HEADER
from common.errors import ServiceUnavailable

TAGS = ["appointments"]

APPOINTMENT_EXAMPLE = {
    "id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    "patient_id": "5e1c9d2a-7b3f-4c6d-8e9a-1b2c3d4e5f60",
    "doctor_id": "0b8f5a7e-3c1d-4a8e-9f6b-2d4c6e8a0b1c",
    "slot_id": "3b241101-e2bb-4255-8caf-4136c566a962",
    "start": "2026-12-01T09:00:00Z",
    "end": "2026-12-01T09:30:00Z",
    "status": "upcoming",
    "outcome": None,
    "reason": "Follow-up on blood pressure.",
    "cancel_reason": "",
    "late_cancellation": False,
    "reschedule_count": 0,
    "cancel_cutoff_hours": 24,
    "reschedule_cutoff_hours": 12,
    "created_at": "2026-11-20T18:04:11Z",
    "updated_at": "2026-11-20T18:04:12Z",
}
CANCELLED_EXAMPLE = {
    **APPOINTMENT_EXAMPLE,
    "status": "cancelled",
    "cancel_reason": "Feeling better.",
    "late_cancellation": True,
    "updated_at": "2026-11-30T20:15:00Z",
}
EVENT_EXAMPLE = {
    "at": "2026-11-25T10:00:00Z",
    "actor_id": "5e1c9d2a-7b3f-4c6d-8e9a-1b2c3d4e5f60",
    "actor_role": "patient",
    "action": "rescheduled",
    "data": {
        "from": {
            "slot_id": "1f0e6a52-4c2b-4b8e-9a41-7d1f3c5e2b90",
            "start": "2026-11-30T09:00:00+00:00",
            "end": "2026-11-30T09:30:00+00:00",
        },
        "to": {
            "slot_id": "3b241101-e2bb-4255-8caf-4136c566a962",
            "start": "2026-12-01T09:00:00+00:00",
            "end": "2026-12-01T09:30:00+00:00",
        },
        "count": 1,
    },
}
ICS_EXAMPLE = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Clinic booking//appointment_service//EN\r\n"
    "CALSCALE:GREGORIAN\r\nBEGIN:VEVENT\r\nSUMMARY:Clinic appointment\r\n"
    "DTSTART:20261201T090000Z\r\nDTEND:20261201T093000Z\r\nDTSTAMP:20261120T180412Z\r\n"
    "UID:7c9e6679-7425-40de-944b-e07fc1f90ae7@clinic\r\nSEQUENCE:0\r\nSTATUS:CONFIRMED\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)

ID_PARAMETER = OpenApiParameter(
    "id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Appointment id"
)
RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    response=[429],
    description="Seconds to wait before this request can succeed.",
)


def rate_limit(setting: str, default: str) -> str:
    """The sentence that documents an endpoint's throttle."""
    return (
        f" At most `{setting}` ({default} by default) such requests per user, counted whether "
        "they succeed or not; more are a 429 with `Retry-After`."
    )


# Problem answers, as sources for ``problem_for``

AUTHENTICATED = (NotAuthenticated, PermissionDenied)
NO_SUCH_PAGE = (NotFound, "No such page")
NOT_FOUND = (AppointmentNotFound, "No such appointment of yours (also someone else's)")
SLOT_NOT_FOUND = (SlotNotFound, "No slot has this id")
INVALID = (ValidationError, "Invalid field or malformed JSON")
THROTTLED = (
    Throttled,
    "Too many requests of this kind from you: try again after `Retry-After` seconds",
)
UNAVAILABLE = (
    ServiceUnavailable,
    "schedule_service cannot answer right now; the request may be sent again",
)
LIST_INVALID = (
    ValidationError,
    "Unknown status filter, a malformed or naive (no offset) date-time, one outside "
    "2000-01-01 to ten years after today (`date-out-of-range`), or `to` not after `from`",
)
BOOK_INVALID = (
    ValidationError,
    f"Invalid field, malformed JSON or an `{IDEMPOTENCY_HEADER}` longer than "
    f"{IDEMPOTENCY_KEY_MAX_LENGTH} characters",
)
CANCEL_INVALID = (
    ValidationError,
    "Invalid field (a doctor must give a reason) or malformed JSON",
)
SLOT_REFUSED = (SlotTaken, SlotUnavailable, DoctorNotBookable, OverlappingAppointment)
PATIENT_LIMITS = (TooManyAppointments, TooManyAppointmentsWithDoctor)
IDEMPOTENCY = (
    (
        IdempotencyInProgress,
        "The first request with this Idempotency-Key is still in progress: retry after "
        "`Retry-After` seconds",
    ),
    (IdempotencyKeyReused, "The Idempotency-Key was used with another body"),
)
RESCHEDULE_REFUSED = (
    DifferentDoctor,
    RescheduleTooLate,
    TooManyReschedules,
    AppointmentNotUpcoming,
    AppointmentChanged,
)
CANCEL_REFUSED = (AppointmentCompleted, AppointmentChanged)
COMPLETE_REFUSED = (AppointmentNotStarted, AppointmentCancelled)

# Per endpoint ------------------------------------------------------------------------------

LIST_EXAMPLES = [OpenApiExample("appointments", value=APPOINTMENT_EXAMPLE, response_only=True)]

BOOK_DESCRIPTION = (
    "Patients only. Doctor, start and end come from the slot. Send an "
    "`Idempotency-Key` header to retry safely: a retry with the same key and body gets "
    "the first answer (201 or the same problem); the same key with another body is a 422. "
    "While the first request with a key is still running, a retry is refused at once with a "
    "409 `idempotency-in-progress` and `Retry-After`: send it again after that many seconds. "
    "A failed booking leaves nothing behind; a 503 may be retried. A patient holds at most "
    "`MAX_UPCOMING_APPOINTMENTS` (10) upcoming appointments (`too-many-appointments`), "
    "`MAX_UPCOMING_APPOINTMENTS_PER_DOCTOR` (3) of them with one doctor "
    "(`too-many-appointments-with-doctor`)."
    + rate_limit("THROTTLE_BOOKING", "30/hour")
    + " A retry whose `Idempotency-Key` already has its answer is not counted."
)
BOOK_PARAMETERS = [
    OpenApiParameter(
        "Retry-After",
        OpenApiTypes.INT,
        OpenApiParameter.HEADER,
        response=[409, 429],
        description="Seconds to wait before this request can succeed (429), or before sending "
        "again a booking whose `Idempotency-Key` is still in progress (409 "
        "`idempotency-in-progress`).",
    ),
    OpenApiParameter(
        IDEMPOTENCY_HEADER,
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        required=False,
        description=f"A unique value per booking (at most {IDEMPOTENCY_KEY_MAX_LENGTH} "
        "characters), e.g. a UUID; kept for 24 hours.",
    ),
]
BOOK_EXAMPLES = [
    OpenApiExample(
        "book",
        value={"slot_id": APPOINTMENT_EXAMPLE["slot_id"], "reason": APPOINTMENT_EXAMPLE["reason"]},
        request_only=True,
    ),
    OpenApiExample("booked", value=APPOINTMENT_EXAMPLE, response_only=True, status_codes=["201"]),
]

DETAIL_EXAMPLES = [OpenApiExample("appointment", value=APPOINTMENT_EXAMPLE, response_only=True)]

UPDATE_EXAMPLES = [
    OpenApiExample("reason", value={"reason": "Also a rash."}, request_only=True),
    OpenApiExample("appointment", value=APPOINTMENT_EXAMPLE, response_only=True),
]

RESCHEDULE_EXAMPLES = [
    OpenApiExample(
        "reschedule",
        value={"slot_id": "9a1f3c5e-2b90-4c2b-8e9a-417d1f3c5e2b"},
        request_only=True,
    ),
    OpenApiExample(
        "moved",
        value={**APPOINTMENT_EXAMPLE, "reschedule_count": 1},
        response_only=True,
    ),
]

CANCEL_EXAMPLES = [
    OpenApiExample("cancel", value={"reason": "Feeling better."}, request_only=True),
    OpenApiExample("cancelled", value=CANCELLED_EXAMPLE, response_only=True),
]

COMPLETE_EXAMPLES = [
    OpenApiExample("no-show", value={"outcome": "no_show"}, request_only=True),
    OpenApiExample(
        "marked",
        value={**APPOINTMENT_EXAMPLE, "status": "completed", "outcome": "no_show"},
        response_only=True,
    ),
]

HISTORY_EXAMPLES = [OpenApiExample("history", value=EVENT_EXAMPLE, response_only=True)]

ICALENDAR = OpenApiResponse(
    response=OpenApiTypes.STR,
    description="The calendar file.",
    examples=[OpenApiExample("calendar", value=ICS_EXAMPLE)],
)
