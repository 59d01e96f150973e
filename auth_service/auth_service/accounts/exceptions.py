"""Problems raised by the accounts app."""

from rest_framework import status

from common.errors import Problem, ServiceUnavailable


class InvalidCredentials(Problem):
    status_code = status.HTTP_401_UNAUTHORIZED
    code = "invalid-credentials"
    title = "Invalid credentials"
    default_detail = "The email or password is incorrect."


class InvalidRefreshToken(Problem):
    status_code = status.HTTP_401_UNAUTHORIZED
    code = "invalid-refresh-token"
    title = "Invalid refresh token"
    default_detail = (
        "The refresh token is invalid, expired, already used or revoked; sign in again."
    )


class EmailTaken(Problem):
    status_code = status.HTTP_409_CONFLICT
    code = "email-taken"
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
    code = "validation-error"
    title = "Invalid input"
    default_detail = "One or more fields are invalid."


class InvalidClient(Problem):
    status_code = status.HTTP_401_UNAUTHORIZED
    code = "invalid-client"
    title = "Invalid client"
    default_detail = "Unknown client or wrong secret."


class UnsupportedGrantType(Problem):
    code = "unsupported-grant-type"
    title = "Unsupported grant type"
    default_detail = "Only grant_type=client_credentials is supported."


class InvalidTarget(Problem):
    code = "invalid-target"
    title = "Audience not allowed"
    default_detail = "This client may not get tokens for that audience."


class InvalidScope(Problem):
    code = "invalid-scope"
    title = "Scope not allowed"
    default_detail = "This client may not get one or more of the requested scopes."


class PasswordChangeRequired(Problem):
    """The password is right but temporary (reset by staff): a new one must be chosen first."""

    status_code = status.HTTP_403_FORBIDDEN
    code = "password-change-required"
    title = "Password change required"
    default_detail = (
        "This password was set by clinic staff and works only to choose a new one: "
        "send it with a new password to POST /api/v1/auth/password/renew."
    )
