"""Public endpoints of auth_service."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.serializer_helpers import ReturnDict
from rest_framework.views import APIView

from auth_service.accounts import selectors, throttling
from auth_service.accounts.exceptions import ProblemCode
from auth_service.accounts.models import User
from auth_service.accounts.serializers import (
    PROFILE_FIELDS,
    AccountOutputSerializer,
    PasswordChangeInputSerializer,
    PasswordRenewInputSerializer,
    RefreshInputSerializer,
    RegisterInputSerializer,
    TokenObtainInputSerializer,
    TokenPairOutputSerializer,
)
from auth_service.accounts.services import passwords, registration, sign_in
from common.schema import UNAUTHORIZED, UNAVAILABLE, problem

TAG = "auth"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
EXAMPLE_ID = "0b7c6a52-8f3e-4d55-9a57-3e2f0c1d9a11"
PAIR_EXAMPLE = OpenApiExample(
    "token pair",
    value={
        "access": "eyJhbGciOiJSUzI1NiIsImtpZCI6Ii4uLiJ9...",
        "refresh": "eyJhbGciOiJSUzI1NiJ9...",
    },
    response_only=True,
)
BAD_INPUT = problem("Invalid input")
THROTTLED = problem("Too many failed attempts", status=429, code=ProblemCode.THROTTLED)
RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    response=[429],
    description="Seconds to wait before trying again.",
)
RATE_LIMITED = problem(
    "Too many requests from this address", status=429, code=ProblemCode.THROTTLED
)
PASSWORD_CHANGE_REQUIRED = problem(
    "The password is temporary (reset by staff): choose a new one first",
    status=403,
    code=ProblemCode.PASSWORD_CHANGE_REQUIRED,
)


class PublicApi(APIView):
    """An endpoint anyone may call: no token is read (sign-in, registration, keys...)."""

    authentication_classes: list[type[BaseAuthentication]] = []
    permission_classes = [AllowAny]


def _account(user: User) -> ReturnDict:
    """The public view of an account: its id, email and role."""
    return AccountOutputSerializer({"id": user.id, "email": user.email, "role": user.role}).data


class RegisterApi(PublicApi):
    throttle_classes = [throttling.RegisterRateThrottle]

    @extend_schema(
        tags=[TAG],
        summary="Register a patient or a doctor",
        description="Creates the account and its profile in user_service, or neither. "
        "Doctors also send `specialty` and `timezone`; a new doctor is listed and bookable "
        "once clinic staff approve them. When user_service does not answer in time the "
        "registration cannot be confirmed: a 503, and the account waits (it cannot sign in) "
        "until reconciliation completes or undoes it within minutes; sending the same "
        "registration again (same email, password and role) completes it at once. Limited "
        "per client address (`THROTTLE_REGISTER`, 60 an hour by default): past it the answer "
        "is 429 with `Retry-After`.",
        request=RegisterInputSerializer,
        parameters=[RETRY_AFTER],
        responses={
            201: AccountOutputSerializer,
            400: BAD_INPUT,
            409: problem("Email already registered", status=409, code="email-taken"),
            429: RATE_LIMITED,
            503: problem(
                "user_service did not confirm the profile: the registration will be completed "
                "or undone shortly",
                status=503,
                code="dependency-unavailable",
            ),
        },
        examples=[
            OpenApiExample(
                "patient",
                value={
                    "email": "ana@example.com",
                    "password": "correct-horse-battery",
                    "role": "patient",
                    "full_name": "Ana Lima",
                },
                request_only=True,
            ),
            OpenApiExample(
                "doctor",
                value={
                    "email": "dr.weber@example.com",
                    "password": "correct-horse-battery",
                    "role": "doctor",
                    "full_name": "Dr. Lena Weber",
                    "specialty": "cardiology",
                    "timezone": "Europe/Berlin",
                    "bio": "Cardiologist with 12 years of practice.",
                },
                request_only=True,
            ),
            OpenApiExample(
                "created",
                value={"id": EXAMPLE_ID, "email": "ana@example.com", "role": "patient"},
                response_only=True,
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = RegisterInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        profile = {k: v for k, v in data.items() if k in PROFILE_FIELDS}
        if "date_of_birth" in profile:
            profile["date_of_birth"] = profile["date_of_birth"].isoformat()
        user = registration.user_register(
            email=data["email"], password=data["password"], role=data["role"], profile=profile
        )
        return Response(_account(user), status=status.HTTP_201_CREATED)


class TokenObtainApi(PublicApi):
    @extend_schema(
        tags=[TAG],
        summary="Sign in: get an access and a refresh token",
        description="Every attempt counts against the account and the client address "
        "before the password is checked; a successful one clears the account's count. "
        "Past the limit (`LOGIN_FAILURES_PER_ACCOUNT`, `LOGIN_FAILURES_PER_ADDRESS` within "
        "`LOGIN_FAILURE_WINDOW_SECONDS`) the answer is 429 with `Retry-After`, for known "
        "and unknown accounts alike. A deactivated account gets the same 401 as a wrong "
        "password. A temporary password that clinic staff set (a password reset) gets no "
        "tokens: a 403 `password-change-required`; choose a new password with "
        "`POST /api/v1/auth/password/renew`, then sign in.",
        request=TokenObtainInputSerializer,
        parameters=[RETRY_AFTER],
        responses={
            200: TokenPairOutputSerializer,
            400: BAD_INPUT,
            401: problem(
                "Wrong email or password, or a deactivated account",
                status=401,
                code="invalid-credentials",
            ),
            403: PASSWORD_CHANGE_REQUIRED,
            429: THROTTLED,
            503: UNAVAILABLE,
        },
        examples=[
            OpenApiExample(
                "sign in",
                value={"email": "ana@example.com", "password": "correct-horse-battery"},
                request_only=True,
            ),
            PAIR_EXAMPLE,
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenObtainInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pair = sign_in.user_login(
            **serializer.validated_data, address=throttling.client_address(request)
        )
        return Response(TokenPairOutputSerializer(pair).data, headers=NO_STORE)


class TokenRefreshApi(PublicApi):
    @extend_schema(
        tags=[TAG],
        summary="Rotate a refresh token",
        description="Returns a new pair. The refresh token sent is used up. Sent again within "
        "`REFRESH_REUSE_GRACE_SECONDS` (5 by default) of its rotation, while the token that "
        "replaced it is still unused, it returns that same new pair (two tabs refreshing at "
        "once); any other reuse revokes every token rotated from the same sign-in. However "
        "often it rotates, no refresh token outlives its sign-in by more than "
        "`REFRESH_TOKEN_ABSOLUTE_SECONDS` (30 days by default); then sign in again.",
        request=RefreshInputSerializer,
        responses={
            200: TokenPairOutputSerializer,
            400: BAD_INPUT,
            401: problem("Invalid refresh token", status=401, code="invalid-refresh-token"),
        },
        examples=[
            OpenApiExample(
                "rotate", value={"refresh": "eyJhbGciOiJSUzI1NiJ9..."}, request_only=True
            ),
            PAIR_EXAMPLE,
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = RefreshInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pair = sign_in.token_refresh(refresh=serializer.validated_data["refresh"])
        return Response(TokenPairOutputSerializer(pair).data, headers=NO_STORE)


class LogoutApi(PublicApi):
    @extend_schema(
        tags=[TAG],
        summary="Sign out: revoke the refresh token and its family",
        request=RefreshInputSerializer,
        examples=[
            OpenApiExample(
                "sign out", value={"refresh": "eyJhbGciOiJSUzI1NiJ9..."}, request_only=True
            )
        ],
        responses={
            204: OpenApiResponse(description="Signed out."),
            400: BAD_INPUT,
            401: problem("Invalid refresh token", status=401, code="invalid-refresh-token"),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = RefreshInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        sign_in.token_logout(refresh=serializer.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


def _current_account(request: Request) -> User:
    """The active account behind the request's token; a 404 once it is gone or deactivated."""
    user = selectors.user_get_active(user_id=request.user.id)
    if user is None:
        raise NotFound("This account no longer exists.")
    return user


class MeApi(APIView):
    @extend_schema(
        tags=[TAG],
        summary="The signed-in account",
        responses={200: AccountOutputSerializer, 401: UNAUTHORIZED},
        examples=[
            OpenApiExample(
                "me",
                value={"id": EXAMPLE_ID, "email": "ana@example.com", "role": "patient"},
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        return Response(_account(_current_account(request)))


class PasswordChangeApi(APIView):
    @extend_schema(
        tags=[TAG],
        summary="Change the password (signs out every other session)",
        description="The old password counts like a sign-in attempt, for the account and "
        "the client address (the same counters); past the limit the answer is 429 with "
        "`Retry-After` before the old password is checked.",
        request=PasswordChangeInputSerializer,
        parameters=[RETRY_AFTER],
        responses={
            204: OpenApiResponse(description="Changed."),
            400: BAD_INPUT,
            401: UNAUTHORIZED,
            429: THROTTLED,
            503: UNAVAILABLE,
        },
        examples=[
            OpenApiExample(
                "change",
                value={
                    "old_password": "correct-horse-battery",
                    "new_password": "a-much-longer-passphrase",
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = PasswordChangeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        passwords.user_password_change(
            user=_current_account(request),
            address=throttling.client_address(request),
            **serializer.validated_data,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordRenewApi(PublicApi):
    @extend_schema(
        tags=[TAG],
        summary="Replace a temporary password (set by clinic staff) with a new one",
        description="After a password reset, sign-in answers 403 `password-change-required`; "
        "send the temporary password and a new one here, then sign in with the new one. The "
        "temporary password counts like a sign-in attempt (the same counters and limits: 429 "
        "with `Retry-After`). A wrong email or temporary password, a deactivated account and "
        "an account with no password change due all get the same 401. The new password must "
        "pass the password rules and differ from the temporary one (400, field "
        "`new_password`).",
        request=PasswordRenewInputSerializer,
        parameters=[RETRY_AFTER],
        responses={
            204: OpenApiResponse(description="The new password is set: sign in with it."),
            400: BAD_INPUT,
            401: problem(
                "Wrong email or temporary password", status=401, code="invalid-credentials"
            ),
            429: THROTTLED,
            503: UNAVAILABLE,
        },
        examples=[
            OpenApiExample(
                "renew",
                value={
                    "email": "ana@example.com",
                    "temporary_password": "k7qm-x3fp-w9cz",
                    "new_password": "a-much-longer-passphrase",
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = PasswordRenewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        passwords.user_password_renew(
            **serializer.validated_data, address=throttling.client_address(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT, headers=NO_STORE)
