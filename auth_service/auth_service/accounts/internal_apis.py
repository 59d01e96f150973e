"""Internal endpoints under /internal/v1/auth/: service tokens only."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from auth_service.accounts import services
from auth_service.accounts.apis import BAD_INPUT, NO_STORE, PAIR_EXAMPLE, THROTTLED
from auth_service.accounts.serializers import StaffTokenInputSerializer, TokenPairOutputSerializer
from common.permissions import HasServiceScope
from common.schema import FORBIDDEN, UNAVAILABLE, problem

SCOPE_STAFF_SIGN_IN = "staff:sign-in"


class StaffTokenInternalApi(APIView):
    """A staff member signs in to a service's admin: that service asks here for them."""

    permission_classes = [HasServiceScope]
    required_scopes = {SCOPE_STAFF_SIGN_IN}

    @extend_schema(
        tags=["internal"],
        summary="Admin sign-in: a token pair for a staff member with a staff group",
        description=f"Scope `{SCOPE_STAFF_SIGN_IN}` (a service token for `auth_service`). "
        "The calling service's admin passes on the email and password it was given and the "
        "browser's address, `client_address`: failures are throttled per account and per "
        "that address, as at `POST /api/v1/auth/token`. Only a staff account in at least one "
        "staff group (`clinic-admin`, `front-desk`, `read-only`) gets a pair; any other "
        "account gets the same 401 as a wrong password. The access token names the groups "
        "in its `groups` claim.",
        request=StaffTokenInputSerializer,
        responses={
            200: TokenPairOutputSerializer,
            400: BAD_INPUT,
            401: problem(
                "Wrong email or password, not staff with a group, or no valid service token",
                status=401,
                code="invalid-credentials",
            ),
            403: FORBIDDEN,
            429: THROTTLED,
            503: UNAVAILABLE,
        },
        examples=[
            OpenApiExample(
                "sign in",
                value={
                    "email": "desk@clinic.example",
                    "password": "correct-horse-battery",
                    "client_address": "203.0.113.7",
                },
                request_only=True,
            ),
            PAIR_EXAMPLE,
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = StaffTokenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        pair = services.staff_token_issue(
            email=data["email"], password=data["password"], address=data["client_address"]
        )
        return Response(TokenPairOutputSerializer(pair).data, headers=NO_STORE)
