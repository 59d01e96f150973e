"""Domain errors of the scheduling app, rendered as problem details by common's handler."""

from __future__ import annotations

from enum import StrEnum

from rest_framework import status

from common.errors import Problem


class ProblemCode(StrEnum):
    SLOT_NOT_FOUND = "slot-not-found"
    SLOT_TAKEN = "slot-taken"
    SLOT_UNAVAILABLE = "slot-unavailable"
    SLOT_HELD_BY_OTHER = "slot-held-by-other"
    RULE_NOT_FOUND = "rule-not-found"
    RULE_OVERLAP = "rule-overlap"
    TOO_MANY_RULES = "too-many-rules"
    TIME_OFF_NOT_FOUND = "time-off-not-found"
    TOO_MANY_TIME_OFF = "too-many-time-off"
    DOCTOR_NOT_FOUND = "doctor-not-found"
    DOCTOR_PROFILE_MISSING = "doctor-profile-missing"
    HELD_SLOTS_FORBIDDEN = "held-slots-forbidden"
    DOCTOR_NOT_BOOKABLE = "doctor-not-bookable"


class _FieldProblem(Problem):
    """A 400 that also names the offending field in ``errors``."""

    def __init__(self, detail: str | None = None, *, field: str = "non_field_errors"):
        detail = detail or str(self.default_detail)
        super().__init__(
            detail, extra={"errors": [{"field": field, "code": self.code, "detail": detail}]}
        )


class SlotNotFound(Problem):
    status_code = status.HTTP_404_NOT_FOUND
    code = ProblemCode.SLOT_NOT_FOUND.value
    title = "Slot not found"
    default_detail = "No slot has this id."


class SlotTaken(Problem):
    status_code = status.HTTP_409_CONFLICT
    code = ProblemCode.SLOT_TAKEN.value
    title = "Slot taken"
    default_detail = "Another appointment holds this slot or one too close to it."


class SlotUnavailable(Problem):
    status_code = status.HTTP_409_CONFLICT
    code = ProblemCode.SLOT_UNAVAILABLE.value
    title = "Slot unavailable"
    default_detail = "This slot cannot be booked."


class SlotHeldByOther(Problem):
    status_code = status.HTTP_409_CONFLICT
    code = ProblemCode.SLOT_HELD_BY_OTHER.value
    title = "Slot held by another appointment"
    default_detail = "Another appointment holds this slot; nothing was released."


class RuleNotFound(Problem):
    status_code = status.HTTP_404_NOT_FOUND
    code = ProblemCode.RULE_NOT_FOUND.value
    title = "Availability rule not found"
    default_detail = "You have no availability rule with this id."


class RuleOverlap(_FieldProblem):
    status_code = status.HTTP_400_BAD_REQUEST
    code = ProblemCode.RULE_OVERLAP.value
    title = "Overlapping availability rule"
    default_detail = "The rule overlaps another of your rules on the same weekday."


class TooManyRules(_FieldProblem):
    status_code = status.HTTP_400_BAD_REQUEST
    code = ProblemCode.TOO_MANY_RULES.value
    title = "Too many availability rules"
    default_detail = "You have as many availability rules as a schedule may hold."


class TimeOffNotFound(Problem):
    status_code = status.HTTP_404_NOT_FOUND
    code = ProblemCode.TIME_OFF_NOT_FOUND.value
    title = "Time off not found"
    default_detail = "You have no time off with this id."


class TooManyTimeOff(_FieldProblem):
    status_code = status.HTTP_400_BAD_REQUEST
    code = ProblemCode.TOO_MANY_TIME_OFF.value
    title = "Too much time off"
    default_detail = "You have as much coming time off as a schedule may hold."


class DoctorNotFound(Problem):
    status_code = status.HTTP_404_NOT_FOUND
    code = ProblemCode.DOCTOR_NOT_FOUND.value
    title = "Doctor not found"
    default_detail = "No doctor has this id."


class DoctorProfileMissing(Problem):
    status_code = status.HTTP_409_CONFLICT
    code = ProblemCode.DOCTOR_PROFILE_MISSING.value
    title = "No doctor profile"
    default_detail = "user_service holds no doctor profile for you; a schedule needs one."


class HeldSlotsForbidden(Problem):
    status_code = status.HTTP_403_FORBIDDEN
    code = ProblemCode.HELD_SLOTS_FORBIDDEN.value
    title = "Held slots are the doctor's own business"
    default_detail = "Only the doctor may list their slots with the held ones."


class DoctorNotBookable(Problem):
    status_code = status.HTTP_409_CONFLICT
    code = ProblemCode.DOCTOR_NOT_BOOKABLE.value
    title = "Doctor not bookable yet"
    default_detail = "The doctor is waiting for the clinic's approval and cannot be booked yet."
