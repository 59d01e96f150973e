"""Every write of the accounts app: registration, sign-in, token rotation, service tokens."""

from __future__ import annotations

import logging
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError

from auth_service.accounts import clients, selectors, throttling
from auth_service.accounts.exceptions import (
    EmailTaken,
    InvalidClient,
    InvalidCredentials,
    InvalidRefreshToken,
    InvalidScope,
    InvalidTarget,
    PasswordChangeRequired,
    ProfileRejected,
    RegistrationUnconfirmed,
    UnsupportedGrantType,
)
from auth_service.accounts.models import RefreshTokenRecord, Role, ServiceAccount, User, UserState
from auth_service.accounts.tokens import (
    AUTH_TIME_CLAIM,
    FAMILY_CLAIM,
    REFRESH_AUDIENCE,
    ServiceToken,
    UserRefreshToken,
)
from common.admin_groups import local_groups
from common.conf import is_placeholder
from common.errors import ServiceUnavailable
from common.permissions import GROUP_CLINIC_ADMIN, STAFF_GROUPS

logger = logging.getLogger(__name__)

# A hash to check against when a client id is unknown, so that the answer
# takes as long as for a known client with a wrong secret.
_DUMMY_SECRET_HASH = make_password("not-a-real-secret")


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str


@dataclass(frozen=True)
class IssuedServiceToken:
    access_token: str
    expires_in: int
    scope: str


def _validate_new_password(password: str, *, user: User, field: str) -> None:
    """Run Django's password validators; report failures under ``field``."""
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({field: exc.error_list}) from exc


# Registration -----------------------------------------------------------------


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
    _validate_new_password(password, user=user, field="password")
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


def _check_staff_groups(groups: list[str]) -> None:
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
    _validate_new_password(password, user=user, field="password")
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


# Sign-in and tokens -----------------------------------------------------------


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
    try:
        return UserRefreshToken(token)  # type: ignore[arg-type]  # simplejwt types the encoded token as a Token
    except TokenError as exc:
        raise InvalidRefreshToken() from exc


# How long a loser of a rotation race waits for the winner's pair to reach the cache.
_GRACE_WAIT_SECONDS = 2.0
_GRACE_POLL_SECONDS = 0.05


def _grace_key(jti: str) -> str:
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
        cache.set(_grace_key(jti), value, timeout=grace + _GRACE_WAIT_SECONDS + 1)
    except Exception:  # the cache is down: no grace for this rotation
        logger.warning("Could not keep refresh token %s for the reuse grace window", jti)


def _grace_pair(*, jti: str) -> TokenPair | None:
    """The pair that replaced ``jti`` when reusing it now is a benign race, else None.

    A benign race: ``jti`` was used at most ``REFRESH_REUSE_GRACE_SECONDS``
    ago, nothing in it was revoked (logout, password change), and the token
    that replaced it is still unused (only the immediate predecessor gets
    grace). The winner's pair is then awaited in the cache for up to
    ``_GRACE_WAIT_SECONDS``; if it never comes, ``InvalidRefreshToken`` is
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
    deadline = time.monotonic() + _GRACE_WAIT_SECONDS
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
        time.sleep(_GRACE_POLL_SECONDS)
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


# Staff operations on accounts --------------------------------------------------------

# Unambiguous letters and digits (no 0/o, 1/l/i): read out over the phone or from a screen.
_TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def _temporary_password() -> str:
    """Twelve random characters in three groups (about 59 bits): ``k7qm-x3fp-w9cz``."""
    chars = "".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(12))
    return "-".join(chars[i : i + 4] for i in range(0, 12, 4))


def _refuse_own_account(*, user: User, actor: User, what: str) -> None:
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
    temporary = _temporary_password()
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
    _validate_new_password(new_password, user=user, field="new_password")
    if new_password == temporary_password:
        raise ValidationError(
            {
                "new_password": [
                    ValidationError(
                        "Choose a password of your own, not the temporary one.",
                        code="password-unchanged",
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
    _validate_new_password(new_password, user=user, field="new_password")
    with transaction.atomic():
        user.set_password(new_password)
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "password_changed_at"])
        user_refresh_tokens_revoke(user=user)


# Service accounts ----------------------------------------------------------------


def service_account_upsert(
    *, client_id: str, secret: str, grants: dict[str, list[str]]
) -> ServiceAccount:
    """Create or update a service account; the secret is stored hashed.

    ``grants`` maps each audience the account may get tokens for to the
    scopes it may ask for there (and replaces what it had). Raises Django
    ``ValidationError`` for a short or placeholder secret or malformed grants.
    """
    if len(secret) < 24:
        raise ValidationError({"secret": ["A client secret needs at least 24 characters."]})
    if is_placeholder(secret):
        raise ValidationError({"secret": ["A client secret must not be a change-me placeholder."]})
    account = ServiceAccount.objects.filter(client_id=client_id).first() or ServiceAccount(
        client_id=client_id
    )
    account.secret_hash = make_password(secret)
    account.grants = {
        audience: sorted(set(scopes)) if isinstance(scopes, list) else scopes
        for audience, scopes in grants.items()
    }  # full_clean() below refuses anything but lists of scopes
    account.is_active = True
    account.full_clean(validate_unique=False)
    account.save()
    return account


def _service_token_mint(*, client_id: str, audience: str, scopes: list[str]) -> IssuedServiceToken:
    token = ServiceToken()
    token["sub"] = f"service:{client_id}"
    token["aud"] = audience
    token["scope"] = " ".join(sorted(scopes))
    return IssuedServiceToken(
        access_token=str(token),
        expires_in=int(settings.SERVICE_TOKEN_LIFETIME.total_seconds()),
        scope=token["scope"],
    )


def service_token_issue(
    *, grant_type: str, client_id: str, client_secret: str, audience: str, scope: str | None
) -> IssuedServiceToken:
    """The OAuth 2.0 client-credentials grant (RFC 6749 §4.4).

    The token's ``aud`` is the one service asked for; its scope is the asked
    scope (or, when none is asked, every scope the account holds for that
    audience): a scope granted for another audience is refused. Raises
    ``UnsupportedGrantType``, ``InvalidClient``, ``InvalidTarget`` or
    ``InvalidScope``.
    """
    if grant_type != "client_credentials":
        raise UnsupportedGrantType()
    account = ServiceAccount.objects.filter(client_id=client_id, is_active=True).first()
    secret_ok = check_password(
        client_secret, account.secret_hash if account else _DUMMY_SECRET_HASH
    )
    if account is None or not secret_ok:
        raise InvalidClient()
    granted = account.grants.get(audience)
    if granted is None:
        raise InvalidTarget()
    requested = scope.split() if scope else list(granted)
    if not set(requested) <= set(granted):
        raise InvalidScope()
    ServiceAccount.objects.filter(pk=account.pk).update(last_token_at=timezone.now())
    return _service_token_mint(client_id=client_id, audience=audience, scopes=requested)


class LocalServiceTokenProvider:
    """auth_service's own service tokens, minted in-process (it holds the key).

    Scopes per audience come from ``AUTH_SERVICE_OUTGOING_SCOPES``.
    """

    def __init__(self) -> None:
        self._cache: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def get_token(self, audience: str) -> str:
        with self._lock:
            cached = self._cache.get(audience)
            if cached and cached[1] - 30 > time.time():
                return cached[0]
            issued = _service_token_mint(
                client_id=settings.SERVICE_NAME,
                audience=audience,
                scopes=settings.AUTH_SERVICE_OUTGOING_SCOPES[audience],
            )
            self._cache[audience] = (issued.access_token, time.time() + issued.expires_in)
            return issued.access_token

    def invalidate(self, audience: str) -> None:
        with self._lock:
            self._cache.pop(audience, None)
