"""Every read of the accounts app."""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta

from django.conf import settings
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


# The most ids one batch look-up (GET /internal/v1/accounts/?ids=) may name.
ACCOUNT_LIST_MAX_IDS = 100
# The most accounts one email search (GET /internal/v1/accounts/?email=) answers.
ACCOUNT_EMAIL_SEARCH_MAX_RESULTS = 20


def user_list_by_ids(*, user_ids: list[uuid.UUID]) -> list[User]:
    """Return the accounts (in any state) of ``user_ids``, in that order; unknown ids left out.

    One query however many ids.
    """
    found = {user.pk: user for user in User.objects.filter(pk__in=user_ids)}
    return [found[user_id] for user_id in user_ids if user_id in found]


def user_search_by_email(*, text: str) -> list[User]:
    """Return the first ``ACCOUNT_EMAIL_SEARCH_MAX_RESULTS`` accounts whose email contains
    ``text`` (any case), by email. One query."""
    users = User.objects.filter(email__icontains=text.strip()).order_by("email")
    return list(users[:ACCOUNT_EMAIL_SEARCH_MAX_RESULTS])


def user_ids_existing(*, user_ids: list[uuid.UUID]) -> list[uuid.UUID]:
    """The ids among ``user_ids`` that have an account (in any state)."""
    return list(User.objects.filter(pk__in=user_ids).values_list("pk", flat=True))


def user_staff_groups(*, user: User) -> list[str]:
    """The known staff groups ``user`` is in, sorted; none for an account that is not staff."""
    if user.role != Role.STAFF:
        return []
    return sorted(user.groups.filter(name__in=STAFF_GROUPS).values_list("name", flat=True))


def user_get_for_update(*, user_id: uuid.UUID | str) -> User | None:
    """Lock and return account ``user_id`` (in any state), or None. Call inside a transaction.

    Every issue of tokens and every revocation (deactivation, password reset)
    takes this lock first, so they never interleave.
    """
    return User.objects.select_for_update().filter(pk=user_id).first()


# Tokens outlive a revocation by at most their lifetime (plus clock leeway): so long an
# entry stays on the revocation list.
REVOCATION_MARGIN = timedelta(seconds=60)


def revocation_window() -> timedelta:
    """How long a revocation stays listed: until every token it refuses has expired."""
    return settings.ACCESS_TOKEN_LIFETIME + REVOCATION_MARGIN


def revoked_before(at: datetime) -> int:
    """The Unix time before which tokens are refused after a revocation at ``at``.

    Rounded up: a token's ``iat`` is whole seconds, so one issued in the same
    second before the revocation is refused too (``sign_in.token_pair_issue``
    dates any later token of that second at this time).
    """
    return math.ceil(at.timestamp())


def revocation_list() -> list[tuple[uuid.UUID, int]]:
    """``(user id, revoked_before)`` of each account whose tokens were revoked recently.

    Recently: within the access-token lifetime plus ``REVOCATION_MARGIN``;
    every token an older revocation refused has expired since. An account
    that is inactive now refuses every token issued until now.
    """
    now = timezone.now()
    since = now - revocation_window()
    rows = User.objects.filter(tokens_revoked_at__gte=since).values_list(
        "pk", "tokens_revoked_at", "is_active"
    )
    # ``at`` is never null: the filter above compares it.
    return [
        (pk, revoked_before(at) if active else max(revoked_before(at), int(now.timestamp()) + 1))  # type: ignore[arg-type]
        for pk, at, active in rows.order_by("tokens_revoked_at")
    ]


def account_token_is_revoked(account: User | None, *, iat: int) -> bool:
    """Whether ``account``'s access token issued at ``iat`` is refused (see below); None: no."""
    if account is None:
        return False
    if not account.is_active:
        return True
    at = account.tokens_revoked_at
    return at is not None and iat < revoked_before(at)


def access_token_is_revoked(*, user_id: uuid.UUID | str, iat: int) -> bool:
    """Whether an access token of ``user_id`` issued at ``iat`` is refused here.

    auth_service looks at its own accounts: an inactive account, or a token
    issued before the account's tokens were revoked. (A deleted account is
    each endpoint's 404.)
    """
    row = User.objects.filter(pk=user_id).values("is_active", "tokens_revoked_at").first()
    if row is None:
        return False
    if not row["is_active"]:
        return True
    at = row["tokens_revoked_at"]
    return at is not None and iat < revoked_before(at)
