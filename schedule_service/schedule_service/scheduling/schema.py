"""OpenAPI documentation of the scheduling endpoints: examples, parameters and problem answers.

The views in ``apis.py`` and ``internal_apis.py`` name these; the problem
answers are derived from the exceptions the views raise (``common.schema.problem_for``).
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter
from rest_framework.exceptions import NotAuthenticated, NotFound, PermissionDenied, ValidationError

from common.errors import ServiceUnavailable
from schedule_service.scheduling.exceptions import (
    DoctorNotBookable,
    DoctorNotFound,
    DoctorProfileMissing,
    HeldSlotsForbidden,
    RuleNotFound,
    RuleOverlap,
    SlotHeldByOther,
    SlotNotFound,
    SlotTaken,
    SlotUnavailable,
    TimeOffNotFound,
    TooManyRules,
    TooManyTimeOff,
)

RULE_TAGS = ["availability"]
TIME_OFF_TAGS = ["time off"]
POLICY_TAGS = ["booking policy"]
SLOT_TAGS = ["slots"]
INTERNAL_TAGS = ["internal"]

DOCTOR_ONLY = (
    "Doctors only, on their own schedule (made on first use, with the time zone of their "
    "profile in user_service)."
)

# Path parameters

RULE_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Rule id")
TIME_OFF_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Time off id"
)
DOCTOR_ID_PARAMETER = OpenApiParameter(
    "doctor_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Doctor id"
)
SLOT_ID_PARAMETER = OpenApiParameter(
    "slot_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Slot id"
)
LISTED_SLOT_ID_PARAMETER = OpenApiParameter(
    "slot_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Slot id from a listing"
)

# Problem answers, as sources for ``problem_for``

AUTHENTICATED = (NotAuthenticated, PermissionDenied)
DOCTOR = (
    NotAuthenticated,
    (PermissionDenied, "Not a doctor's token"),
    (DoctorProfileMissing, "user_service holds no doctor profile for the caller"),
    (ServiceUnavailable, "user_service is unavailable and the doctor has no schedule yet"),
)
NO_SUCH_PAGE = (NotFound, "No such page")
APPROVAL_UNKNOWN = (
    ServiceUnavailable,
    "user_service is unavailable while checking whether a pending doctor is approved now",
)
DATE_OUT_OF_RANGE = "a date outside 2000-01-01 to ten years after today (`date-out-of-range`)"
RULE_INVALID = (
    (
        ValidationError,
        f"Invalid field, {DATE_OUT_OF_RANGE}, end not after start or until before from",
    ),
    (RuleOverlap, "A rule overlapping another on the same weekday"),
    (TooManyRules, "As many rules as a schedule may hold"),
)
RULE_NOT_FOUND = (RuleNotFound, "You have no rule with this id")
TIME_OFF_INVALID = (
    (
        ValidationError,
        f"Invalid field, {DATE_OUT_OF_RANGE}, end not after start or end already past "
        "(`time-off-ended`)",
    ),
    (TooManyTimeOff, "As many coming entries as allowed"),
)
TIME_OFF_NOT_FOUND = (TimeOffNotFound, "You have no time off with this id")
POLICY_INVALID = (ValidationError, "A value out of range")
SLOT_RANGE_INVALID = (
    ValidationError,
    f"Malformed date, {DATE_OUT_OF_RANGE}, reversed range or more than 62 days",
)
NO_SUCH_PAGE_OR_DOCTOR_ID = (NotFound, "No such page or a malformed doctor id")
HELD_SLOTS_FORBIDDEN = (HeldSlotsForbidden, "`include_held` from anyone but the doctor themself")
DOCTOR_NOT_APPROVED = (DoctorNotFound, "A doctor not approved yet")
SLOT_NOT_FOUND = (SlotNotFound, "No such slot")
LISTED_SLOT_NOT_FOUND = (SlotNotFound, "Not a slot id, or a slot no rule makes and nothing holds")
APPOINTMENT_ID_INVALID = (ValidationError, "Missing or malformed appointment_id")
SLOT_NOT_RESERVABLE = (
    (SlotTaken, "Held by another appointment or too close to one"),
    (
        SlotUnavailable,
        "Past, inside the notice, beyond the horizon, in time off or made by no rule",
    ),
    (DoctorNotBookable, "A doctor waiting for the clinic's approval"),
)
FILTER_INVALID = (ValidationError, "Invalid filter")
APPOINTMENT_ID_INVALID = (ValidationError, "`appointment_id` is not a UUID")
SLOT_HELD_BY_OTHER = (SlotHeldByOther, "Another appointment holds the slot; nothing changed")

# Examples

DOCTOR_ID = "2b2d6c70-9d5d-5544-a0f3-a2a8aee6ac4f"
SLOT_ID = "00000001-01c3-8a40-a7d5-5e1f3a9b0c2d"
APPOINTMENT_ID = "5d0b7c4e-8a1f-4e2b-9c3d-6f7a8b9c0d1e"

RULE = {
    "id": 7,
    "weekday": 0,
    "start_time": "09:00",
    "end_time": "12:00",
    "slot_minutes": 30,
    "valid_from": None,
    "valid_until": None,
    "timezone": "Europe/Berlin",
}
RULE_EXAMPLE = OpenApiExample("rule", value=RULE, response_only=True)
RULE_CREATE_EXAMPLES = [
    OpenApiExample(
        "Monday mornings",
        value={k: RULE[k] for k in ("weekday", "start_time", "end_time")}
        | {"slot_minutes": 30, "valid_from": "2026-12-01", "valid_until": None},
        request_only=True,
    ),
    OpenApiExample("rule", value=RULE, response_only=True, status_codes=["201"]),
]
RULE_UPDATE_EXAMPLES = [
    OpenApiExample("longer slots", value={"slot_minutes": 45}, request_only=True),
    RULE_EXAMPLE,
]

TIME_OFF = {
    "id": 3,
    "start": "2026-12-24T00:00:00Z",
    "end": "2026-12-27T00:00:00Z",
    "reason": "Holidays",
    "created_at": "2026-11-20T10:00:00Z",
}
HELD_SLOT = {
    "id": SLOT_ID,
    "start": "2026-12-24T09:00:00Z",
    "end": "2026-12-24T09:30:00Z",
    "appointment_id": APPOINTMENT_ID,
}
TIME_OFF_EXAMPLE = OpenApiExample("time off", value=TIME_OFF, response_only=True)
TIME_OFF_CREATE_EXAMPLES = [
    OpenApiExample(
        "holidays",
        value={
            "start": "2026-12-24T00:00:00+01:00",
            "end": "2026-12-27T00:00:00+01:00",
            "reason": "Holidays",
        },
        request_only=True,
    ),
    OpenApiExample(
        "time off",
        value={**TIME_OFF, "overlapping_held_slots": [HELD_SLOT]},
        response_only=True,
        status_codes=["201"],
    ),
]

POLICY = {
    "doctor_id": DOCTOR_ID,
    "timezone": "Europe/Berlin",
    "min_notice_minutes": 60,
    "horizon_days": 90,
    "buffer_minutes": 10,
    "cancel_cutoff_hours": 24,
    "reschedule_cutoff_hours": 24,
    "updated_at": "2026-11-20T10:00:00Z",
}
POLICY_EXAMPLE = OpenApiExample("policy", value=POLICY, response_only=True)
POLICY_UPDATE_EXAMPLES = [
    OpenApiExample(
        "a buffer and a day's notice",
        value={"buffer_minutes": 10, "min_notice_minutes": 1440},
        request_only=True,
    ),
    POLICY_EXAMPLE,
]

SLOT = {
    "id": SLOT_ID,
    "doctor_id": DOCTOR_ID,
    "start": "2026-12-01T08:00:00Z",
    "end": "2026-12-01T08:30:00Z",
}
SLOT_EXAMPLE = OpenApiExample("slot", value=SLOT, response_only=True)
SLOT_DETAIL_EXAMPLE = OpenApiExample(
    "bookable slot", value={**SLOT, "bookable": True}, response_only=True
)

# Examples of the internal endpoints

RESERVATION = {
    **SLOT,
    "appointment_id": APPOINTMENT_ID,
    "cancel_cutoff_hours": 24,
    "reschedule_cutoff_hours": 24,
}
HELD_SLOT_DETAIL_EXAMPLE = OpenApiExample(
    "held",
    value={**RESERVATION, "held": True, "bookable": False, "refusal": "slot-taken"},
    response_only=True,
)
APPOINTMENT_EXAMPLE = OpenApiExample(
    "appointment", value={"appointment_id": APPOINTMENT_ID}, request_only=True
)
RESERVE_EXAMPLES = [
    APPOINTMENT_EXAMPLE,
    OpenApiExample("reservation", value=RESERVATION, response_only=True),
]
RELEASE_EXAMPLES = [
    APPOINTMENT_EXAMPLE,
    OpenApiExample("released", value={"id": SLOT_ID, "held": False}, response_only=True),
]
HOLD_EXAMPLE = OpenApiExample(
    "holds",
    value={
        "slot_id": SLOT_ID,
        "doctor_id": DOCTOR_ID,
        "start": SLOT["start"],
        "end": SLOT["end"],
        "appointment_id": APPOINTMENT_ID,
        "created_at": "2026-11-25T10:00:00Z",
    },
    response_only=True,
)
