"""Problems raised by the accounts app, rendered as problem details by common's handler."""

from __future__ import annotations

from enum import StrEnum

from rest_framework import status

from common.errors import Problem, ServiceUnavailable


class ProblemCode(StrEnum):
    """Every ``code`` the accounts app answers with (a problem's, or a field error's)."""

    INVALID_CREDENTIALS = "invalid-credentials"
    INVALID_REFRESH_TOKEN = "invalid-refresh-token"  # noqa: S105 (a code, not a secret)
    EMAIL_TAKEN = "email-taken"
    VALIDATION_ERROR = "validation-error"
    INVALID_CLIENT = "invalid-client"
    UNSUPPORTED_GRANT_TYPE = "unsupported-grant-type"
    INVALID_TARGET = "invalid-target"
    INVALID_SCOPE = "invalid-scope"
    PASSWORD_CHANGE_REQUIRED = "password-change-required"  # noqa: S105
    PASSWORD_UNCHANGED = "password-unchanged"  # noqa: S105
    THROTTLED = "throttled"


class InvalidCredentials(Problem):
    status_code = status.HTTP_401_UNAUTHORIZED
    code = ProblemCode.INVALID_CREDENTIALS.value
    title = "Invalid credentials"
    default_detail = "The email or password is incorrect."


class InvalidRefreshToken(Problem):
    status_code = status.HTTP_401_UNAUTHORIZED
    code = ProblemCode.INVALID_REFRESH_TOKEN.value
    title = "Invalid refresh token"
    default_detail = (
        "The refresh token is invalid, expired, already used or revoked; sign in again."
    )


class EmailTaken(Problem):
    status_code = status.HTTP_409_CONFLICT
    code = ProblemCode.EMAIL_TAKEN.value
    title = "Email already registered"
    default_detail = "An account with this email already exists."


class RegistrationUnconfirmed(ServiceUnavailable):
    """user_service did not say whether it made the profile: the account is kept pending.

    A 503 with the usual code; ``manage.py reconcile_registrations`` completes
    the registration (profile there) or undoes it (no profile), and the same
    registration sent again meanwhile completes it at once.
    """

    default_detail = (
        "Your registration could not be confirmed just now. It will be completed or undone "
        "within minutes: try signing in shortly, or send the same registration again."
    )


class ProfileRejected(Problem):
    code = ProblemCode.VALIDATION_ERROR.value
    title = "Invalid input"
    default_detail = "One or more fields are invalid."


class InvalidClient(Problem):
    status_code = status.HTTP_401_UNAUTHORIZED
    code = ProblemCode.INVALID_CLIENT.value
    title = "Invalid client"
    default_detail = "Unknown client or wrong secret."


class UnsupportedGrantType(Problem):
    code = ProblemCode.UNSUPPORTED_GRANT_TYPE.value
    title = "Unsupported grant type"
    default_detail = "Only grant_type=client_credentials is supported."


class InvalidTarget(Problem):
    code = ProblemCode.INVALID_TARGET.value
    title = "Audience not allowed"
    default_detail = "This client may not get tokens for that audience."


class InvalidScope(Problem):
    code = ProblemCode.INVALID_SCOPE.value
    title = "Scope not allowed"
    default_detail = "This client may not get one or more of the requested scopes."


class PasswordChangeRequired(Problem):
    """The password is right but temporary (reset by staff): a new one must be chosen first."""

    status_code = status.HTTP_403_FORBIDDEN
    code = ProblemCode.PASSWORD_CHANGE_REQUIRED.value
    title = "Password change required"
    default_detail = (
        "This password was set by clinic staff and works only to choose a new one: "
        "send it with a new password to POST /api/v1/auth/password/renew."
    )
