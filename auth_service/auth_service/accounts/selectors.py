"""Every read of the accounts app."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.db.models import Min, QuerySet
from django.utils import timezone

from auth_service.accounts.models import RefreshTokenRecord, Role, User, UserState
from common.permissions import STAFF_GROUPS


def user_get_by_email(*, email: str) -> User | None:
    """Return the account with ``email`` (case-insensitive), or None."""
    return User.objects.filter(email__iexact=email.strip()).first()


def user_get_active(*, user_id: uuid.UUID | str) -> User | None:
    """Return the active account ``user_id``, or None."""
    return User.objects.filter(pk=user_id, is_active=True).first()


def user_list_pending(*, older_than: timedelta) -> QuerySet[User]:
    """Registrations still pending after ``older_than``."""
    return User.objects.filter(state=UserState.PENDING, date_joined__lt=timezone.now() - older_than)


def refresh_family_started_at(*, family_id: uuid.UUID | str) -> datetime | None:
    """When the first refresh token of a family (its sign-in) was recorded, or None."""
    return RefreshTokenRecord.objects.filter(family_id=family_id).aggregate(
        first=Min("created_at")
    )["first"]


def refresh_token_get(*, jti: str) -> RefreshTokenRecord | None:
    """The state of refresh token ``jti``, or None."""
    return RefreshTokenRecord.objects.filter(jti=jti).first()


def refresh_token_is_live(*, jti: str) -> bool:
    """Whether refresh token ``jti`` is recorded and neither used nor revoked."""
    return RefreshTokenRecord.objects.filter(
        jti=jti, used_at__isnull=True, revoked_at__isnull=True
    ).exists()


def user_ids_existing(*, user_ids: list[uuid.UUID]) -> list[uuid.UUID]:
    """The ids among ``user_ids`` that have an account (in any state)."""
    return list(User.objects.filter(pk__in=user_ids).values_list("pk", flat=True))


def user_staff_groups(*, user: User) -> list[str]:
    """The known staff groups ``user`` is in, sorted; none for an account that is not staff."""
    if user.role != Role.STAFF:
        return []
    return sorted(user.groups.filter(name__in=STAFF_GROUPS).values_list("name", flat=True))
