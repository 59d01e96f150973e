"""Endpoints the other services call on auth_service: the client-credentials grant and the JWKS."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from auth_service.accounts import keys, throttling
from auth_service.accounts.apis import NO_STORE, RATE_LIMITED, RETRY_AFTER, PublicApi
from auth_service.accounts.serializers import (
    JwksOutputSerializer,
    ServiceTokenInputSerializer,
    ServiceTokenOutputSerializer,
)
from auth_service.accounts.services import service_accounts
from common.schema import UNAVAILABLE, problem


class ServiceTokenApi(PublicApi):
    parser_classes = [FormParser, JSONParser]
    throttle_classes = [throttling.ServiceTokenRateThrottle]

    @extend_schema(
        tags=["service accounts"],
        summary="Client-credentials grant: a token for one service",
        description="RFC 6749 §4.4. Send form-encoded fields (JSON is accepted too). "
        "The token's `aud` is the `audience` asked for; no refresh token is issued. "
        "Limited per client address (`THROTTLE_SERVICE_TOKEN`, 120 a minute by default): "
        "past it the answer is 429 with `Retry-After`.",
        request={
            "application/x-www-form-urlencoded": ServiceTokenInputSerializer,
            "application/json": ServiceTokenInputSerializer,
        },
        parameters=[RETRY_AFTER],
        responses={
            200: ServiceTokenOutputSerializer,
            400: problem("Bad grant, audience or scope", code="invalid-target"),
            401: problem("Unknown client or wrong secret", status=401, code="invalid-client"),
            429: RATE_LIMITED,
            503: UNAVAILABLE,
        },
        examples=[
            OpenApiExample(
                "request",
                value={
                    "grant_type": "client_credentials",
                    "client_id": "appointment_service",
                    "client_secret": "<secret>",
                    "audience": "schedule_service",
                    "scope": "slots:reserve slots:read",
                },
                request_only=True,
            ),
            OpenApiExample(
                "token",
                value={
                    "access_token": "eyJhbGciOiJSUzI1NiIsImtpZCI6Ii4uLiJ9...",
                    "token_type": "Bearer",
                    "expires_in": 300,
                    "scope": "slots:read slots:reserve",
                },
                response_only=True,
            ),
        ],
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
        tags=["keys"],
        summary="Public keys that verify every token (JWKS, RFC 7517)",
        responses={200: JwksOutputSerializer},
        examples=[
            OpenApiExample(
                "keys",
                value={
                    "keys": [
                        {
                            "kty": "RSA",
                            "kid": "0_ri-B1a-SD8tqBgTlSxZ1GdMcg82VvAdBeHJ6oaieE",
                            "alg": "RS256",
                            "use": "sig",
                            "n": "u1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0_Iz...",
                            "e": "AQAB",
                        }
                    ]
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        return Response(keys.jwks_document(), headers={"Cache-Control": "public, max-age=300"})
