"""Passwords people choose: the rules, a change, and the renewal of a temporary password."""

from __future__ import annotations

import logging

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from auth_service.accounts import selectors, throttling
from auth_service.accounts.exceptions import InvalidCredentials, ProblemCode
from auth_service.accounts.models import User
from auth_service.accounts.services.sign_in import user_refresh_tokens_revoke

logger = logging.getLogger(__name__)


def password_validate(password: str, *, user: User, field: str) -> None:
    """Run Django's password validators; report failures under ``field``."""
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({field: exc.error_list}) from exc


def user_password_renew(
    *, email: str, temporary_password: str, new_password: str, address: str
) -> None:
    """Replace a temporary password (set by staff) with one the person chooses.

    The temporary password is an attempt like a sign-in: counted for the
    account and ``address`` before it is checked. Raises ``Throttled`` (429)
    over the limit, ``InvalidCredentials`` (401) for a wrong email or
    password, a deactivated account or an account with no password change
    due alike, and Django ``ValidationError`` (400, ``new_password``) for a
    weak new password or the temporary one again; nothing changes then.
    """
    throttling.password_attempt_begin(email=email, address=address)
    user = authenticate(email=email.strip().lower(), password=temporary_password)
    if user is None or not user.must_change_password:
        raise InvalidCredentials()
    throttling.password_attempt_succeeded(email=email, address=address)
    password_validate(new_password, user=user, field="new_password")
    if new_password == temporary_password:
        raise ValidationError(
            {
                "new_password": [
                    ValidationError(
                        "Choose a password of your own, not the temporary one.",
                        code=ProblemCode.PASSWORD_UNCHANGED,
                    )
                ]
            }
        )
    with transaction.atomic():
        current = selectors.user_get_for_update(user_id=user.pk)
        if current is None or current.password != user.password:
            raise InvalidCredentials()  # reset again meanwhile: that password is gone
        current.set_password(new_password)
        current.must_change_password = False
        current.password_changed_at = timezone.now()
        current.save(update_fields=["password", "must_change_password", "password_changed_at"])
        user_refresh_tokens_revoke(user=current)
    logger.info("Account %s chose a new password after a reset", user.pk)


def user_password_change(*, user: User, old_password: str, new_password: str, address: str) -> None:
    """Change the password and revoke every refresh token of the account.

    The old password is an attempt like a sign-in: counted for the account
    and ``address`` (the sign-in counters) before it is checked. Raises
    ``Throttled`` (429) over the limit, Django ``ValidationError`` (400) for
    a wrong old password or a weak new one; nothing changes then.
    """
    throttling.password_attempt_begin(email=user.email, address=address)
    if not user.check_password(old_password):
        raise ValidationError({"old_password": ["The current password is incorrect."]})
    throttling.password_attempt_succeeded(email=user.email, address=address)
    password_validate(new_password, user=user, field="new_password")
    with transaction.atomic():
        user.set_password(new_password)
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "password_changed_at"])
        user_refresh_tokens_revoke(user=user)
