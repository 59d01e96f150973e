"""Writes of doctors' schedules: their time zone and approval, booking policy, slot look-ups.

Availability rules and time off are written in ``rules``, slot holds in ``holds``.
"""

from __future__ import annotations

import copy
import datetime
import logging
import uuid
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone as dj_timezone

from common.errors import ServiceUnavailable
from common.permissions import ROLE_DOCTOR, ROLE_STAFF
from schedule_service.scheduling import clients, selectors
from schedule_service.scheduling.exceptions import (
    DoctorNotFound,
    DoctorProfileMissing,
    SlotNotFound,
)
from schedule_service.scheduling.models import DoctorSchedule
from schedule_service.scheduling.slots import is_timezone

logger = logging.getLogger(__name__)

POLICY_FIELDS = frozenset(
    {
        "min_notice_minutes",
        "horizon_days",
        "buffer_minutes",
        "cancel_cutoff_hours",
        "reschedule_cutoff_hours",
    }
)


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
