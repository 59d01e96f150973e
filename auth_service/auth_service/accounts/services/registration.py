"""Registration: an account here and its profile in user_service, or neither; and reconciliation."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.contrib.auth.hashers import check_password
from django.db import IntegrityError, transaction
from django.utils import timezone

from auth_service.accounts import clients, selectors
from auth_service.accounts.exceptions import EmailTaken, ProfileRejected, RegistrationUnconfirmed
from auth_service.accounts.models import User, UserState
from auth_service.accounts.services.passwords import password_validate
from common.errors import ServiceUnavailable

logger = logging.getLogger(__name__)


def user_register(*, email: str, password: str, role: str, profile: dict[str, Any]) -> User:
    """Create an account and its profile in user_service; return the active account.

    The account is written first as ``pending`` (reserving the email), then
    the profile is created through user_service's internal API (idempotent
    on the user id), then the account is activated. When user_service
    refuses the profile (``ProfileRejected``, 400: nothing was made) the
    pending account is deleted. When it does not say (timeout, 5xx,
    unreachable: the profile may exist) the account stays pending, unable to
    sign in, and ``RegistrationUnconfirmed`` (503) is raised:
    ``manage.py reconcile_registrations`` activates or deletes it, and the
    same registration sent again meanwhile (same email, password and role)
    completes it at once. Any other email of an existing account is
    ``EmailTaken`` (409); bad input is a Django ``ValidationError`` (400).
    """
    email = email.strip().lower()
    user = User(email=email, role=role, state=UserState.PENDING, is_active=False)
    password_validate(password, user=user, field="password")
    user.set_password(password)
    user.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        user = _registration_resume(email=email, password=password, role=role)
    return _registration_complete(user=user, role=role, profile=profile)


def _registration_resume(*, email: str, password: str, role: str) -> User:
    """Return the pending account of an unconfirmed registration being sent again.

    Only the same person asking again (same password and role) resumes it;
    its registration time restarts, so reconciliation leaves it alone for a
    while. Raises ``EmailTaken`` for any other account with this email.
    """
    existing = selectors.user_get_by_email(email=email)
    if (
        existing is None
        or existing.state != UserState.PENDING
        or existing.role != role
        or not check_password(password, existing.password)
    ):
        raise EmailTaken()
    restarted = User.objects.filter(pk=existing.pk, state=UserState.PENDING).update(
        date_joined=timezone.now()
    )
    if not restarted:  # completed or undone meanwhile
        raise EmailTaken()
    logger.info("Resuming the unconfirmed registration of %s", existing.id)
    return existing


def _registration_complete(*, user: User, role: str, profile: dict[str, Any]) -> User:
    """Create the profile of pending ``user`` and activate the account (see ``user_register``)."""
    try:
        clients.user_profile_create(user_id=user.id, role=role, fields=profile)
    except ProfileRejected:
        User.objects.filter(pk=user.pk, state=UserState.PENDING).delete()
        raise
    except ServiceUnavailable as exc:
        logger.warning("Registration of %s not confirmed by user_service: kept pending", user.id)
        raise RegistrationUnconfirmed() from exc
    # Anything else (a crash) also leaves the account pending, for reconciliation.
    User.objects.filter(pk=user.pk, state=UserState.PENDING).update(
        state=UserState.ACTIVE, is_active=True
    )
    active = selectors.user_get_active(user_id=user.pk)
    if active is None:
        # Reconciliation undid it meanwhile: the profile left behind goes on its next run.
        raise RegistrationUnconfirmed()
    logger.info("Registered %s %s", role, active.id)
    return active


def registration_reconcile(
    *, older_than: timedelta, profiles_since: timedelta | None = None
) -> dict[str, int]:
    """Finish or undo registrations left unconfirmed longer than ``older_than``.

    1. A pending account whose profile exists is activated; one without a
       profile is deleted; one whose profile cannot be checked now is kept
       for the next run.
    2. A profile in user_service older than ``older_than`` (and, with
       ``profiles_since``, younger than that) whose user id has no account
       here is deleted there: its registration was undone. Profiles of
       existing accounts, pending or active, are never touched.

    Safe to run at any time; returns what it did.
    """
    counts = {"activated": 0, "deleted": 0, "skipped": 0, "profiles_deleted": 0}
    for user in selectors.user_list_pending(older_than=older_than):
        try:
            profile = clients.user_profile_get(user_id=user.id)
        except ServiceUnavailable:
            counts["skipped"] += 1
            continue
        # Still pending: a registration sent again may have completed it meanwhile.
        pending = User.objects.filter(pk=user.pk, state=UserState.PENDING)
        if profile is None:
            deleted, _ = pending.delete()
            counts["deleted"] += bool(deleted)
        else:
            counts["activated"] += pending.update(state=UserState.ACTIVE, is_active=True)
    deleted, skipped = _orphan_profiles_delete(older_than=older_than, profiles_since=profiles_since)
    counts["profiles_deleted"] += deleted
    counts["skipped"] += skipped
    return counts


def _orphan_profiles_delete(
    *, older_than: timedelta, profiles_since: timedelta | None
) -> tuple[int, int]:
    """Delete profiles older than ``older_than`` whose user id has no account; ``(deleted, skipped)``.

    Every candidate is listed first (deleting while paging would shift the
    pages). A user id is minted here before its profile is made and never
    used again, so an id without an account now never gets one.
    """
    now = timezone.now()
    try:
        candidates = [
            profile.user_id
            for profile in clients.user_profile_list_created(
                before=now - older_than,
                after=now - profiles_since if profiles_since is not None else None,
            )
        ]
    except ServiceUnavailable:
        logger.warning("Profiles could not be listed: orphan profiles are left for the next run")
        return 0, 1
    deleted = skipped = 0
    for start in range(0, len(candidates), 500):
        chunk = candidates[start : start + 500]
        known = set(selectors.user_ids_existing(user_ids=chunk))
        for user_id in chunk:
            if user_id in known:
                continue
            try:
                if clients.user_profile_delete(user_id=user_id):
                    deleted += 1
                    logger.info("Deleted the profile of %s: its registration was undone", user_id)
            except ServiceUnavailable:
                skipped += 1
    return deleted, skipped
