"""Public endpoints under /api/v1/: specialties, the doctor directory and the caller's profile."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.pagination import PageNumberPagination, paginated_response
from common.permissions import IsStaff, IsUser
from common.schema import FORBIDDEN, UNAUTHORIZED, problem
from user_service.profiles import selectors, services
from user_service.profiles.models import Doctor
from user_service.profiles.serializers import (
    DoctorListFilterInputSerializer,
    DoctorOutputSerializer,
    DoctorProfileOutputSerializer,
    DoctorProfilePatchInputSerializer,
    PatientProfileOutputSerializer,
    PatientProfilePatchInputSerializer,
    SpecialtyOutputSerializer,
)

TAGS = ["profiles"]

SPECIALTY_EXAMPLE = {"slug": "cardiology", "name": "Cardiology"}
DOCTOR_EXAMPLE = {
    "id": "0b8f5a7e-3c1d-4a8e-9f6b-2d4c6e8a0b1c",
    "full_name": "Dr. Anna Weber",
    "specialty": SPECIALTY_EXAMPLE,
    "bio": "Interventional cardiologist, 15 years of practice.",
    "timezone": "Europe/Berlin",
    "approved": True,
}
DOCTOR_PROFILE_EXAMPLE = {
    **{k: v for k, v in DOCTOR_EXAMPLE.items() if k != "approved"},
    "role": "doctor",
    "approved_at": "2026-01-06T08:00:00Z",
    "created_at": "2026-01-05T09:30:00Z",
    "updated_at": "2026-02-10T14:00:00Z",
}
PATIENT_PROFILE_EXAMPLE = {
    "id": "5e1c9d2a-7b3f-4c6d-8e9a-1b2c3d4e5f60",
    "role": "patient",
    "full_name": "Jonas Keller",
    "phone": "+49 30 1234567",
    "date_of_birth": "1988-04-17",
    "created_at": "2026-01-07T18:12:00Z",
    "updated_at": "2026-01-07T18:12:00Z",
}


def _profile_output(profile) -> dict:
    if isinstance(profile, Doctor):
        return DoctorProfileOutputSerializer(profile).data
    return PatientProfileOutputSerializer(profile).data


class SpecialtyListApi(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    pagination_class = PageNumberPagination

    @extend_schema(
        tags=TAGS,
        summary="List medical specialties",
        description="Public: no token needed. The slugs are what doctors register with.",
        auth=[],
        responses={200: SpecialtyOutputSerializer(many=True)},
        examples=[
            OpenApiExample(
                "specialties",
                # drf-spectacular wraps a list view's example in the paginated envelope.
                value=SPECIALTY_EXAMPLE,
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        return paginated_response(
            self, request, selectors.specialty_list(), SpecialtyOutputSerializer
        )


class DoctorListApi(APIView):
    permission_classes = [IsUser]
    pagination_class = PageNumberPagination

    @extend_schema(
        tags=TAGS,
        summary="Search the doctor directory",
        description="Any signed-in user. `search` matches name, specialty and bio; an unknown "
        "`specialty` slug is a 400. Only approved doctors are listed; staff may ask for "
        "`status=pending` (doctors waiting for approval) or `status=all`.",
        parameters=[DoctorListFilterInputSerializer],
        responses={
            200: DoctorOutputSerializer(many=True),
            400: problem("Invalid filter, ordering or unknown specialty"),
            401: UNAUTHORIZED,
            403: problem(
                "Not allowed for this token, or `status` other than `approved` without staff",
                status=403,
                code="pending-doctors-staff-only",
            ),
            404: problem("No such page", status=404, code="not-found"),
        },
        examples=[OpenApiExample("doctors", value=DOCTOR_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request) -> Response:
        filters = DoctorListFilterInputSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        doctors = selectors.doctor_list(
            search=filters.validated_data.get("search", ""),
            specialty_slug=filters.validated_data.get("specialty") or None,
            ordering=filters.validated_data["ordering"],
            status=filters.validated_data["status"],
            viewer_role=request.user.role,
        )
        return paginated_response(self, request, doctors, DoctorOutputSerializer)


class DoctorDetailApi(APIView):
    permission_classes = [IsUser]

    @extend_schema(
        tags=TAGS,
        summary="Get one doctor",
        description="Any signed-in user. A doctor waiting for approval is a 404 for everyone "
        "but themself and staff.",
        parameters=[
            OpenApiParameter(
                "id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Doctor id"
            )
        ],
        responses={
            200: DoctorOutputSerializer,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: problem(
                "No doctor has this id (or one you may not see yet)",
                status=404,
                code="doctor-not-found",
            ),
        },
        examples=[OpenApiExample("doctor", value=DOCTOR_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, id: str) -> Response:
        doctor = selectors.doctor_get_visible(
            user_id=id, viewer_id=request.user.id, viewer_role=request.user.role
        )
        return Response(DoctorOutputSerializer(doctor).data)


class DoctorApproveApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        tags=TAGS,
        operation_id="doctor_approve",
        summary="Approve a doctor (staff)",
        description="Staff only. A self-registered doctor waits for approval: until then they "
        "can sign in, edit their profile and set up availability, but are not listed and "
        "cannot be booked. Idempotent: approving an approved doctor changes nothing (204). "
        "schedule_service notices within `DOCTOR_APPROVAL_RECHECK_SECONDS`.",
        parameters=[
            OpenApiParameter(
                "id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Doctor id"
            )
        ],
        request=None,
        responses={
            204: None,
            401: UNAUTHORIZED,
            403: problem("Not a staff token", status=403, code="permission-denied"),
            404: problem("No doctor has this id", status=404, code="doctor-not-found"),
        },
    )
    def post(self, request: Request, id: str) -> Response:
        doctor = selectors.doctor_get(user_id=id)
        services.doctor_approve(doctor=doctor, by=str(request.user.id))
        return Response(status=status.HTTP_204_NO_CONTENT)


PROFILE_OUTPUT = PolymorphicProxySerializer(
    component_name="Profile",
    serializers={
        "patient": PatientProfileOutputSerializer,
        "doctor": DoctorProfileOutputSerializer,
    },
    resource_type_field_name="role",
)
PROFILE_NOT_FOUND = problem(
    "No profile (staff accounts have none)", status=404, code="profile-not-found"
)


class ProfileMeApi(APIView):
    permission_classes = [IsUser]

    @extend_schema(
        tags=TAGS,
        summary="Get my profile",
        description="A patient gets patient fields, a doctor doctor fields; staff have no profile (404).",
        responses={200: PROFILE_OUTPUT, 401: UNAUTHORIZED, 403: FORBIDDEN, 404: PROFILE_NOT_FOUND},
        examples=[
            OpenApiExample("patient", value=PATIENT_PROFILE_EXAMPLE, response_only=True),
            OpenApiExample("doctor", value=DOCTOR_PROFILE_EXAMPLE, response_only=True),
        ],
    )
    def get(self, request: Request) -> Response:
        profile = selectors.profile_get_for_user(user_id=request.user.id, role=request.user.role)
        return Response(_profile_output(profile))

    @extend_schema(
        tags=TAGS,
        summary="Change my profile",
        description="Send only the fields to change. Patients: `full_name`, `phone`, "
        "`date_of_birth`. Doctors: `full_name`, `bio`, `timezone`, `specialty` (slug). "
        "`id`, `role` and any other field are ignored. A refused request changes nothing.",
        request=PolymorphicProxySerializer(
            component_name="ProfilePatchInput",
            serializers=[PatientProfilePatchInputSerializer, DoctorProfilePatchInputSerializer],
            resource_type_field_name=None,
        ),
        responses={
            200: PROFILE_OUTPUT,
            400: problem("Invalid field, unknown specialty or malformed JSON"),
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: PROFILE_NOT_FOUND,
        },
        examples=[
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
            OpenApiExample("doctor", value=DOCTOR_PROFILE_EXAMPLE, response_only=True),
        ],
    )
    def patch(self, request: Request) -> Response:
        profile = selectors.profile_get_for_user(user_id=request.user.id, role=request.user.role)
        input_class = (
            DoctorProfilePatchInputSerializer
            if isinstance(profile, Doctor)
            else PatientProfilePatchInputSerializer
        )
        serializer = input_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        profile = services.profile_update(profile=profile, data=serializer.validated_data)
        return Response(_profile_output(profile))
