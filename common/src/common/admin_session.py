"""The admin session of a staff member, re-checked with auth_service as it goes on.

``AdminSessionMiddleware`` rotates the refresh token kept at sign-in
(``common.admin_sso``) every ``ADMIN_RECHECK_SECONDS`` and applies the
account's current role and groups, so that a disabled or demoted account
loses access to the admin at once.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from common.admin_sso import (
    BACKEND,
    SESSION_KEY,
    UNAVAILABLE_MESSAGE,
    apply_access,
    auth_api,
    revoke,
    session_data,
    staff_access,
)
from common.auth import InvalidToken, KeysUnavailable
from common.errors import ServiceUnavailable
from common.handoff import HANDOFF_WAIT_SECONDS, TokenPair, rotate_once
from common.http import CLIENT_ERRORS

logger = logging.getLogger(__name__)

REFRESH_PATH = "/api/v1/auth/token/refresh"


def _rotate_at_auth_service(refresh: str) -> TokenPair | None:
    client = auth_api()
    answer = client.call(
        "POST", REFRESH_PATH, expect=(200, *CLIENT_ERRORS), json={"refresh": refresh}
    )
    if answer.status != 200:
        return None
    return client.parse(
        lambda body: TokenPair(access=str(body["access"]), refresh=str(body["refresh"])),
        answer.data,
    )


def _rotate(refresh: str) -> TokenPair | None:
    """Rotate ``refresh`` once, whichever request of the session gets there first.

    Returns None when auth_service refuses the token. Raises
    ``ServiceUnavailable`` when auth_service cannot answer (or the rotating
    request took too long).
    """
    return rotate_once(
        namespace="admin-sso",
        refresh_token=refresh,
        rotate=_rotate_at_auth_service,
        wait_seconds=HANDOFF_WAIT_SECONDS,
    )


def _admin_paths() -> tuple[str, str, str] | None:
    try:
        return reverse("admin:index"), reverse("admin:login"), reverse("admin:logout")
    except NoReverseMatch:
        return None


class AdminSessionMiddleware:
    """Re-check a staff member's admin session with auth_service every ``ADMIN_RECHECK_SECONDS``.

    On an admin request at least that long after the last check, the
    session's refresh token is rotated at auth_service and the new access
    token's role and groups are applied to the local user. A refused token
    (a disabled account, a revoked sign-in) or an account that is no longer
    staff with a known group ends the session: signed out and sent to the
    admin login. When auth_service cannot answer, the request gets a 503 page
    and the session is kept. Active only where the admin signs in through
    ``AuthServiceStaffBackend``.
    """

    def __init__(self, get_response):
        from django.apps import apps

        if not apps.is_installed("django.contrib.admin") or BACKEND not in getattr(
            settings, "AUTHENTICATION_BACKENDS", ()
        ):
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        paths = _admin_paths()
        if paths is not None and request.path.startswith(paths[0]):
            index, login, logout_path = paths
            if request.path not in (login, logout_path):
                refused = self._recheck(request, login_url=login)
                if refused is not None:
                    return refused
        return self.get_response(request)

    def _recheck(self, request: HttpRequest, *, login_url: str) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or request.session.get(BACKEND_SESSION_KEY) != BACKEND:
            return None
        data = request.session.get(SESSION_KEY) or {}
        if not data.get("refresh"):
            return self._end(request, login_url=login_url, refresh=None)
        if time.time() - float(data.get("checked_at", 0)) < settings.ADMIN_RECHECK_SECONDS:
            return None
        try:
            pair = _rotate(data["refresh"])
            access = staff_access(pair.access) if pair is not None else None
        except (ServiceUnavailable, KeysUnavailable):
            logger.warning("Admin session re-check: auth_service unavailable")
            return _unavailable(request)
        except InvalidToken:
            logger.warning("Admin session re-check: auth_service returned an unusable token")
            access = None
        if pair is None:
            logger.info("Admin session of %s ended: auth_service refused its token", user)
            return self._end(request, login_url=login_url, refresh=None)
        if access is None:
            logger.info("Admin session of %s ended: no longer staff with a group", user)
            apply_access(user, None)
            return self._end(request, login_url=login_url, refresh=pair.refresh)
        if data.get("staff_id") and data["staff_id"] != str(access.staff_id):
            logger.warning("Admin session of %s ended: the token names another account", user)
            return self._end(request, login_url=login_url, refresh=pair.refresh)
        apply_access(user, access)
        request.session[SESSION_KEY] = session_data(refresh=pair.refresh, staff=access.staff_id)
        return None

    def _end(self, request: HttpRequest, *, login_url: str, refresh: str | None) -> HttpResponse:
        request.session.pop(SESSION_KEY, None)  # already used, or to revoke here
        if refresh:
            revoke(refresh)
        logout(request)
        messages.warning(request, "Your admin session has ended. Please sign in again.")
        return redirect_to_login(request.get_full_path(), login_url)


def _unavailable(request: HttpRequest) -> HttpResponse:
    body = render_to_string(
        "common/admin_unavailable.html", {"message": UNAVAILABLE_MESSAGE}, request=request
    )
    response = HttpResponse(body, status=503)
    response["Retry-After"] = "30"
    return response
