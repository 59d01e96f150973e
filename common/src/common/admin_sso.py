"""One staff identity for every admin: sign in to ``/admin/`` with an auth_service staff account."""

from __future__ import annotations

import logging

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from common.auth import USER_TOKEN_TYPE, InvalidToken, verify_token
from common.errors import ServiceUnavailable
from common.permissions import ROLE_STAFF
from common.request_id import HEADER, get_request_id

logger = logging.getLogger(__name__)


class AuthServiceStaffBackend(ModelBackend):
    """Check the credentials with auth_service; let in accounts whose role is ``staff``.

    A local admin user (username = the staff member's email) is created or
    updated on each sign-in, with an unusable password: the password lives in
    auth_service only. Sessions then work as usual.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        try:
            response = requests.post(
                settings.AUTH_SERVICE_URL + "/api/v1/auth/token",
                json={"email": username, "password": password},
                headers={HEADER: get_request_id() or ""},
                timeout=(settings.SERVICE_HTTP_CONNECT_TIMEOUT, settings.SERVICE_HTTP_READ_TIMEOUT),
            )
        except requests.RequestException:
            logger.warning("Admin sign-in: auth_service unreachable")
            return None
        if response.status_code != 200:
            return None
        try:
            claims = verify_token(
                response.json()["access"],
                audience=settings.SERVICE_NAME,
                token_types={USER_TOKEN_TYPE},
            )
        except (InvalidToken, ServiceUnavailable, KeyError, ValueError):
            logger.warning("Admin sign-in: auth_service returned an unusable token")
            return None
        if claims.get("role") != ROLE_STAFF:
            return None
        user_model = get_user_model()
        user, _ = user_model.objects.get_or_create(username=username.lower())
        user.is_staff = user.is_superuser = user.is_active = True
        user.email = username.lower()
        user.set_unusable_password()
        user.save()
        return user
