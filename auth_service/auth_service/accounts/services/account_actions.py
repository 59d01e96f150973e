"""What clinic-admins do to accounts: deactivate, reactivate, sign out everywhere, reset a password."""

from __future__ import annotations

import logging
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from auth_service.accounts import selectors
from auth_service.accounts.models import User, UserState
from auth_service.accounts.services.sign_in import user_refresh_tokens_revoke

logger = logging.getLogger(__name__)


# Unambiguous letters and digits (no 0/o, 1/l/i): read out over the phone or from a screen.
_TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def temporary_password_generate() -> str:
    """Twelve random characters in three groups (about 59 bits): ``k7qm-x3fp-w9cz``."""
    chars = "".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(12))
    return "-".join(chars[i : i + 4] for i in range(0, 12, 4))


def _refuse_own_account(*, user: User, actor: User, what: str) -> None:
    """Raise Django ``ValidationError``: nobody locks themselves out by their own hand."""
    if user.pk == actor.pk:
        raise ValidationError(f"You cannot {what} your own account.")


def user_deactivate(*, user: User, actor: User) -> bool:
    """Deactivate ``user``: no sign-in, no refresh, and its access tokens refused everywhere.

    In one transaction under the account's lock: ``is_active`` off,
    ``tokens_revoked_at`` now (every service refuses its access tokens once
    it has polled the revocation list), every refresh token revoked. Returns
    False, changing nothing, when it is already inactive. Raises Django
    ``ValidationError`` when ``actor`` is ``user`` (nothing changes).
    """
    _refuse_own_account(user=user, actor=actor, what="deactivate")
    with transaction.atomic():
        current = selectors.user_get_for_update(user_id=user.pk)
        if current is None or not current.is_active:
            return False
        User.objects.filter(pk=current.pk).update(is_active=False, tokens_revoked_at=timezone.now())
        revoked = user_refresh_tokens_revoke(user=current)
    logger.info(
        "Account %s deactivated by %s (%d refresh tokens revoked)", user.pk, actor.pk, revoked
    )
    return True


def user_sign_ins_end(*, user: User, actor: User) -> bool:
    """Sign ``user`` out everywhere: refresh tokens revoked, access tokens refused everywhere.

    Under the account's lock, like ``user_deactivate``; the account may sign
    in again at once. Returns whether it had a sign-in to end (a live refresh
    token); ``tokens_revoked_at`` is set in any case.
    """
    with transaction.atomic():
        current = selectors.user_get_for_update(user_id=user.pk)
        if current is None:
            return False
        User.objects.filter(pk=current.pk).update(tokens_revoked_at=timezone.now())
        revoked = user_refresh_tokens_revoke(user=current)
    logger.info("Account %s signed out everywhere by %s", user.pk, actor.pk)
    return bool(revoked)


def user_reactivate(*, user: User, actor: User) -> bool:
    """Let a deactivated account sign in again; return whether it changed.

    Its tokens from before stay refused. A registration still pending is no
    deactivated account: it is left to ``registration_reconcile`` (False).
    """
    changed = User.objects.filter(pk=user.pk, state=UserState.ACTIVE, is_active=False).update(
        is_active=True
    )
    if changed:
        logger.info("Account %s reactivated by %s", user.pk, actor.pk)
    return bool(changed)


def user_password_reset(*, user: User, actor: User) -> str:
    """Give ``user`` a temporary password; return it (to be shown once, never stored in clear).

    Under the account's lock: the password is replaced, ``must_change_password``
    set (the temporary password signs in to nothing: ``user_password_renew``
    first), every refresh token revoked and ``tokens_revoked_at`` set, so every
    sign-in of the account ends everywhere. Raises Django ``ValidationError``
    for the actor's own account or a pending registration (nothing changes).
    """
    _refuse_own_account(user=user, actor=actor, what="reset the password of")
    temporary = temporary_password_generate()
    with transaction.atomic():
        current = selectors.user_get_for_update(user_id=user.pk)
        if current is None or current.state != UserState.ACTIVE:
            raise ValidationError("This registration is not complete: it has no password to reset.")
        now = timezone.now()
        current.set_password(temporary)
        current.must_change_password = True
        current.password_changed_at = now
        current.tokens_revoked_at = now
        current.save(
            update_fields=[
                "password",
                "must_change_password",
                "password_changed_at",
                "tokens_revoked_at",
            ]
        )
        user_refresh_tokens_revoke(user=current)
    logger.info("Password of %s reset by %s", user.pk, actor.pk)
    return temporary
