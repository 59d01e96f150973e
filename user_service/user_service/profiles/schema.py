"""OpenAPI documentation of the profile endpoints: examples, parameters and problem answers.

The views in ``apis.py`` and ``internal_apis.py`` name these; the problem
answers are derived from the exceptions the views raise (``common.schema.problem_for``).
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, PolymorphicProxySerializer
from rest_framework.exceptions import NotAuthenticated, NotFound, PermissionDenied, ValidationError

from user_service.profiles.exceptions import (
    DoctorNotFound,
    PendingDoctorsStaffOnly,
    ProfileNotFound,
    ProfileRoleConflict,
    UnknownSpecialty,
)
from user_service.profiles.selectors import PROFILE_LIST_MAX_IDS
from user_service.profiles.serializers import (
    DoctorProfileOutputSerializer,
    DoctorProfilePatchInputSerializer,
    PatientProfileOutputSerializer,
    PatientProfilePatchInputSerializer,
)

TAGS = ["profiles"]
INTERNAL_TAGS = ["internal"]

# A caller's own profile: the patient's or the doctor's fields, told apart by ``role``.
PROFILE_OUTPUT = PolymorphicProxySerializer(
    component_name="Profile",
    serializers={
        "patient": PatientProfileOutputSerializer,
        "doctor": DoctorProfileOutputSerializer,
    },
    resource_type_field_name="role",
)
PROFILE_PATCH_INPUT = PolymorphicProxySerializer(
    component_name="ProfilePatchInput",
    serializers=[PatientProfilePatchInputSerializer, DoctorProfilePatchInputSerializer],
    resource_type_field_name=None,
)

# Path parameters

DOCTOR_ID_PARAMETER = OpenApiParameter(
    "id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Doctor id"
)
USER_ID_PARAMETER = OpenApiParameter(
    "user_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="User id"
)

# Problem answers, as sources for ``problem_for``

AUTHENTICATED = (NotAuthenticated, PermissionDenied)
STAFF = (NotAuthenticated, (PermissionDenied, "Not a staff token"))
NO_SUCH_PAGE = (NotFound, "No such page")
UNKNOWN_SPECIALTY = (UnknownSpecialty, "No specialty has the slug given")
DOCTOR_FILTER_INVALID = (
    (ValidationError, "Invalid filter or ordering"),
    UNKNOWN_SPECIALTY,
)
PENDING_DOCTORS_STAFF_ONLY = (
    PendingDoctorsStaffOnly,
    "`status` other than `approved` without staff",
)
DOCTOR_NOT_FOUND = (DoctorNotFound, "No doctor has this id")
HIDDEN_DOCTOR_NOT_FOUND = (DoctorNotFound, "No doctor has this id (or one you may not see yet)")
OWN_PROFILE_NOT_FOUND = (ProfileNotFound, "No profile (staff accounts have none)")
PROFILE_INVALID = (
    (ValidationError, "Invalid field or malformed JSON"),
    UNKNOWN_SPECIALTY,
)
PROFILE_FILTER_INVALID = (
    ValidationError,
    "None or more than one of `ids`, `created_before` and `search`, a malformed UUID or time, "
    f"more than {PROFILE_LIST_MAX_IDS} ids, an empty or too long search or an unknown role",
)
PROFILE_CREATE_INVALID = (
    (ValidationError, "Invalid field or bad time zone"),
    UNKNOWN_SPECIALTY,
)
PROFILE_ROLE_CONFLICT = (ProfileRoleConflict, "The user has a profile with the other role")
PROFILE_NOT_FOUND = (ProfileNotFound, "No profile for this user id")

# Examples

SPECIALTY = {"slug": "cardiology", "name": "Cardiology"}
DOCTOR = {
    "id": "0b8f5a7e-3c1d-4a8e-9f6b-2d4c6e8a0b1c",
    "full_name": "Dr. Anna Weber",
    "specialty": SPECIALTY,
    "bio": "Interventional cardiologist, 15 years of practice.",
    "timezone": "Europe/Berlin",
    "approved": True,
}
DOCTOR_PROFILE = {
    **{k: v for k, v in DOCTOR.items() if k != "approved"},
    "role": "doctor",
    "approved_at": "2026-01-06T08:00:00Z",
    "created_at": "2026-01-05T09:30:00Z",
    "updated_at": "2026-02-10T14:00:00Z",
}
PATIENT_PROFILE = {
    "id": "5e1c9d2a-7b3f-4c6d-8e9a-1b2c3d4e5f60",
    "role": "patient",
    "full_name": "Jonas Keller",
    "phone": "+49 30 1234567",
    "date_of_birth": "1988-04-17",
    "created_at": "2026-01-07T18:12:00Z",
    "updated_at": "2026-01-07T18:12:00Z",
}

# drf-spectacular wraps a list view's example in the paginated envelope.
SPECIALTIES_EXAMPLE = OpenApiExample("specialties", value=SPECIALTY, response_only=True)
DOCTORS_EXAMPLE = OpenApiExample("doctors", value=DOCTOR, response_only=True)
DOCTOR_EXAMPLE = OpenApiExample("doctor", value=DOCTOR, response_only=True)
PROFILE_EXAMPLES = [
    OpenApiExample("patient", value=PATIENT_PROFILE, response_only=True),
    OpenApiExample("doctor", value=DOCTOR_PROFILE, response_only=True),
]
PROFILE_PATCH_EXAMPLES = [
    OpenApiExample(
        "patient",
        value={"phone": "+49 30 7654321", "date_of_birth": "1988-04-17"},
        request_only=True,
    ),
    OpenApiExample(
        "doctor",
        value={"timezone": "Europe/Vienna", "specialty": "cardiology", "bio": "New bio."},
        request_only=True,
    ),
    OpenApiExample("doctor", value=DOCTOR_PROFILE, response_only=True),
]

# Examples of the internal endpoints

INTERNAL_DOCTOR = {
    "user_id": "0b8f5a7e-3c1d-4a8e-9f6b-2d4c6e8a0b1c",
    "role": "doctor",
    "full_name": "Dr. Anna Weber",
    "timezone": "Europe/Berlin",
    "specialty": SPECIALTY,
    "approved": True,
    "phone": None,
    "created_at": "2026-01-05T09:30:00Z",
}
INTERNAL_PATIENT = {
    "user_id": "5e1c9d2a-7b3f-4c6d-8e9a-1b2c3d4e5f60",
    "role": "patient",
    "full_name": "Jonas Keller",
    "timezone": None,
    "specialty": None,
    "approved": None,
    "phone": "+49 30 1234567",
    "created_at": "2026-01-07T18:12:00Z",
}
INTERNAL_PROFILE_EXAMPLES = [
    OpenApiExample("doctor", value=INTERNAL_DOCTOR, response_only=True),
    OpenApiExample("patient", value=INTERNAL_PATIENT, response_only=True),
]
INTERNAL_PROFILE_CREATE_EXAMPLES = [
    OpenApiExample(
        "doctor",
        value={
            "user_id": INTERNAL_DOCTOR["user_id"],
            "role": "doctor",
            "full_name": "Dr. Anna Weber",
            "specialty": "cardiology",
            "timezone": "Europe/Berlin",
            "bio": "Interventional cardiologist.",
        },
        request_only=True,
    ),
    OpenApiExample(
        "patient",
        value={
            "user_id": INTERNAL_PATIENT["user_id"],
            "role": "patient",
            "full_name": "Jonas Keller",
            "phone": "+49 30 1234567",
        },
        request_only=True,
    ),
    OpenApiExample(
        "doctor", value=INTERNAL_DOCTOR, response_only=True, status_codes=["201", "200"]
    ),
]
