"""Writes of a doctor's availability: weekly rules and time off.

Creating or changing one locks the doctor's schedule row while it checks the
others (overlaps, caps), so one doctor's concurrent writes happen one after another.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone as dj_timezone

from schedule_service.scheduling import blocks, selectors
from schedule_service.scheduling.exceptions import RuleOverlap, TooManyRules, TooManyTimeOff
from schedule_service.scheduling.models import (
    AvailabilityRule,
    DoctorSchedule,
    SlotHold,
    TimeOff,
    validate_date_in_window,
)

RULE_FIELDS = frozenset(
    {"weekday", "start_time", "end_time", "slot_minutes", "valid_from", "valid_until"}
)
MAX_RULES_PER_DOCTOR = 100


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
    return time_off, blocks.holds_overlapping(schedule=schedule, start=start, end=end)


def time_off_delete(*, time_off: TimeOff) -> None:
    """Delete ``time_off``: its slots are offered again."""
    time_off.delete()
