"""Public endpoints of auth_service."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated, NotFound, ValidationError
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from auth_service.accounts import keys, schema, selectors, services, throttling
from auth_service.accounts.serializers import (
    PROFILE_FIELDS,
    AccountOutputSerializer,
    JwksOutputSerializer,
    PasswordChangeInputSerializer,
    PasswordRenewInputSerializer,
    RefreshInputSerializer,
    RegisterInputSerializer,
    ServiceTokenInputSerializer,
    ServiceTokenOutputSerializer,
    TokenObtainInputSerializer,
    TokenPairOutputSerializer,
)
from common.errors import ServiceUnavailable
from common.schema import problem_for

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class PublicApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]


def _account(user) -> dict:
    return AccountOutputSerializer({"id": user.id, "email": user.email, "role": user.role}).data


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
    def post(self, request):
        serializer = RegisterInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        profile = {k: v for k, v in data.items() if k in PROFILE_FIELDS}
        if "date_of_birth" in profile:
            profile["date_of_birth"] = profile["date_of_birth"].isoformat()
        user = services.user_register(
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
    def post(self, request):
        serializer = TokenObtainInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pair = services.user_login(
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
    def post(self, request):
        serializer = RefreshInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pair = services.token_refresh(refresh=serializer.validated_data["refresh"])
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
    def post(self, request):
        serializer = RefreshInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.token_logout(refresh=serializer.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


def _current_account(request):
    user = selectors.user_get_active(user_id=request.user.id)
    if user is None:
        raise NotFound("This account no longer exists.")
    return user


class MeApi(APIView):
    @extend_schema(
        tags=schema.TAGS,
        summary="The signed-in account",
        responses={200: AccountOutputSerializer, **problem_for(NotAuthenticated)},
        examples=[schema.ME_EXAMPLE],
    )
    def get(self, request):
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
    def post(self, request):
        serializer = PasswordChangeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_password_change(
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
    def post(self, request):
        serializer = PasswordRenewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_password_renew(
            **serializer.validated_data, address=throttling.client_address(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT, headers=NO_STORE)


class ServiceTokenApi(PublicApi):
    parser_classes = [FormParser, JSONParser]
    throttle_classes = [throttling.ServiceTokenRateThrottle]

    @extend_schema(
        tags=schema.SERVICE_ACCOUNT_TAGS,
        summary="Client-credentials grant: a token for one service",
        description="RFC 6749 §4.4. Send form-encoded fields (JSON is accepted too). "
        "The token's `aud` is the `audience` asked for; no refresh token is issued. "
        "Limited per client address (`THROTTLE_SERVICE_TOKEN`, 120 a minute by default): "
        "past it the answer is 429 with `Retry-After`.",
        request={
            "application/x-www-form-urlencoded": ServiceTokenInputSerializer,
            "application/json": ServiceTokenInputSerializer,
        },
        parameters=[schema.RETRY_AFTER],
        responses={
            200: ServiceTokenOutputSerializer,
            **problem_for(
                ValidationError,
                *schema.SERVICE_TOKEN_REFUSED,
                schema.RATE_LIMITED,
                ServiceUnavailable,
            ),
        },
        examples=schema.SERVICE_TOKEN_EXAMPLES,
    )
    def post(self, request):
        serializer = ServiceTokenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        issued = services.service_token_issue(
            scope=serializer.validated_data.get("scope"),
            **{k: v for k, v in serializer.validated_data.items() if k != "scope"},
        )
        body = ServiceTokenOutputSerializer(
            {
                "access_token": issued.access_token,
                "expires_in": issued.expires_in,
                "scope": issued.scope,
            }
        ).data
        return Response(body, headers=NO_STORE)


class JwksApi(PublicApi):
    @extend_schema(
        tags=schema.KEY_TAGS,
        summary="Public keys that verify every token (JWKS, RFC 7517)",
        responses={200: JwksOutputSerializer},
        examples=[schema.JWKS_EXAMPLE],
    )
    def get(self, request):
        return Response(keys.jwks_document(), headers={"Cache-Control": "public, max-age=300"})
