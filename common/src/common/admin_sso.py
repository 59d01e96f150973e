"""One staff identity for every admin: sign in to ``/admin/`` with an auth_service staff account.

- Sign-in: the email and password go to auth_service's internal
  ``POST /internal/v1/auth/staff-token`` with this service's own service token
  (scope ``staff:sign-in``) and the browser's address, so that auth_service
  throttles per browser, not per service. Failed sign-ins are also counted
  here per browser address; past ``ADMIN_LOGIN_FAILURES_PER_ADDRESS`` in
  ``ADMIN_LOGIN_FAILURE_WINDOW_SECONDS`` that address is refused without
  asking auth_service.
- Access: only staff with at least one known group (claim ``groups``) get in;
  ``clinic-admin`` is a superuser, the others get the local permissions of
  their groups (``common.admin_groups``).
- Session: server-side (the cookie carries only its key) and ends after
  ``SESSION_COOKIE_AGE`` (``ADMIN_SESSION_IDLE_SECONDS``) without a request.
  It keeps the refresh token of the sign-in;
  ``common.admin_session.AdminSessionMiddleware`` rotates it every
  ``ADMIN_RECHECK_SECONDS`` and applies the account's current role and groups,
  so a disabled or demoted account loses access at once.
- Who: the session also keeps the staff member's auth_service id (the token's
  ``sub``), set at sign-in and checked at every re-check; ``staff_id(request)``
  gives it to the admin views that record who did what.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.checks import Error
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from common.admin_groups import local_groups
from common.auth import USER_TOKEN_TYPE, InvalidToken, KeysUnavailable, verify_token
from common.counters import count_attempt, uncount_attempt
from common.errors import ServiceUnavailable
from common.http import ApiClient, ServiceClient
from common.net import client_address, is_ip_address
from common.permissions import GROUP_CLINIC_ADMIN, ROLE_STAFF, STAFF_GROUPS

logger = logging.getLogger(__name__)

BACKEND = "common.admin_sso.AuthServiceStaffBackend"
AUTH_AUDIENCE = "auth_service"
STAFF_TOKEN_PATH = "/internal/v1/auth/staff-token"  # noqa: S105 - a path
LOGOUT_PATH = "/api/v1/auth/logout"
# What the session keeps of the sign-in:
# {"refresh": <token>, "checked_at": <epoch seconds>, "staff_id": <auth_service id>}.
SESSION_KEY = "admin_sso"
# Why a sign-in was refused (set on the request for the login form to show).
_REFUSAL = "_admin_sign_in_refusal"
_REFRESH = "_admin_sso_refresh"

UNAVAILABLE_MESSAGE = "The sign-in service cannot be reached right now. Try again in a moment."
AUTH_THROTTLED_MESSAGE = (
    "Too many failed sign-in attempts for this account or from your address. Try again later."
)


def _throttled_message() -> str:
    minutes = max(1, settings.ADMIN_LOGIN_FAILURE_WINDOW_SECONDS // 60)
    return (
        f"Too many failed sign-in attempts from your address. Try again in up to {minutes} minutes."
    )


@dataclass(frozen=True)
class StaffAccess:
    """Who a staff member is (their auth_service id) and what they may do in this admin."""

    groups: frozenset[str]
    staff_id: uuid.UUID | None = None

    @property
    def is_superuser(self) -> bool:
        return GROUP_CLINIC_ADMIN in self.groups


def staff_access(access_token: str) -> StaffAccess | None:
    """Verify ``access_token`` for this service; return the staff member's access, or None.

    None when the role is not staff, the ``sub`` is no UUID or no known group
    is named. Raises ``InvalidToken`` (a bad token) or ``KeysUnavailable``.
    """
    claims = verify_token(
        access_token, audience=settings.SERVICE_NAME, token_types={USER_TOKEN_TYPE}
    )
    if claims.get("role") != ROLE_STAFF:
        return None
    try:
        subject = uuid.UUID(str(claims.get("sub")))
    except ValueError:
        return None
    named = claims.get("groups")
    if not isinstance(named, list):
        return None
    groups = frozenset(g for g in named if isinstance(g, str) and g in STAFF_GROUPS)
    return StaffAccess(groups=groups, staff_id=subject) if groups else None


def apply_access(user: Any, access: StaffAccess | None) -> None:
    """Give the local user the flags and groups of ``access`` (none when it is None)."""
    with transaction.atomic():
        user.is_staff = access is not None
        user.is_superuser = access is not None and access.is_superuser
        if user.has_usable_password():
            # Only then: a new unusable password would change the session's auth hash and
            # sign the staff member out at the request after each re-check.
            user.set_unusable_password()
        user.save()
        user.groups.set(local_groups(access.groups) if access else [])


# Sign-in throttling per browser address ------------------------------------------


def _failure_key(address: str) -> str:
    return f"admin-sign-in-fail:{settings.SERVICE_NAME}:{address}"


def admin_sign_in_blocked(*, address: str) -> bool:
    """Whether ``address`` failed to sign in to this admin too often lately."""
    return cache.get(_failure_key(address), 0) >= settings.ADMIN_LOGIN_FAILURES_PER_ADDRESS


def admin_sign_in_attempt_begin(*, address: str) -> bool:
    """Count one sign-in attempt from ``address`` before its password is sent; False when over.

    Counted atomically (``cache.add`` then ``cache.incr``: one INCR in Redis)
    *before* the password is checked, so of many parallel guesses from one
    address exactly ``ADMIN_LOGIN_FAILURES_PER_ADDRESS`` reach auth_service
    within ``ADMIN_LOGIN_FAILURE_WINDOW_SECONDS``. A refused attempt is not
    counted; an attempt that goes on counts as a failure until
    ``admin_sign_in_attempt_end`` gives it back.
    """
    key = _failure_key(address)
    if count_attempt(key, window=settings.ADMIN_LOGIN_FAILURE_WINDOW_SECONDS) > (
        settings.ADMIN_LOGIN_FAILURES_PER_ADDRESS
    ):
        uncount_attempt(key)
        return False
    return True


def admin_sign_in_attempt_end(*, address: str) -> None:
    """The attempt from ``address`` was no wrong password (signed in, or not decided): uncount it."""
    uncount_attempt(_failure_key(address))


def _refuse(request: HttpRequest | None, message: str) -> None:
    if request is not None:
        setattr(request, _REFUSAL, message)


def _auth_service() -> ServiceClient:
    # A 401 "invalid-credentials" is auth_service's answer about the password, not about
    # our service token; it must not be retried (that would count a second failure).
    return ServiceClient(
        base_url=settings.AUTH_SERVICE_URL,
        audience=AUTH_AUDIENCE,
        retries=0,
        answer_401_codes=frozenset({"invalid-credentials"}),
    )


class AuthServiceStaffBackend(ModelBackend):
    """Check the credentials with auth_service; let in staff with at least one known group.

    A local admin user (username = the staff member's email) is created or
    updated on each sign-in, with an unusable password: the password lives in
    auth_service only. The refresh token of the sign-in is kept in the
    session (see ``keep_refresh_token``).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password or request is None:
            return None
        address = client_address(request)
        if not is_ip_address(address):
            logger.error("Admin sign-in: the client address %r is not an IP address", address)
            _refuse(request, UNAVAILABLE_MESSAGE)
            return None
        if not admin_sign_in_attempt_begin(address=address):
            logger.warning("Admin sign-in: %s is throttled", address)
            _refuse(request, _throttled_message())
            return None
        user = self._check(request, username=username, password=password, address=address)
        if user is not None or getattr(request, _REFUSAL, None):
            admin_sign_in_attempt_end(address=address)  # the address pays for wrong passwords only
        return user

    def _check(self, request, *, username: str, password: str, address: str):
        try:
            answer = _auth_service().call(
                "POST",
                STAFF_TOKEN_PATH,
                expect=(200, 400, 401, 429),
                json={"email": username, "password": password, "client_address": address},
            )
        except ServiceUnavailable:
            logger.warning("Admin sign-in: auth_service cannot answer")
            _refuse(request, UNAVAILABLE_MESSAGE)
            return None
        if answer.status in (400, 401):
            return None
        if answer.status == 429:
            _refuse(request, AUTH_THROTTLED_MESSAGE)
            return None
        try:
            access, refresh = answer.data["access"], answer.data["refresh"]
            staff = staff_access(access)
        except (InvalidToken, KeysUnavailable, KeyError, ValueError, TypeError):
            logger.warning("Admin sign-in: auth_service returned an unusable token")
            _refuse(request, UNAVAILABLE_MESSAGE)
            return None
        if staff is None or not isinstance(refresh, str):
            return None
        email = username.strip().lower()
        user, _ = get_user_model().objects.get_or_create(username=email)
        user.email = email
        user.is_active = True
        apply_access(user, staff)
        setattr(request, _REFRESH, (refresh, staff.staff_id))
        return user


def keep_refresh_token(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` receiver: keep the sign-in's refresh token in the (new) session."""
    kept = getattr(request, _REFRESH, None)
    if kept:
        refresh, staff = kept
        request.session[SESSION_KEY] = session_data(refresh=refresh, staff=staff)


def session_data(*, refresh: str, staff: uuid.UUID | None) -> dict[str, Any]:
    """What the admin session keeps of a sign-in or re-check, stamped as checked now."""
    return {
        "refresh": refresh,
        "checked_at": time.time(),
        "staff_id": str(staff) if staff else None,
    }


def staff_id(request: HttpRequest) -> uuid.UUID | None:
    """The auth_service id (token ``sub``) of the staff member signed in to this admin, or None.

    Kept in the admin session at sign-in and on each re-check (which ends a
    session whose token names someone else). None for a request without an
    SSO admin session, or one signed in before the id was kept (it is set at
    the next re-check). Use it as ``actor_id`` (role ``staff``) in histories.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return None
    data = request.session.get(SESSION_KEY) or {}
    try:
        return uuid.UUID(str(data.get("staff_id")))
    except ValueError:
        return None


def revoke_refresh_token(sender, request, user, **kwargs) -> None:
    """``user_logged_out`` receiver: revoke the session's refresh token (best effort)."""
    data = request.session.get(SESSION_KEY) if request is not None else None
    if data and data.get("refresh"):
        revoke(data["refresh"])


def revoke(refresh: str) -> None:
    """Revoke ``refresh`` at auth_service; when it cannot answer, log it and go on."""
    try:
        auth_api().post(LOGOUT_PATH, json={"refresh": refresh})
    except ServiceUnavailable:
        logger.warning("Admin sign-out: auth_service unreachable; the refresh token stays live")


def auth_api() -> ApiClient:
    """A client of auth_service's public token endpoints (refresh, sign-out)."""
    return ApiClient(base_url=settings.AUTH_SERVICE_URL, name="sign-in", retries=1)


class AdminSignInForm(AdminAuthenticationForm):
    """The admin's login form, saying why a sign-in was refused when it was not the password."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            refusal = getattr(self.request, _REFUSAL, None)
            if refusal:
                raise ValidationError(refusal, code="sign-in-refused") from None
            raise


def check_session_engine(app_configs, **kwargs) -> list[Error]:
    """System check: the admin session keeps a refresh token, so it must live on the server."""
    if BACKEND not in getattr(settings, "AUTHENTICATION_BACKENDS", ()):
        return []
    if settings.SESSION_ENGINE.endswith("signed_cookies"):
        return [
            Error(
                "The admin session keeps a refresh token: SESSION_ENGINE must store sessions "
                "on the server, not in a signed cookie.",
                id="common.E001",
            )
        ]
    return []
