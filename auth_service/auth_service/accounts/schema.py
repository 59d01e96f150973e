"""OpenAPI documentation of the accounts endpoints: examples, parameters and problem answers.

The views in ``apis.py`` and ``internal_apis.py`` name these; the problem
answers are derived from the exceptions the views raise (``common.schema.problem_for``).
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter
from rest_framework.exceptions import (
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    Throttled,
    ValidationError,
)

from auth_service.accounts.exceptions import (
    EmailTaken,
    InvalidClient,
    InvalidCredentials,
    InvalidRefreshToken,
    InvalidScope,
    InvalidTarget,
    PasswordChangeRequired,
    RegistrationUnconfirmed,
    UnsupportedGrantType,
)
from auth_service.accounts.selectors import ACCOUNT_LIST_MAX_IDS

TAGS = ["auth"]
SERVICE_ACCOUNT_TAGS = ["service accounts"]
KEY_TAGS = ["keys"]
INTERNAL_TAGS = ["internal"]

RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    response=[429],
    description="Seconds to wait before trying again.",
)

# Problem answers, as sources for ``problem_for``

AUTHENTICATED = (NotAuthenticated, PermissionDenied)
THROTTLED = (Throttled, "Too many failed attempts")
RATE_LIMITED = (Throttled, "Too many requests from this address")
EMAIL_TAKEN = (EmailTaken, "Email already registered")
REGISTRATION_UNCONFIRMED = (
    RegistrationUnconfirmed,
    "user_service did not confirm the profile: the registration will be completed or undone "
    "shortly",
)
WRONG_PASSWORD = (InvalidCredentials, "Wrong email or password, or a deactivated account")
WRONG_TEMPORARY_PASSWORD = (InvalidCredentials, "Wrong email or temporary password")
WRONG_STAFF_PASSWORD = (
    InvalidCredentials,
    "Wrong email or password, not staff with a group, or no valid service token",
)
PASSWORD_CHANGE_REQUIRED = (
    PasswordChangeRequired,
    "The password is temporary (reset by staff): choose a new one first",
)
INVALID_REFRESH_TOKEN = (InvalidRefreshToken, "Invalid refresh token")
SERVICE_TOKEN_REFUSED = (
    (UnsupportedGrantType, "A grant other than `client_credentials`"),
    (InvalidTarget, "An audience this client may not get tokens for"),
    (InvalidScope, "A scope this client may not get"),
    (InvalidClient, "Unknown client or wrong secret"),
)
ACCOUNT_FILTER_INVALID = (
    ValidationError,
    f"Neither or both of `ids` and `email`, a malformed UUID, more than {ACCOUNT_LIST_MAX_IDS} "
    "ids, or an empty or too long email text",
)
NO_SUCH_PAGE = (NotFound, "No such page")

# Examples

ACCOUNT_ID = "0b7c6a52-8f3e-4d55-9a57-3e2f0c1d9a11"
REFRESH_JWT = "eyJhbGciOiJSUzI1NiJ9..."
PAIR_EXAMPLE = OpenApiExample(
    "token pair",
    value={"access": "eyJhbGciOiJSUzI1NiIsImtpZCI6Ii4uLiJ9...", "refresh": REFRESH_JWT},
    response_only=True,
)
REGISTER_EXAMPLES = [
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
        value={"id": ACCOUNT_ID, "email": "ana@example.com", "role": "patient"},
        response_only=True,
    ),
]
SIGN_IN_EXAMPLES = [
    OpenApiExample(
        "sign in",
        value={"email": "ana@example.com", "password": "correct-horse-battery"},
        request_only=True,
    ),
    PAIR_EXAMPLE,
]
REFRESH_EXAMPLES = [
    OpenApiExample("rotate", value={"refresh": REFRESH_JWT}, request_only=True),
    PAIR_EXAMPLE,
]
LOGOUT_EXAMPLE = OpenApiExample("sign out", value={"refresh": REFRESH_JWT}, request_only=True)
ME_EXAMPLE = OpenApiExample(
    "me",
    value={"id": ACCOUNT_ID, "email": "ana@example.com", "role": "patient"},
    response_only=True,
)
PASSWORD_CHANGE_EXAMPLE = OpenApiExample(
    "change",
    value={"old_password": "correct-horse-battery", "new_password": "a-much-longer-passphrase"},
    request_only=True,
)
PASSWORD_RENEW_EXAMPLE = OpenApiExample(
    "renew",
    value={
        "email": "ana@example.com",
        "temporary_password": "k7qm-x3fp-w9cz",
        "new_password": "a-much-longer-passphrase",
    },
    request_only=True,
)
SERVICE_TOKEN_EXAMPLES = [
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
]
JWKS_EXAMPLE = OpenApiExample(
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

# Examples of the internal endpoints

STAFF_SIGN_IN_EXAMPLES = [
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
]
INTERNAL_ACCOUNT_EXAMPLE = OpenApiExample(
    "account",
    value={
        "id": "5e1c9d2a-7b3f-4c6d-8e9a-1b2c3d4e5f60",
        "email": "jonas.keller@example.com",
        "role": "patient",
        "is_active": True,
    },
    response_only=True,
)
REVOCATIONS_EXAMPLE = OpenApiExample(
    "list",
    value={
        "revocations": [{"sub": ACCOUNT_ID, "revoked_before": 1796112000}],
        "window_seconds": 660,
    },
    response_only=True,
)
