"""Every write of the scheduling app: schedules, rules, time off, policy, slot holds."""

from __future__ import annotations

import copy
import datetime
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone as dj_timezone

from common.errors import ServiceUnavailable
from common.permissions import ROLE_DOCTOR, ROLE_STAFF
from schedule_service.scheduling import clients, selectors
from schedule_service.scheduling.exceptions import (
    DoctorNotFound,
    DoctorProfileMissing,
    RuleOverlap,
    SlotHeldByOther,
    SlotNotFound,
    SlotTaken,
    SlotUnavailable,
    TooManyRules,
    TooManyTimeOff,
)
from schedule_service.scheduling.models import (
    AvailabilityRule,
    DoctorSchedule,
    SlotHold,
    TimeOff,
    validate_date_in_window,
)
from schedule_service.scheduling.slots import is_timezone

logger = logging.getLogger(__name__)

RULE_FIELDS = frozenset(
    {"weekday", "start_time", "end_time", "slot_minutes", "valid_from", "valid_until"}
)
POLICY_FIELDS = frozenset(
    {
        "min_notice_minutes",
        "horizon_days",
        "buffer_minutes",
        "cancel_cutoff_hours",
        "reschedule_cutoff_hours",
    }
)
MAX_RULES_PER_DOCTOR = 100


@dataclass(frozen=True)
class Reservation:
    """A held slot and the cut-offs appointment_service must honour for it."""

    hold: SlotHold
    doctor_id: uuid.UUID
    cancel_cutoff_hours: int
    reschedule_cutoff_hours: int


# Schedules and their time zone


def _doctor_profile(doctor_id: uuid.UUID) -> clients.DoctorProfile:
    """Ask user_service for the doctor's profile; raise when there is no usable doctor profile."""
    profile = clients.user_doctor_get(doctor_id=doctor_id)
    if profile is None or profile.role != ROLE_DOCTOR:
        raise DoctorProfileMissing()
    if not profile.timezone or not is_timezone(profile.timezone):
        raise ServiceUnavailable("The user_service gave the doctor an unusable time zone.")
    return profile


def schedule_get_or_create(
    *, doctor_id: uuid.UUID, now: datetime.datetime | None = None
) -> DoctorSchedule:
    """Return the doctor's schedule, creating it with the time zone of their profile.

    Creation asks user_service (no transaction is open meanwhile). Raises
    ``ServiceUnavailable`` (503) when it cannot answer and
    ``DoctorProfileMissing`` (409) when it holds no doctor profile for ``doctor_id``.
    """
    schedule = selectors.schedule_find(doctor_id=doctor_id)
    if schedule is not None:
        return schedule
    return _schedule_create(doctor_id=doctor_id, now=now)


def _schedule_create(*, doctor_id: uuid.UUID, now: datetime.datetime | None) -> DoctorSchedule:
    now = now or dj_timezone.now()
    profile = _doctor_profile(doctor_id)
    schedule = DoctorSchedule(
        doctor_id=doctor_id,
        timezone=profile.timezone,  # type: ignore[misc]  # full_clean refuses a missing one
        timezone_checked_at=now,
        doctor_approved=profile.approved,
        approval_checked_at=now,
    )
    schedule.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            schedule.save(force_insert=True)
    except IntegrityError:
        # A concurrent first request made it: the unique doctor_id is the arbiter.
        stored = selectors.schedule_find(doctor_id=doctor_id)
        if stored is None:
            raise
        return stored
    return schedule


def schedule_timezone_refresh(
    *, schedule: DoctorSchedule, now: datetime.datetime | None = None
) -> DoctorSchedule:
    """Copy the doctor's time zone (and an approval) from user_service into ``schedule``; return it.

    A failure (user_service down, no doctor profile, unusable zone) keeps the
    cached zone and is logged, never raised; the attempt is recorded, so the
    next one waits for the TTL instead of every listing calling user_service.
    """
    now = now or dj_timezone.now()
    try:
        profile = _doctor_profile(schedule.doctor_id)
    except (ServiceUnavailable, DoctorProfileMissing) as exc:
        logger.warning(
            "Keeping time zone %s of doctor %s: %s", schedule.timezone, schedule.doctor_id, exc
        )
        if schedule.pk is None:
            return schedule
        DoctorSchedule.objects.filter(pk=schedule.pk).update(timezone_checked_at=now)
        retried_later = copy.copy(schedule)
        retried_later.timezone_checked_at = now
        return retried_later
    zone = profile.timezone
    changes: dict[str, Any] = {"timezone": zone, "timezone_checked_at": now}
    if profile.approved and not schedule.doctor_approved:
        # Approval is for good: only ever copied from false to true.
        changes.update(doctor_approved=True, approval_checked_at=now)
    if zone != schedule.timezone:
        logger.info("Doctor %s moved from %s to %s", schedule.doctor_id, schedule.timezone, zone)
        changes["updated_at"] = now
    DoctorSchedule.objects.filter(pk=schedule.pk).update(**changes)
    refreshed = copy.copy(schedule)
    for name, value in changes.items():
        setattr(refreshed, name, value)
    return refreshed


def schedule_for_doctor(
    *, doctor_id: uuid.UUID, write: bool, now: datetime.datetime | None = None
) -> DoctorSchedule:
    """Return the calling doctor's schedule, made on first use, with a current time zone.

    The zone is refreshed from user_service before every write and, for
    reads, once it is older than ``DOCTOR_TIMEZONE_TTL_SECONDS``. Raises as
    ``schedule_get_or_create`` when the schedule does not exist yet.
    """
    now = now or dj_timezone.now()
    schedule = selectors.schedule_find(doctor_id=doctor_id)
    if schedule is None:
        return _schedule_create(doctor_id=doctor_id, now=now)
    if write or selectors.schedule_timezone_is_stale(schedule, now=now):
        return schedule_timezone_refresh(schedule=schedule, now=now)
    return schedule


def schedule_find_fresh(
    *, doctor_id: uuid.UUID, now: datetime.datetime | None = None
) -> DoctorSchedule | None:
    """Return the doctor's schedule (``None`` if none), its zone refreshed only when stale.

    For slot listings: no query beyond the look-up unless the zone is stale.
    """
    now = now or dj_timezone.now()
    schedule = selectors.schedule_find(doctor_id=doctor_id)
    if schedule is not None and selectors.schedule_timezone_is_stale(schedule, now=now):
        schedule = schedule_timezone_refresh(schedule=schedule, now=now)
    return schedule


def schedule_approval_refresh(
    *, schedule: DoctorSchedule, now: datetime.datetime | None = None
) -> DoctorSchedule:
    """Ask user_service whether the schedule's pending doctor is approved now; return the schedule.

    Asks only when ``selectors.schedule_approval_is_stale``: never for an
    approved doctor, and for a pending one at most once every
    ``DOCTOR_APPROVAL_RECHECK_SECONDS`` across all processes (the caller that
    moves ``approval_checked_at`` on asks; a concurrent one takes the doctor
    as pending meanwhile). Raises ``ServiceUnavailable`` (503) when
    user_service cannot answer: a pending doctor is never taken for approved.
    """
    now = now or dj_timezone.now()
    if not selectors.schedule_approval_is_stale(schedule, now=now):
        return schedule
    claimed = DoctorSchedule.objects.filter(
        pk=schedule.pk,
        doctor_approved=False,
        approval_checked_at=schedule.approval_checked_at,
    ).update(approval_checked_at=now)
    checked = copy.copy(schedule)
    checked.approval_checked_at = now
    if not claimed:
        # Another request is asking (or the row changed): go by what is stored.
        stored = selectors.schedule_find(doctor_id=schedule.doctor_id)
        return stored if stored is not None else checked
    try:
        profile = _doctor_profile(schedule.doctor_id)
    except DoctorProfileMissing:
        logger.warning("Doctor %s has no doctor profile in user_service", schedule.doctor_id)
        return checked
    if profile.approved:
        DoctorSchedule.objects.filter(pk=schedule.pk).update(doctor_approved=True)
        checked.doctor_approved = True
        logger.info("Doctor %s is approved: bookable from now on", schedule.doctor_id)
    return checked


def _sees_pending_doctor(
    *, doctor_id: uuid.UUID, viewer_id: uuid.UUID | None, viewer_role: str
) -> bool:
    # As in user_service: the doctor themself and clinic staff (who decide on the approval).
    return doctor_id == viewer_id or viewer_role == ROLE_STAFF


def schedule_for_listing(
    *,
    doctor_id: uuid.UUID,
    viewer_id: uuid.UUID | None,
    viewer_role: str,
    now: datetime.datetime | None = None,
) -> DoctorSchedule | None:
    """Return the schedule whose slots ``viewer_id`` lists (``None``: an id with no schedule).

    As ``schedule_find_fresh``; for anyone but the doctor and staff, a doctor
    still pending approval is ``DoctorNotFound`` (404), as user_service's
    directory answers. A service listing slots to book (``viewer_id`` None)
    sees what a patient sees. Raises ``ServiceUnavailable`` when approval
    cannot be checked.
    """
    now = now or dj_timezone.now()
    schedule = schedule_find_fresh(doctor_id=doctor_id, now=now)
    if schedule is None or _sees_pending_doctor(
        doctor_id=doctor_id, viewer_id=viewer_id, viewer_role=viewer_role
    ):
        return schedule
    schedule = schedule_approval_refresh(schedule=schedule, now=now)
    if not schedule.doctor_approved:
        raise DoctorNotFound()
    return schedule


def slot_get_for_viewer(
    *,
    slot_id: uuid.UUID,
    viewer_id: uuid.UUID,
    viewer_role: str,
    now: datetime.datetime | None = None,
) -> selectors.SlotState:
    """Return slot ``slot_id`` as ``viewer_id`` may see it (``selectors.slot_get``).

    A slot of a doctor still pending approval is ``SlotNotFound`` (404) for
    anyone but the doctor and staff. Raises ``ServiceUnavailable`` when
    approval cannot be checked.
    """
    now = now or dj_timezone.now()
    schedule, start = selectors.slot_locate(slot_id=slot_id)
    if not _sees_pending_doctor(
        doctor_id=schedule.doctor_id, viewer_id=viewer_id, viewer_role=viewer_role
    ):
        schedule = schedule_approval_refresh(schedule=schedule, now=now)
        if not schedule.doctor_approved:
            raise SlotNotFound()
    return selectors.slot_get_located(schedule=schedule, slot_id=slot_id, start=start, now=now)


def slot_get_for_booking(
    *,
    slot_id: uuid.UUID,
    appointment_id: uuid.UUID | None = None,
    now: datetime.datetime | None = None,
) -> selectors.SlotState:
    """Return slot ``slot_id`` for appointment_service, its doctor's approval checked.

    A pending doctor's slot is not bookable (refusal ``DoctorNotBookable``).
    Raises as ``selectors.slot_get`` and ``ServiceUnavailable`` when approval
    cannot be checked.
    """
    now = now or dj_timezone.now()
    schedule, start = selectors.slot_locate(slot_id=slot_id)
    schedule = schedule_approval_refresh(schedule=schedule, now=now)
    return selectors.slot_get_located(
        schedule=schedule, slot_id=slot_id, start=start, now=now, appointment_id=appointment_id
    )


def schedule_upsert_local(*, doctor_id: uuid.UUID, timezone: str) -> tuple[DoctorSchedule, bool]:
    """Create or update a schedule with a given time zone, without asking user_service.

    For seeding demo data (demo doctors are approved); returns ``(schedule,
    created)``. Raises ``ValidationError``.
    """
    schedule = selectors.schedule_find(doctor_id=doctor_id)
    if schedule is None:
        schedule = DoctorSchedule(doctor_id=doctor_id, timezone=timezone, doctor_approved=True)
        schedule.full_clean(validate_unique=False)
        schedule.save(force_insert=True)
        return schedule, True
    if schedule.timezone != timezone or not schedule.doctor_approved:
        schedule.timezone = timezone
        schedule.doctor_approved = True
        schedule.full_clean()
        schedule.save(update_fields=["timezone", "doctor_approved", "updated_at"])
    return schedule, False


def policy_update(*, schedule: DoctorSchedule, data: Mapping[str, Any]) -> DoctorSchedule:
    """Change the doctor's booking policy fields in ``data``; return the saved schedule.

    Existing holds keep the buffer they were reserved with. Saves nothing
    unless every field is valid. Raises ``ValidationError``; ``ValueError``
    for a field that is not a policy field.
    """
    unknown = set(data) - POLICY_FIELDS
    if unknown:
        raise ValueError(f"Not policy fields: {sorted(unknown)}")
    updated = copy.copy(schedule)
    for name, value in data.items():
        setattr(updated, name, value)
    updated.full_clean()
    with transaction.atomic():
        updated.save(update_fields=[*data, "updated_at"])
    return updated


def _check_date_window(values: Mapping[str, Any]) -> None:
    """Raise ``ValidationError`` (``date-out-of-range``, per field) for a date outside the window.

    The same window as the API's date fields (``models.date_window``), for every caller.
    """
    errors = {}
    for name, value in values.items():
        if value is None:
            continue
        try:
            validate_date_in_window(value)
        except ValidationError as exc:
            errors[name] = exc
    if errors:
        raise ValidationError(errors)


# Availability rules


def _dates_overlap(a: AvailabilityRule, b: AvailabilityRule) -> bool:
    # Open ends are infinite: no valid_from is "always", no valid_until is "forever".
    a_starts_in_time = (
        a.valid_from is None or b.valid_until is None or a.valid_from <= b.valid_until
    )
    b_starts_in_time = (
        b.valid_from is None or a.valid_until is None or b.valid_from <= a.valid_until
    )
    return a_starts_in_time and b_starts_in_time


def _overlapping_rule(
    rule: AvailabilityRule, others: list[AvailabilityRule]
) -> AvailabilityRule | None:
    """Return a rule of ``others`` that offers time on a date and time ``rule`` does too."""
    for other in others:
        if other.pk == rule.pk or other.weekday != rule.weekday:
            continue
        if (
            rule.start_time < other.end_time
            and other.start_time < rule.end_time
            and _dates_overlap(rule, other)
        ):
            return other
    return None


def _rule_save(rule: AvailabilityRule, *, creating: bool) -> AvailabilityRule:
    rule.full_clean(exclude=["doctor"])
    with transaction.atomic():
        # Lock the schedule row: one doctor's rule writes happen one after another.
        selectors.schedule_select_for_update(schedule_id=rule.doctor_id)
        others = list(selectors.rule_list(schedule=rule.doctor))
        if creating and len(others) >= MAX_RULES_PER_DOCTOR:
            raise TooManyRules(
                f"A schedule holds at most {MAX_RULES_PER_DOCTOR} availability rules."
            )
        clash = _overlapping_rule(rule, others)
        if clash is not None:
            raise RuleOverlap(
                f"It overlaps your rule {clash.pk} ({clash}) on some date.", field="start_time"
            )
        rule.save()
    return rule


def rule_create(*, schedule: DoctorSchedule, data: Mapping[str, Any]) -> AvailabilityRule:
    """Add a weekly availability rule to ``schedule``.

    Raises ``ValidationError`` (bad values, end before start, until before
    from, a date outside ``models.date_window``), ``RuleOverlap`` (same
    weekday, overlapping times and dates; open date ends are infinite) and
    ``TooManyRules``.
    """
    unknown = set(data) - RULE_FIELDS
    if unknown:
        raise ValueError(f"Not rule fields: {sorted(unknown)}")
    _check_date_window({name: data.get(name) for name in ("valid_from", "valid_until")})
    return _rule_save(AvailabilityRule(doctor=schedule, **data), creating=True)


def rule_update(*, rule: AvailabilityRule, data: Mapping[str, Any]) -> AvailabilityRule:
    """Change fields of ``rule``; held slots stay held, only free slots change.

    Saves nothing unless the changed rule is valid; raises as ``rule_create``.
    """
    unknown = set(data) - RULE_FIELDS
    if unknown:
        raise ValueError(f"Not rule fields: {sorted(unknown)}")
    _check_date_window({name: data[name] for name in ("valid_from", "valid_until") if name in data})
    updated = copy.copy(rule)
    for name, value in data.items():
        setattr(updated, name, value)
    return _rule_save(updated, creating=False)


def rule_delete(*, rule: AvailabilityRule) -> None:
    """Delete ``rule``; slots it made that are held stay held."""
    rule.delete()


# Time off


def time_off_create(
    *,
    schedule: DoctorSchedule,
    start: datetime.datetime,
    end: datetime.datetime,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> tuple[TimeOff, list[SlotHold]]:
    """Add time off to ``schedule``; return it with the held slots it overlaps.

    Held slots are not released: the doctor (or the clinic) must move those
    appointments. A schedule holds at most ``MAX_TIME_OFF_PER_DOCTOR``
    entries that have not ended; time off that has already ended changes no
    slot and is refused, so past entries cannot pile up past the cap either.
    The schedule row is locked while counting, so concurrent requests at the
    cap add one entry, not several.

    Raises ``ValidationError`` (end not after start, already past, or a
    date outside ``models.date_window``) and ``TooManyTimeOff`` (400).
    """
    now = now or dj_timezone.now()
    _check_date_window({"start": start, "end": end})
    time_off = TimeOff(doctor=schedule, start=start, end=end, reason=reason.strip())
    time_off.full_clean(exclude=["doctor"])
    if time_off.end <= now:
        raise ValidationError(
            {"end": ValidationError("This time off has already ended.", code="time-off-ended")}
        )
    limit = settings.MAX_TIME_OFF_PER_DOCTOR
    with transaction.atomic():
        selectors.schedule_select_for_update(schedule_id=schedule.pk)
        if selectors.time_off_count_current(schedule=schedule, now=now) >= limit:
            raise TooManyTimeOff(
                f"A schedule holds at most {limit} entries of time off that have not ended; "
                "remove one before adding another."
            )
        time_off.save()
    return time_off, selectors.holds_overlapping(schedule=schedule, start=start, end=end)


def time_off_delete(*, time_off: TimeOff) -> None:
    """Delete ``time_off``: its slots are offered again."""
    time_off.delete()


# Slot holds


def _reservation(hold: SlotHold, schedule: DoctorSchedule) -> Reservation:
    return Reservation(
        hold=hold,
        doctor_id=schedule.doctor_id,
        cancel_cutoff_hours=schedule.cancel_cutoff_hours,
        reschedule_cutoff_hours=schedule.reschedule_cutoff_hours,
    )


def slot_reserve(
    *, slot_id: uuid.UUID, appointment_id: uuid.UUID, now: datetime.datetime | None = None
) -> Reservation:
    """Hold slot ``slot_id`` for ``appointment_id``; return the reservation.

    Idempotent: when this appointment already holds the slot, the same
    answer comes back (even inside the notice window by now). The database
    is the arbiter: the hold's primary key is the slot id and, on
    PostgreSQL, an exclusion constraint keeps one doctor's blocked spans
    apart, so racing calls insert at most one hold. Raises ``SlotNotFound``
    (404), ``SlotTaken`` (409: held by another appointment, or too close to
    another hold with the buffer) and ``SlotUnavailable`` (409: past, inside
    the notice, beyond the horizon, in time off, or made by no current rule),
    ``DoctorNotBookable`` (409: the doctor is not approved yet) and
    ``ServiceUnavailable`` (503: whether a pending doctor is approved now
    cannot be checked).
    """
    now = now or dj_timezone.now()
    schedule, start = selectors.slot_locate(slot_id=slot_id)
    if selectors.schedule_timezone_is_stale(schedule, now=now):
        schedule = schedule_timezone_refresh(schedule=schedule, now=now)
    schedule = schedule_approval_refresh(schedule=schedule, now=now)
    with transaction.atomic():
        state = selectors.slot_state(
            schedule=schedule, slot_id=slot_id, start=start, now=now, appointment_id=appointment_id
        )
        if state.hold is not None and state.hold.appointment_id == appointment_id:
            return _reservation(state.hold, schedule)
        if state.refusal is not None or state.end is None:
            raise state.refusal or SlotUnavailable()
        hold = SlotHold(
            slot_id=slot_id,
            doctor=schedule,
            start=start,
            end=state.end,
            blocked_until=state.end + datetime.timedelta(minutes=schedule.buffer_minutes),
            appointment_id=appointment_id,
        )
        try:
            with transaction.atomic():
                hold.save(force_insert=True)
        except IntegrityError:
            # The primary key (same slot) or the exclusion constraint (overlap) refused it.
            stored = SlotHold.objects.filter(pk=slot_id).first()
            if stored is not None and stored.appointment_id == appointment_id:
                return _reservation(stored, schedule)
            raise SlotTaken() from None
    return _reservation(hold, schedule)


def slot_release(*, slot_id: uuid.UUID, appointment_id: uuid.UUID) -> None:
    """Let go of slot ``slot_id`` held by ``appointment_id``; the slot is bookable again.

    Idempotent: a slot that is not held (any more) is fine. Raises
    ``SlotNotFound`` for an id that is no slot and ``SlotHeldByOther`` (409,
    nothing changes) when another appointment holds it.
    """
    selectors.slot_locate(slot_id=slot_id)
    deleted, _ = SlotHold.objects.filter(pk=slot_id, appointment_id=appointment_id).delete()
    if not deleted and SlotHold.objects.filter(pk=slot_id).exists():
        raise SlotHeldByOther()
