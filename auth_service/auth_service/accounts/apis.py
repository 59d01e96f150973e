"""Public endpoints of auth_service."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import NotAuthenticated, NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from auth_service.accounts import schema, selectors, throttling
from auth_service.accounts.authentication import AccountJWTAuthentication
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
from common.errors import ServiceUnavailable
from common.schema import problem_for

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class PublicApi(APIView):
    """An endpoint anyone may call: no token is read (sign-in, registration, keys...)."""

    authentication_classes: list[type[BaseAuthentication]] = []
    permission_classes = [AllowAny]


def _account(user: User) -> dict[str, str]:
    """The public view of an account: its id, email and role (``AccountOutputSerializer``)."""
    return {"id": str(user.id), "email": user.email, "role": user.role}


class RegisterApi(PublicApi):
    throttle_classes = [throttling.RegisterRateThrottle]

    @extend_schema(
        tags=schema.TAGS,
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
        parameters=[schema.RETRY_AFTER],
        responses={
            201: AccountOutputSerializer,
            **problem_for(
                ValidationError,
                schema.EMAIL_TAKEN,
                schema.RATE_LIMITED,
                schema.REGISTRATION_UNCONFIRMED,
            ),
        },
        examples=schema.REGISTER_EXAMPLES,
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
        tags=schema.TAGS,
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
        parameters=[schema.RETRY_AFTER],
        responses={
            200: TokenPairOutputSerializer,
            **problem_for(
                ValidationError,
                schema.WRONG_PASSWORD,
                schema.PASSWORD_CHANGE_REQUIRED,
                schema.THROTTLED,
                ServiceUnavailable,
            ),
        },
        examples=schema.SIGN_IN_EXAMPLES,
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
        tags=schema.TAGS,
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
            **problem_for(ValidationError, schema.INVALID_REFRESH_TOKEN),
        },
        examples=schema.REFRESH_EXAMPLES,
    )
    def post(self, request: Request) -> Response:
        serializer = RefreshInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pair = sign_in.token_refresh(refresh=serializer.validated_data["refresh"])
        return Response(TokenPairOutputSerializer(pair).data, headers=NO_STORE)


class LogoutApi(PublicApi):
    @extend_schema(
        tags=schema.TAGS,
        summary="Sign out: revoke the refresh token and its family",
        request=RefreshInputSerializer,
        examples=[schema.LOGOUT_EXAMPLE],
        responses={
            204: OpenApiResponse(description="Signed out."),
            **problem_for(ValidationError, schema.INVALID_REFRESH_TOKEN),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = RefreshInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        sign_in.token_logout(refresh=serializer.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


def _current_account(request: Request) -> User:
    """The active account behind the request's token; a 404 once it is gone or deactivated.

    ``AccountJWTAuthentication`` has read it already, for the revocation check.
    """
    authenticator = request.successful_authenticator
    if isinstance(authenticator, AccountJWTAuthentication):
        user = authenticator.account
    else:
        user = selectors.user_get_active(user_id=request.user.id)
    if user is None or not user.is_active:
        raise NotFound("This account no longer exists.")
    return user


class MeApi(APIView):
    @extend_schema(
        tags=schema.TAGS,
        summary="The signed-in account",
        responses={200: AccountOutputSerializer, **problem_for(NotAuthenticated)},
        examples=[schema.ME_EXAMPLE],
    )
    def get(self, request: Request) -> Response:
        return Response(_account(_current_account(request)))


class PasswordChangeApi(APIView):
    @extend_schema(
        tags=schema.TAGS,
        summary="Change the password (signs out every other session)",
        description="The old password counts like a sign-in attempt, for the account and "
        "the client address (the same counters); past the limit the answer is 429 with "
        "`Retry-After` before the old password is checked.",
        request=PasswordChangeInputSerializer,
        parameters=[schema.RETRY_AFTER],
        responses={
            204: OpenApiResponse(description="Changed."),
            **problem_for(ValidationError, NotAuthenticated, schema.THROTTLED, ServiceUnavailable),
        },
        examples=[schema.PASSWORD_CHANGE_EXAMPLE],
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
        tags=schema.TAGS,
        summary="Replace a temporary password (set by clinic staff) with a new one",
        description="After a password reset, sign-in answers 403 `password-change-required`; "
        "send the temporary password and a new one here, then sign in with the new one. The "
        "temporary password counts like a sign-in attempt (the same counters and limits: 429 "
        "with `Retry-After`). A wrong email or temporary password, a deactivated account and "
        "an account with no password change due all get the same 401. The new password must "
        "pass the password rules and differ from the temporary one (400, field "
        "`new_password`).",
        request=PasswordRenewInputSerializer,
        parameters=[schema.RETRY_AFTER],
        responses={
            204: OpenApiResponse(description="The new password is set: sign in with it."),
            **problem_for(
                ValidationError,
                schema.WRONG_TEMPORARY_PASSWORD,
                schema.THROTTLED,
                ServiceUnavailable,
            ),
        },
        examples=[schema.PASSWORD_RENEW_EXAMPLE],
    )
    def post(self, request: Request) -> Response:
        serializer = PasswordRenewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        passwords.user_password_renew(
            **serializer.validated_data, address=throttling.client_address(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT, headers=NO_STORE)
