"""Internal endpoints under /internal/v1/: service tokens only (auth_service, other services)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.pagination import PageNumberPagination, paginated_response
from common.permissions import HasServiceScope
from common.schema import problem_for
from user_service.profiles import schema, selectors, services
from user_service.profiles.selectors import PROFILE_LIST_MAX_IDS
from user_service.profiles.serializers import (
    ProfileCreateInputSerializer,
    ProfileInternalOutputSerializer,
    ProfileListInternalFilterInputSerializer,
)

SCOPE_READ = "profiles:read"
SCOPE_WRITE = "profiles:write"


class ProfileBatchPagination(PageNumberPagination):
    """Every profile of one batch look-up in one page."""

    page_size = PROFILE_LIST_MAX_IDS


class ProfileListCreateInternalApi(APIView):
    """``GET``: many users' profiles at once (``profiles:read``); ``POST``: create one
    (``profiles:write``)."""

    permission_classes = [HasServiceScope]
    required_scopes = {"GET": {SCOPE_READ}, "POST": {SCOPE_WRITE}}
    pagination_class = ProfileBatchPagination

    @extend_schema(
        tags=schema.INTERNAL_TAGS,
        summary="Get the profiles of many users",
        description=f"Scope `{SCOPE_READ}`. The doctors' and patients' profiles of the user ids "
        f"in `ids` (comma-separated, at most {PROFILE_LIST_MAX_IDS}), in the order given, all in "
        "one page; ids without a profile are left out. `timezone`, `specialty` and `approved` "
        "are null for patients. Instead of `ids`, `created_before` (optionally with "
        "`created_after`) pages through every profile created in that time, oldest first: "
        "auth_service's reconciliation looks there for profiles whose account never became "
        "active. Or `search` (optionally with `role`) pages through the profiles whose name "
        "contains that text, by name: the admins look staff's search text up there. `phone` "
        "is the patient's (null for doctors).",
        parameters=[ProfileListInternalFilterInputSerializer],
        responses={
            200: ProfileInternalOutputSerializer(many=True),
            **problem_for(
                schema.PROFILE_FILTER_INVALID, *schema.AUTHENTICATED, schema.NO_SUCH_PAGE
            ),
        },
        examples=schema.INTERNAL_PROFILE_EXAMPLES,
    )
    def get(self, request: Request) -> Response:
        filters = ProfileListInternalFilterInputSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        if "ids" in data:
            profiles = selectors.profile_list_by_ids(user_ids=data["ids"])
        elif "search" in data:
            profiles = selectors.profile_search(text=data["search"], role=data.get("role"))
        else:
            profiles = selectors.profile_list_created(
                before=data["created_before"], after=data.get("created_after")
            )
        return paginated_response(self, request, profiles, ProfileInternalOutputSerializer)

    @extend_schema(
        tags=schema.INTERNAL_TAGS,
        summary="Create a profile for a newly registered user",
        description=f"Scope `{SCOPE_WRITE}`. Idempotent on `user_id`: when the profile exists "
        "it is returned unchanged with 200. Doctors must send `specialty` and `timezone`.",
        request=ProfileCreateInputSerializer,
        responses={
            201: ProfileInternalOutputSerializer,
            200: ProfileInternalOutputSerializer,
            **problem_for(
                *schema.PROFILE_CREATE_INVALID,
                *schema.AUTHENTICATED,
                schema.PROFILE_ROLE_CONFLICT,
            ),
        },
        examples=schema.INTERNAL_PROFILE_CREATE_EXAMPLES,
    )
    def post(self, request: Request) -> Response:
        serializer = ProfileCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        profile, created = services.profile_create(
            user_id=data["user_id"],
            role=data["role"],
            full_name=data["full_name"],
            specialty_slug=data.get("specialty"),
            timezone=data.get("timezone"),
            bio=data.get("bio", ""),
            phone=data.get("phone", ""),
            date_of_birth=data.get("date_of_birth"),
        )
        return Response(
            ProfileInternalOutputSerializer(profile).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ProfileDetailInternalApi(APIView):
    """``GET``: one user's profile (``profiles:read``); ``DELETE``: remove it (``profiles:write``)."""

    permission_classes = [HasServiceScope]
    required_scopes = {"GET": {SCOPE_READ}, "DELETE": {SCOPE_WRITE}}

    @extend_schema(
        tags=schema.INTERNAL_TAGS,
        summary="Get a user's profile",
        description=f"Scope `{SCOPE_READ}`. `timezone` and `specialty` are null for patients.",
        parameters=[schema.USER_ID_PARAMETER],
        responses={
            200: ProfileInternalOutputSerializer,
            **problem_for(*schema.AUTHENTICATED, schema.PROFILE_NOT_FOUND),
        },
        examples=schema.INTERNAL_PROFILE_EXAMPLES,
    )
    def get(self, request: Request, user_id: str) -> Response:
        profile = selectors.profile_get(user_id=user_id)
        return Response(ProfileInternalOutputSerializer(profile).data)

    @extend_schema(
        tags=schema.INTERNAL_TAGS,
        summary="Delete the profile of a registration that never completed",
        description=f"Scope `{SCOPE_WRITE}`. For auth_service's reconciliation: removes the "
        "doctor or patient profile of a user id that has no account (the registration was "
        "undone). The id may then hold a profile of either role. 404 when there is none "
        "(already deleted: a caller may count that as done).",
        parameters=[schema.USER_ID_PARAMETER],
        responses={204: None, **problem_for(*schema.AUTHENTICATED, schema.PROFILE_NOT_FOUND)},
    )
    def delete(self, request: Request, user_id: str) -> Response:
        profile = selectors.profile_get(user_id=user_id)
        services.profile_delete(user_id=profile.user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
