"""Staff accounts: their groups and admin access, their creation, and their admin sign-in."""

from __future__ import annotations

import uuid

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from auth_service.accounts import selectors, throttling
from auth_service.accounts.exceptions import InvalidCredentials, PasswordChangeRequired
from auth_service.accounts.models import Role, User, UserState
from auth_service.accounts.services.passwords import password_validate
from auth_service.accounts.services.sign_in import TokenPair, token_pair_issue
from common.admin_groups import local_groups
from common.permissions import GROUP_CLINIC_ADMIN, STAFF_GROUPS


def _check_staff_groups(groups: list[str]) -> None:
    """Raise Django ``ValidationError`` (field ``groups``) for any name not a known staff group."""
    unknown = sorted(set(groups) - set(STAFF_GROUPS))
    if unknown:
        raise ValidationError(
            {
                "groups": [
                    f"Unknown staff group {', '.join(unknown)}; known: {', '.join(STAFF_GROUPS)}."
                ]
            }
        )


def staff_access_sync(*, user: User) -> User:
    """Set ``is_staff`` and ``is_superuser`` from the role and the staff groups.

    An admin lets in only a staff account with at least one known group;
    only clinic-admin is a superuser. An account that is not staff leaves
    every staff group. Call after any change of role or groups.
    """
    if user.role != Role.STAFF:
        user.groups.remove(*user.groups.filter(name__in=STAFF_GROUPS))
    groups = selectors.user_staff_groups(user=user)
    user.is_staff = bool(groups)
    user.is_superuser = GROUP_CLINIC_ADMIN in groups
    User.objects.filter(pk=user.pk).update(is_staff=user.is_staff, is_superuser=user.is_superuser)
    return user


def staff_groups_set(*, user: User, groups: list[str]) -> User:
    """Put the staff account ``user`` in exactly ``groups`` (known staff groups) and sync access.

    Raises Django ``ValidationError`` (400) for an unknown group or an account
    that is not staff; nothing changes then.
    """
    _check_staff_groups(groups)
    if user.role != Role.STAFF and groups:
        raise ValidationError({"groups": ["Only staff accounts join staff groups."]})
    with transaction.atomic():
        keep = user.groups.exclude(name__in=STAFF_GROUPS)
        user.groups.set([*keep, *local_groups(groups)])
        return staff_access_sync(user=user)


def staff_create(*, email: str, password: str, groups: list[str] | None = None) -> User:
    """Create (or update the password of) a staff account; ``groups`` say what it may do.

    Without ``groups`` an account that was not staff yet joins clinic-admin
    (the first staff account sets up the others), and an existing staff
    account keeps its groups (a password reset never gives rights back).
    Raises Django ``ValidationError`` for a weak password or an unknown group.
    """
    email = email.strip().lower()
    _check_staff_groups(groups or [])
    user = selectors.user_get_by_email(email=email) or User(email=email)
    password_validate(password, user=user, field="password")
    if groups is None and (user._state.adding or user.role != Role.STAFF):
        groups = [GROUP_CLINIC_ADMIN]
    user.role = Role.STAFF
    user.state = UserState.ACTIVE
    user.is_active = True
    user.set_password(password)
    user.full_clean(validate_unique=False, validate_constraints=False)
    with transaction.atomic():
        user.save()
        if groups is not None:
            return staff_groups_set(user=user, groups=groups)
        return staff_access_sync(user=user)


def user_upsert_demo(
    *, user_id: uuid.UUID, email: str, password: str, role: str, groups: list[str] | None = None
) -> User:
    """Create or reset a demo account with a fixed id (used by ``seed_demo``).

    A demo staff account is in ``groups`` (clinic-admin when not given).
    """
    with transaction.atomic():
        user, _ = User.objects.update_or_create(
            id=user_id,
            defaults={
                "email": email.lower(),
                "role": role,
                "state": UserState.ACTIVE,
                "is_active": True,
            },
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        staff_groups = (groups or [GROUP_CLINIC_ADMIN]) if role == Role.STAFF else []
        return staff_groups_set(user=user, groups=staff_groups)


def staff_login(*, email: str, password: str, address: str) -> User:
    """Check the credentials of a staff member signing in to an admin; return the account.

    Throttled like ``user_login`` (the same counters, the address being the
    browser's; the attempt counted before the password is checked). Raises
    ``Throttled`` (429), ``ServiceUnavailable`` (503) when the cache cannot
    count, and ``InvalidCredentials`` (401) for a wrong email or password and
    for an account that is not staff with at least one known group alike
    (both stay counted as failures).
    """
    throttling.password_attempt_begin(email=email, address=address)
    user = authenticate(email=email.strip().lower(), password=password)
    if user is None or not selectors.user_staff_groups(user=user):
        raise InvalidCredentials()
    throttling.password_attempt_succeeded(email=email, address=address)
    if user.must_change_password:
        raise PasswordChangeRequired()
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    return user


def staff_token_issue(*, email: str, password: str, address: str) -> TokenPair:
    """A token pair for a staff member signing in to an admin (see ``staff_login``).

    A temporary password (``PasswordChangeRequired`` in ``staff_login``) is
    refused here as ``InvalidCredentials``: the admins know that answer.
    """
    try:
        user = staff_login(email=email, password=password, address=address)
    except PasswordChangeRequired as exc:
        raise InvalidCredentials() from exc
    return token_pair_issue(user=user)
