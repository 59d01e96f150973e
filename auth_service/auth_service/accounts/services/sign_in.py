"""Sign-in and user token pairs: issue, rotate (with the reuse grace), sign out, revoke."""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError

from auth_service.accounts import selectors, throttling
from auth_service.accounts.exceptions import (
    InvalidCredentials,
    InvalidRefreshToken,
    PasswordChangeRequired,
)
from auth_service.accounts.models import RefreshTokenRecord, Role, User
from auth_service.accounts.tokens import (
    AUTH_TIME_CLAIM,
    FAMILY_CLAIM,
    REFRESH_AUDIENCE,
    UserRefreshToken,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TokenPair:
    """An access token and the refresh token that renews it, both signed."""

    access: str
    refresh: str


def token_pair_issue(
    *, user: User, family_id: uuid.UUID | None = None, auth_time: int | None = None
) -> TokenPair:
    """Issue an access token and a refresh token, and record the refresh token's state.

    ``family_id`` and ``auth_time`` (the sign-in's Unix time) are those of the
    token being rotated; a new sign-in starts a family at the current time. The
    refresh token expires no later than ``auth_time`` plus
    ``REFRESH_TOKEN_ABSOLUTE_LIFETIME``.

    The account is locked meanwhile (as by ``user_deactivate`` and
    ``user_password_reset``) and must still stand as ``user`` was read:
    active, same password, tokens not revoked since, no password change due.
    Otherwise ``InvalidCredentials`` (401) is raised and nothing is issued,
    so a sign-in racing a revocation never outlives it.
    """
    with transaction.atomic():
        current = selectors.user_get_for_update(user_id=user.pk)
        if (
            current is None
            or not current.is_active
            or current.must_change_password
            or current.password != user.password
            or current.tokens_revoked_at != user.tokens_revoked_at
        ):
            raise InvalidCredentials()
        refresh = UserRefreshToken.for_user(current)
        refresh["role"] = current.role
        refresh[FAMILY_CLAIM] = str(family_id or uuid.uuid4())
        refresh[AUTH_TIME_CLAIM] = auth_time if auth_time is not None else refresh["iat"]
        refresh["exp"] = min(refresh["exp"], _sign_in_deadline(refresh[AUTH_TIME_CLAIM]))
        access = refresh.access_token
        access["aud"] = settings.JWT_USER_AUDIENCE
        if current.tokens_revoked_at is not None:
            # Issued in the very second of the last revocation, yet after it: not refused.
            floor = selectors.revoked_before(current.tokens_revoked_at)
            access["iat"] = max(access["iat"], floor)
        if current.role == Role.STAFF:
            access["groups"] = selectors.user_staff_groups(user=current)  # what each admin allows
        refresh["aud"] = REFRESH_AUDIENCE
        RefreshTokenRecord.objects.create(
            jti=refresh["jti"],
            user=current,
            family_id=refresh[FAMILY_CLAIM],
            expires_at=datetime.fromtimestamp(refresh["exp"], tz=UTC),
        )
    return TokenPair(access=str(access), refresh=str(refresh))


def user_login(*, email: str, password: str, address: str) -> TokenPair:
    """Check the credentials and issue a token pair.

    The attempt is counted for the account and the address before the
    password is checked, so parallel guesses cannot pass the limit. Raises
    ``Throttled`` (429) when either is over its limit, and
    ``InvalidCredentials`` (401) for a wrong email or password and a
    deactivated account alike (no hint which). A temporary password set by
    staff (``user_password_reset``) raises ``PasswordChangeRequired`` (403):
    no tokens until ``user_password_renew``.
    """
    throttling.password_attempt_begin(email=email, address=address)
    user = authenticate(email=email.strip().lower(), password=password)
    if user is None:
        raise InvalidCredentials()
    throttling.password_attempt_succeeded(email=email, address=address)
    if user.must_change_password:
        raise PasswordChangeRequired()
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    return token_pair_issue(user=user)


def _sign_in_deadline(auth_time: int) -> int:
    """The Unix time after which no refresh token of a sign-in at ``auth_time`` is valid."""
    return auth_time + int(settings.REFRESH_TOKEN_ABSOLUTE_LIFETIME.total_seconds())


def _auth_time(token: UserRefreshToken) -> int:
    """The sign-in time of ``token``'s family: its claim, else (older tokens) its first record."""
    if AUTH_TIME_CLAIM in token:
        return int(token[AUTH_TIME_CLAIM])
    first = selectors.refresh_family_started_at(family_id=token[FAMILY_CLAIM])
    return int(first.timestamp()) if first else int(token["iat"])


def _decode_refresh(token: str) -> UserRefreshToken:
    """Verify a refresh token sent by a client; ``InvalidRefreshToken`` (401) if it is not one."""
    try:
        return UserRefreshToken(token)  # type: ignore[arg-type]  # simplejwt types the encoded token as a Token
    except TokenError as exc:
        raise InvalidRefreshToken() from exc


# How long a loser of a rotation race waits for the winner's pair to reach the cache.
GRACE_WAIT_SECONDS = 2.0
GRACE_POLL_SECONDS = 0.05


def _grace_key(jti: str) -> str:
    """The cache key under which the pair that replaced refresh token ``jti`` is kept."""
    return f"refresh-grace:{jti}"


def _grace_remember(*, jti: str, pair: TokenPair) -> None:
    """Keep the pair that replaced ``jti`` in the shared cache for the grace window.

    Called once the rotation is committed. A cache failure costs only the
    grace (a concurrent reuse is then refused), never the rotation itself.
    """
    grace = settings.REFRESH_REUSE_GRACE_SECONDS
    if grace <= 0:
        return
    new_jti = jwt.decode(pair.refresh, options={"verify_signature": False})["jti"]
    value = {"access": pair.access, "refresh": pair.refresh, "jti": new_jti}
    try:
        cache.set(_grace_key(jti), value, timeout=grace + GRACE_WAIT_SECONDS + 1)
    except Exception:  # the cache is down: no grace for this rotation
        logger.warning("Could not keep refresh token %s for the reuse grace window", jti)


def _grace_pair(*, jti: str) -> TokenPair | None:
    """The pair that replaced ``jti`` when reusing it now is a benign race, else None.

    A benign race: ``jti`` was used at most ``REFRESH_REUSE_GRACE_SECONDS``
    ago, nothing in it was revoked (logout, password change), and the token
    that replaced it is still unused (only the immediate predecessor gets
    grace). The winner's pair is then awaited in the cache for up to
    ``GRACE_WAIT_SECONDS``; if it never comes, ``InvalidRefreshToken`` is
    raised without revoking anything. None means: treat as reuse.
    """
    grace = settings.REFRESH_REUSE_GRACE_SECONDS
    if grace <= 0:
        return None
    record = selectors.refresh_token_get(jti=jti)
    if record is None or record.used_at is None or record.revoked_at is not None:
        return None
    if timezone.now() - record.used_at > timedelta(seconds=grace):
        return None
    deadline = time.monotonic() + GRACE_WAIT_SECONDS
    while True:
        try:
            stored = cache.get(_grace_key(jti))
        except Exception:  # the cache is down: refuse, but this was no theft
            stored = None
        if stored is not None:
            break
        if time.monotonic() >= deadline:
            logger.warning("Refresh token %s reused in its grace window; no pair to give", jti)
            raise InvalidRefreshToken()
        time.sleep(GRACE_POLL_SECONDS)
    if not selectors.refresh_token_is_live(jti=stored["jti"]):
        return None
    return TokenPair(access=stored["access"], refresh=stored["refresh"])


def token_refresh(*, refresh: str) -> TokenPair:
    """Rotate a refresh token: mark it used and issue a new pair in its family.

    Marking it used is one conditional UPDATE, so of many concurrent uses
    exactly one wins. A loser within the grace window gets the winner's pair
    (see ``_grace_pair``: two tabs refreshing at once keep the sign-in). Any
    other use of a used or revoked token is reuse: the whole family is
    revoked (committed) and ``InvalidRefreshToken`` (401) raised. A family
    past its sign-in's absolute lifetime is refused (``InvalidRefreshToken``)
    before anything changes.
    """
    token = _decode_refresh(refresh)
    jti = token["jti"]
    now = timezone.now()
    auth_time = _auth_time(token)
    if now.timestamp() >= _sign_in_deadline(auth_time):
        raise InvalidRefreshToken("This sign-in has lasted as long as it may; sign in again.")
    pair = None
    with transaction.atomic():
        # The account first: a deactivation or password reset holding it has revoked this
        # token by the time the update below runs.
        user = selectors.user_get_for_update(user_id=token["sub"])
        won = RefreshTokenRecord.objects.filter(
            jti=jti, used_at__isnull=True, revoked_at__isnull=True
        ).update(used_at=now)
        if won and user is not None and user.is_active and not user.must_change_password:
            pair = token_pair_issue(
                user=user, family_id=uuid.UUID(token[FAMILY_CLAIM]), auth_time=auth_time
            )
    if pair is not None:
        _grace_remember(jti=jti, pair=pair)
        return pair
    if not won:
        pair = _grace_pair(jti=jti)
        if pair is not None:
            return pair
    # Reuse (or a vanished account): end the whole family, then refuse.
    revoked = RefreshTokenRecord.objects.filter(
        family_id=token[FAMILY_CLAIM], revoked_at__isnull=True
    ).update(revoked_at=now)
    if revoked:
        logger.warning("Refresh token reuse: revoked family %s", token[FAMILY_CLAIM])
    raise InvalidRefreshToken()


def token_logout(*, refresh: str) -> None:
    """Revoke the refresh token's whole family (idempotent)."""
    token = _decode_refresh(refresh)
    RefreshTokenRecord.objects.filter(
        family_id=token[FAMILY_CLAIM], revoked_at__isnull=True
    ).update(revoked_at=timezone.now())


def user_refresh_tokens_revoke(*, user: User) -> int:
    """Revoke every live refresh token of ``user``; return how many."""
    return RefreshTokenRecord.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
