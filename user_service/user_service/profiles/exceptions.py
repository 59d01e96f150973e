"""Domain errors of the profiles app, rendered as problem details by common's handler."""

from __future__ import annotations

from enum import StrEnum

from rest_framework import status

from common.errors import Problem


class ProblemCode(StrEnum):
    UNKNOWN_SPECIALTY = "unknown-specialty"
    DOCTOR_NOT_FOUND = "doctor-not-found"
    PROFILE_NOT_FOUND = "profile-not-found"
    PROFILE_ROLE_CONFLICT = "profile-role-conflict"
    PENDING_DOCTORS_STAFF_ONLY = "pending-doctors-staff-only"


class UnknownSpecialty(Problem):
    """A specialty slug that no specialty has: a 400 that names the offending field."""

    status_code = status.HTTP_400_BAD_REQUEST
    code = ProblemCode.UNKNOWN_SPECIALTY.value
    title = "Unknown specialty"

    def __init__(self, slug: str, *, field: str = "specialty"):
        detail = f"No specialty has the slug '{slug}'; see GET /api/v1/specialties/."
        super().__init__(
            detail,
            extra={"errors": [{"field": field, "code": self.code, "detail": detail}]},
        )


class DoctorNotFound(Problem):
    status_code = status.HTTP_404_NOT_FOUND
    code = ProblemCode.DOCTOR_NOT_FOUND.value
    title = "Doctor not found"
    default_detail = "No doctor has this id."


class ProfileNotFound(Problem):
    status_code = status.HTTP_404_NOT_FOUND
    code = ProblemCode.PROFILE_NOT_FOUND.value
    title = "Profile not found"
    default_detail = "No profile exists for this user."


class ProfileRoleConflict(Problem):
    status_code = status.HTTP_409_CONFLICT
    code = ProblemCode.PROFILE_ROLE_CONFLICT.value
    title = "Profile exists with another role"
    default_detail = "This user already has a profile with another role."


class PendingDoctorsStaffOnly(Problem):
    status_code = status.HTTP_403_FORBIDDEN
    code = ProblemCode.PENDING_DOCTORS_STAFF_ONLY.value
    title = "Pending doctors are for staff"
    default_detail = "Only staff may list doctors waiting for approval; leave out `status`."
