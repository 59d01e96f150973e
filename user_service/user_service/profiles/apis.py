"""Public endpoints under /api/v1/: specialties, the doctor directory and the caller's profile."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.pagination import (
    PageNumberPagination,
    WindowCountPagination,
    paginated_response,
    paginated_rows,
)
from common.permissions import IsStaff, IsUser
from common.schema import problem_for
from user_service.profiles import schema, selectors, services
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


def _profile_output(profile) -> dict:
    if isinstance(profile, Doctor):
        return DoctorProfileOutputSerializer(profile).data
    return PatientProfileOutputSerializer(profile).data


class SpecialtyListApi(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    pagination_class = PageNumberPagination

    @extend_schema(
        tags=schema.TAGS,
        summary="List medical specialties",
        description="Public: no token needed. The slugs are what doctors register with.",
        auth=[],
        responses={
            200: SpecialtyOutputSerializer(many=True),
            **problem_for(schema.NO_SUCH_PAGE),
        },
        examples=[schema.SPECIALTIES_EXAMPLE],
    )
    def get(self, request: Request) -> Response:
        return paginated_response(
            self, request, selectors.specialty_list(), SpecialtyOutputSerializer
        )


class DoctorListApi(APIView):
    permission_classes = [IsUser]
    pagination_class = WindowCountPagination

    @extend_schema(
        tags=schema.TAGS,
        summary="Search the doctor directory",
        description="Any signed-in user. `search` matches name, specialty and bio; an unknown "
        "`specialty` slug is a 400. Only approved doctors are listed; staff may ask for "
        "`status=pending` (doctors waiting for approval) or `status=all`.",
        parameters=[DoctorListFilterInputSerializer],
        responses={
            200: DoctorOutputSerializer(many=True),
            **problem_for(
                *schema.DOCTOR_FILTER_INVALID,
                *schema.AUTHENTICATED,
                schema.PENDING_DOCTORS_STAFF_ONLY,
                schema.NO_SUCH_PAGE,
            ),
        },
        examples=[schema.DOCTORS_EXAMPLE],
    )
    def get(self, request: Request) -> Response:
        filters = DoctorListFilterInputSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        doctors = selectors.doctor_rows(
            search=filters.validated_data.get("search", ""),
            specialty_slug=filters.validated_data.get("specialty") or None,
            ordering=filters.validated_data["ordering"],
            status=filters.validated_data["status"],
            viewer_role=request.user.role,
        )
        # Plain dicts, and the total read with the page (one query, not two).
        return paginated_rows(self, request, doctors, selectors.doctor_row_output)


class DoctorDetailApi(APIView):
    permission_classes = [IsUser]

    @extend_schema(
        tags=schema.TAGS,
        summary="Get one doctor",
        description="Any signed-in user. A doctor waiting for approval is a 404 for everyone "
        "but themself and staff.",
        parameters=[schema.DOCTOR_ID_PARAMETER],
        responses={
            200: DoctorOutputSerializer,
            **problem_for(*schema.AUTHENTICATED, schema.HIDDEN_DOCTOR_NOT_FOUND),
        },
        examples=[schema.DOCTOR_EXAMPLE],
    )
    def get(self, request: Request, id: str) -> Response:
        doctor = selectors.doctor_get_visible(
            user_id=id, viewer_id=request.user.id, viewer_role=request.user.role
        )
        return Response(DoctorOutputSerializer(doctor).data)


class DoctorApproveApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        tags=schema.TAGS,
        operation_id="doctor_approve",
        summary="Approve a doctor (staff)",
        description="Staff only. A self-registered doctor waits for approval: until then they "
        "can sign in, edit their profile and set up availability, but are not listed and "
        "cannot be booked. Idempotent: approving an approved doctor changes nothing (204). "
        "schedule_service notices within `DOCTOR_APPROVAL_RECHECK_SECONDS`.",
        parameters=[schema.DOCTOR_ID_PARAMETER],
        request=None,
        responses={
            204: None,
            **problem_for(*schema.STAFF, schema.DOCTOR_NOT_FOUND),
        },
    )
    def post(self, request: Request, id: str) -> Response:
        doctor = selectors.doctor_get(user_id=id)
        services.doctor_approve(doctor=doctor, by=str(request.user.id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProfileMeApi(APIView):
    permission_classes = [IsUser]

    @extend_schema(
        tags=schema.TAGS,
        summary="Get my profile",
        description="A patient gets patient fields, a doctor doctor fields; staff have no profile (404).",
        responses={
            200: schema.PROFILE_OUTPUT,
            **problem_for(*schema.AUTHENTICATED, schema.OWN_PROFILE_NOT_FOUND),
        },
        examples=schema.PROFILE_EXAMPLES,
    )
    def get(self, request: Request) -> Response:
        profile = selectors.profile_get_for_user(user_id=request.user.id, role=request.user.role)
        return Response(_profile_output(profile))

    @extend_schema(
        tags=schema.TAGS,
        summary="Change my profile",
        description="Send only the fields to change. Patients: `full_name`, `phone`, "
        "`date_of_birth`. Doctors: `full_name`, `bio`, `timezone`, `specialty` (slug). "
        "`id`, `role` and any other field are ignored. A refused request changes nothing.",
        request=schema.PROFILE_PATCH_INPUT,
        responses={
            200: schema.PROFILE_OUTPUT,
            **problem_for(
                *schema.PROFILE_INVALID, *schema.AUTHENTICATED, schema.OWN_PROFILE_NOT_FOUND
            ),
        },
        examples=schema.PROFILE_PATCH_EXAMPLES,
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
