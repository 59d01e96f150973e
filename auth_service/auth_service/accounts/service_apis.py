"""Endpoints the other services call on auth_service: the client-credentials grant and the JWKS."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from auth_service.accounts import keys, schema, throttling
from auth_service.accounts.apis import NO_STORE, PublicApi
from auth_service.accounts.serializers import (
    JwksOutputSerializer,
    ServiceTokenInputSerializer,
    ServiceTokenOutputSerializer,
)
from auth_service.accounts.services import service_accounts
from common.errors import ServiceUnavailable
from common.schema import problem_for


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
    def post(self, request: Request) -> Response:
        serializer = ServiceTokenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        issued = service_accounts.service_token_issue(
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
    def get(self, request: Request) -> Response:
        return Response(keys.jwks_document(), headers={"Cache-Control": "public, max-age=300"})
