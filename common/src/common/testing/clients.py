"""Test clients: one that sends a bearer token, and one signed in to the admin through SSO."""

from __future__ import annotations

import time
import uuid
from typing import Any


class BearerClient:
    """A thin wrapper around DRF's ``APIClient`` that sends a bearer token."""

    user_id: uuid.UUID  # set by ``make_client`` on the clients it makes

    def __init__(self, token: str | None = None):
        from rest_framework.test import APIClient

        self.client = APIClient()
        if token:
            self.client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


def sign_in_to_admin(
    client: Any,
    *,
    email: str,
    groups: tuple[str, ...] | list[str],
    staff_id: uuid.UUID | None = None,
) -> Any:
    """Sign ``client`` (Django's test client) in to this service's admin as a staff member.

    The local user gets the flags and groups the SSO sign-in gives for
    ``groups``, and the session holds a refresh token just checked and the
    staff member's auth_service id (``staff_id``, by default one derived from
    the email; also ``client.staff_id``), as after a real sign-in (so the
    session re-check leaves it alone for a while).
    """
    from django.contrib.auth import get_user_model

    from common.admin_sso import SESSION_KEY, StaffAccess, apply_access

    staff_id = staff_id or uuid.uuid5(uuid.NAMESPACE_URL, f"mailto:{email}")
    user, _ = get_user_model().objects.get_or_create(username=email, defaults={"email": email})
    known = frozenset(groups)
    apply_access(user, StaffAccess(groups=known, staff_id=staff_id) if known else None)
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = {
        "refresh": "test-refresh-token",
        "checked_at": time.time(),
        "staff_id": str(staff_id),
    }
    session.save()
    client.user = user
    client.staff_id = staff_id
    return client
