"""Every read of the scheduling app, including the row-lock helper and slot evaluation."""

from __future__ import annotations

import datetime
import uuid
import zoneinfo
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone as dj_timezone

from common.errors import Problem
from schedule_service.scheduling import slots as slot_math
from schedule_service.scheduling.blocks import blocks_near, hold_interval, holds_near, time_off_near
from schedule_service.scheduling.exceptions import (
    DoctorNotBookable,
    RuleNotFound,
    SlotNotFound,
    SlotTaken,
    SlotUnavailable,
    TimeOffNotFound,
)
from schedule_service.scheduling.models import (
    AvailabilityRule,
    DoctorSchedule,
    SlotHold,
    TimeOff,
    in_date_window,
)

ONE_DAY = datetime.timedelta(days=1)
DEFAULT_RANGE_DAYS = 7


@dataclass(frozen=True)
class ListedSlot:
    """A slot as the listing shows it; ``held`` ones appear only in the doctor's own view.

    The id is derived when first read: a listing makes hundreds of slots and
    shows one page of them, so only the shown ones pay for their id.
    """

    seq: int
    doctor_id: uuid.UUID
    start: datetime.datetime
    end: datetime.datetime
    held: bool = False
    appointment_id: uuid.UUID | None = None
    held_slot_id: uuid.UUID | None = None

    @cached_property
    def id(self) -> uuid.UUID:
        if self.held_slot_id is not None:
            return self.held_slot_id
        return slot_math.slot_id_encode(seq=self.seq, doctor_id=self.doctor_id, start=self.start)


def listed_slot_output(slot: ListedSlot, *, include_held: bool) -> dict:
    """Return ``slot`` exactly as ``SlotOutputSerializer`` shows it (a dict costs less)."""
    shown = {"id": slot.id, "doctor_id": slot.doctor_id, "start": slot.start, "end": slot.end}
    if include_held:
        shown["held"] = slot.held
        shown["appointment_id"] = slot.appointment_id
    return shown


@dataclass(frozen=True)
class SlotState:
    """What is known of one slot id: its doctor, times, hold, and why it is not bookable.

    ``end`` is ``None`` only when no current rule makes the slot and nothing
    holds it. ``refusal`` is the problem a reservation by a new appointment
    would meet (``None``: bookable).
    """

    id: uuid.UUID
    schedule: DoctorSchedule
    start: datetime.datetime
    end: datetime.datetime | None
    hold: SlotHold | None
    refusal: Problem | None

    @property
    def bookable(self) -> bool:
        return self.refusal is None


def schedule_zone(schedule: DoctorSchedule) -> zoneinfo.ZoneInfo:
    """Return the ``ZoneInfo`` of ``schedule`` (its rules are in that zone's wall time)."""
    return slot_math.zone_get(schedule.timezone)


def schedule_policy(schedule: DoctorSchedule) -> slot_math.Policy:
    """Return the notice, horizon and buffer of ``schedule``."""
    return slot_math.Policy(
        min_notice_minutes=schedule.min_notice_minutes,
        horizon_days=schedule.horizon_days,
        buffer_minutes=schedule.buffer_minutes,
    )


def schedule_timezone_is_stale(schedule: DoctorSchedule, *, now: datetime.datetime) -> bool:
    """True when the time zone was never confirmed or is older than the TTL."""
    checked = schedule.timezone_checked_at
    ttl = datetime.timedelta(seconds=settings.DOCTOR_TIMEZONE_TTL_SECONDS)
    return checked is None or now - checked >= ttl


def schedule_approval_is_stale(schedule: DoctorSchedule, *, now: datetime.datetime) -> bool:
    """True when the doctor is not approved and user_service may be asked again.

    An approved doctor is never asked about again; a pending one at most once
    every ``DOCTOR_APPROVAL_RECHECK_SECONDS``.
    """
    if schedule.doctor_approved:
        return False
    checked = schedule.approval_checked_at
    interval = datetime.timedelta(seconds=settings.DOCTOR_APPROVAL_RECHECK_SECONDS)
    return checked is None or now - checked >= interval


def schedule_find(*, doctor_id: uuid.UUID) -> DoctorSchedule | None:
    """Return the schedule of ``doctor_id``, or ``None`` when the doctor has none yet."""
    return DoctorSchedule.objects.filter(doctor_id=doctor_id).first()


def schedule_select_for_update(*, schedule_id: int) -> DoctorSchedule:
    """Lock and return schedule ``schedule_id``; call inside ``transaction.atomic()``.

    It serializes one doctor's rule and time-off writes on PostgreSQL (SQLite
    writes are serialized by its IMMEDIATE transactions).
    """
    return DoctorSchedule.objects.select_for_update().get(pk=schedule_id)


def rule_list(*, schedule: DoctorSchedule) -> QuerySet[AvailabilityRule]:
    """Return the doctor's rules by weekday and start."""
    return AvailabilityRule.objects.filter(doctor=schedule).order_by("weekday", "start_time", "id")


def rule_get(*, schedule: DoctorSchedule, rule_id: int) -> AvailabilityRule:
    """Return the doctor's rule ``rule_id``; raise ``RuleNotFound`` (also for another's rule)."""
    rule = AvailabilityRule.objects.filter(doctor=schedule, pk=rule_id).first()
    if rule is None:
        raise RuleNotFound()
    return rule


def time_off_list(*, schedule: DoctorSchedule) -> QuerySet[TimeOff]:
    """Return the doctor's time off by start."""
    return TimeOff.objects.filter(doctor=schedule).order_by("start", "id")


def time_off_count_current(*, schedule: DoctorSchedule, now: datetime.datetime) -> int:
    """Count the doctor's time off that has not ended at ``now`` (the entries the cap counts)."""
    return TimeOff.objects.filter(doctor=schedule, end__gt=now).count()


def time_off_get(*, schedule: DoctorSchedule, time_off_id: int) -> TimeOff:
    """Return the doctor's time off ``time_off_id``; raise ``TimeOffNotFound`` otherwise."""
    time_off = TimeOff.objects.filter(doctor=schedule, pk=time_off_id).first()
    if time_off is None:
        raise TimeOffNotFound()
    return time_off


def slot_range_resolve(
    *,
    first: datetime.date | None,
    last: datetime.date | None,
    zone: zoneinfo.ZoneInfo,
    now: datetime.datetime,
) -> tuple[datetime.date, datetime.date]:
    """Return the listing's local dates: ``first`` defaults to today, ``last`` to a week on.

    Raises ``ValidationError`` (a 400 naming ``to``) for a reversed range or
    one longer than ``SLOT_RANGE_MAX_DAYS`` days.
    """
    first = first or now.astimezone(zone).date()
    last = last or first + (DEFAULT_RANGE_DAYS - 1) * ONE_DAY
    if last < first:
        raise ValidationError({"to": ValidationError("'to' is before 'from'.", code="reversed")})
    max_days = settings.SLOT_RANGE_MAX_DAYS
    if (last - first).days + 1 > max_days:
        raise ValidationError(
            {"to": ValidationError(f"A range spans at most {max_days} days.", code="too-wide")}
        )
    return first, last


def slot_list(
    *,
    schedule: DoctorSchedule | None,
    first: datetime.date | None = None,
    last: datetime.date | None = None,
    include_held: bool = False,
    now: datetime.datetime | None = None,
) -> list[ListedSlot]:
    """Return the bookable slots of local dates ``first``..``last`` (the doctor's zone), by start.

    With ``include_held`` the doctor's future held slots of the range are
    listed too (``held=True``). A doctor with no schedule has no slots. Two
    queries (rules; time off and holds together) whatever their number, three
    with ``include_held``. Raises
    ``ValidationError`` for a bad range (see ``slot_range_resolve``).
    """
    now = now or dj_timezone.now()
    zone = schedule_zone(schedule) if schedule is not None else slot_math.zone_get("UTC")
    first, last = slot_range_resolve(first=first, last=last, zone=zone, now=now)
    if schedule is None:
        return []
    span = slot_math.local_day_bounds(zone=zone, first=first, last=last)
    # The day before too: slots are kept in order and an earlier one may shadow a later one.
    generated = slot_math.slots_generate(
        rules=list(rule_list(schedule=schedule)), zone=zone, first=first - ONE_DAY, last=last
    )
    generated = [slot for slot in generated if span.start <= slot.start < span.end]
    if include_held:
        holds = holds_near(schedule, span)
        time_off = time_off_near(schedule, span)
        blocked = [hold_interval(hold) for hold in holds]
    else:
        holds = []
        time_off, blocked = blocks_near(schedule, span)
    free = slot_math.slots_filter_bookable(
        generated, now=now, policy=schedule_policy(schedule), time_off=time_off, holds=blocked
    )
    listed = [
        ListedSlot(
            seq=schedule.pk,
            doctor_id=schedule.doctor_id,
            start=slot.start,
            end=slot.end,
        )
        for slot in free
    ]
    if include_held:
        listed.extend(
            ListedSlot(
                seq=schedule.pk,
                held_slot_id=hold.slot_id,
                doctor_id=schedule.doctor_id,
                start=hold.start,
                end=hold.end,
                held=True,
                appointment_id=hold.appointment_id,
            )
            for hold in holds
            if span.start <= hold.start < span.end and hold.start >= now
        )
        listed.sort(key=lambda item: item.start)
    return listed


def slot_locate(*, slot_id: uuid.UUID) -> tuple[DoctorSchedule, datetime.datetime]:
    """Return the schedule and start a slot id stands for.

    Raises ``SlotNotFound`` when the id is not a slot id, names no schedule,
    its check bits do not match the doctor (a forged or altered id), or its
    start is outside the API's date window (no schedule reaches that far).
    """
    decoded = slot_math.slot_id_decode(slot_id)
    if decoded is None or not in_date_window(decoded[1]):
        raise SlotNotFound()
    seq, start = decoded
    schedule = DoctorSchedule.objects.filter(pk=seq).first()
    if schedule is None or not slot_math.slot_id_matches(
        slot_id, seq=seq, doctor_id=schedule.doctor_id, start=start
    ):
        raise SlotNotFound()
    return schedule, start


def slot_offer(
    *, schedule: DoctorSchedule, start: datetime.datetime, now: datetime.datetime
) -> tuple[slot_math.Slot | None, Problem | None]:
    """The slot of ``schedule`` at ``start`` as the current rules make it, and the refusal a
    reservation meets before any hold is looked at: a doctor not approved (yet)
    (``DoctorNotBookable``), no current rule, past or inside the notice, beyond the
    horizon, in time off (``SlotUnavailable``). Two queries at most: rules, time off.
    """
    zone = schedule_zone(schedule)
    day = start.astimezone(zone).date()
    rules = list(rule_list(schedule=schedule))
    made = slot_math.slots_generate(rules=rules, zone=zone, first=day - ONE_DAY, last=day)
    slot = next((made_slot for made_slot in made if made_slot.start == start), None)
    earliest, latest = slot_math.bookable_window(now=now, policy=schedule_policy(schedule))
    if not schedule.doctor_approved:
        return slot, DoctorNotBookable()
    if slot is None:
        return None, SlotUnavailable("No current availability rule offers this slot.")
    if start < earliest:
        return slot, SlotUnavailable("This slot is in the past or inside the minimum notice.")
    if start > latest:
        return slot, SlotUnavailable("This slot is beyond the booking horizon.")
    time_off = time_off_near(schedule, slot_math.Interval(start, slot.end))
    if slot_math.IntervalIndex(time_off).overlaps(slot.start, slot.end):
        return slot, SlotUnavailable("The doctor is off at this time.")
    return slot, None


def slot_state(
    *,
    schedule: DoctorSchedule,
    slot_id: uuid.UUID,
    start: datetime.datetime,
    now: datetime.datetime | None = None,
    appointment_id: uuid.UUID | None = None,
) -> SlotState:
    """Evaluate one slot of ``schedule`` against rules, time off, policy and holds (three queries).

    The refusal, in order: a doctor not approved (yet) (``DoctorNotBookable``),
    held (``SlotTaken``), then ``slot_offer``'s, then too close to another hold
    with the buffer (``SlotTaken``; holds of ``appointment_id`` itself do not
    count: an appointment may move next to the slot it holds).
    """
    now = now or dj_timezone.now()
    slot, refusal = slot_offer(schedule=schedule, start=start, now=now)
    nearby = holds_near(schedule, slot_math.Interval(start, start + datetime.timedelta(minutes=1)))
    hold = next((h for h in nearby if h.slot_id == slot_id), None)
    end = hold.end if hold else (slot.end if slot else None)
    if hold is not None and not isinstance(refusal, DoctorNotBookable):
        refusal = SlotTaken("Another appointment holds this slot.")
    elif refusal is None and slot is not None:
        blocked_until = slot.end + datetime.timedelta(minutes=schedule.buffer_minutes)
        others = slot_math.IntervalIndex(
            hold_interval(h) for h in nearby if h.appointment_id != appointment_id
        )
        if others.overlaps(slot.start, blocked_until):
            refusal = SlotTaken("Another appointment holds a slot too close to this one.")
    return SlotState(
        id=slot_id, schedule=schedule, start=start, end=end, hold=hold, refusal=refusal
    )


def slot_get(
    *,
    slot_id: uuid.UUID,
    now: datetime.datetime | None = None,
    appointment_id: uuid.UUID | None = None,
) -> SlotState:
    """Return the state of slot ``slot_id`` (see ``slot_state``), for ``appointment_id`` if given.

    Raises ``SlotNotFound`` for an id that is no slot, and for a slot that
    no current rule makes and nothing holds.
    """
    schedule, start = slot_locate(slot_id=slot_id)
    return slot_get_located(
        schedule=schedule, slot_id=slot_id, start=start, now=now, appointment_id=appointment_id
    )


def slot_get_located(
    *,
    schedule: DoctorSchedule,
    slot_id: uuid.UUID,
    start: datetime.datetime,
    now: datetime.datetime | None = None,
    appointment_id: uuid.UUID | None = None,
) -> SlotState:
    """As ``slot_get``, for a slot id already located (``slot_locate``) to ``schedule`` and ``start``."""
    state = slot_state(
        schedule=schedule, slot_id=slot_id, start=start, now=now, appointment_id=appointment_id
    )
    if state.end is None:
        raise SlotNotFound("No current rule makes this slot and nothing holds it.")
    return state


def hold_list(*, doctor_id: uuid.UUID | None = None) -> QuerySet[SlotHold]:
    """Every held slot, oldest first (one query with the doctor joined)."""
    holds = SlotHold.objects.select_related("doctor").order_by("created_at", "slot_id")
    if doctor_id is not None:
        holds = holds.filter(doctor__doctor_id=doctor_id)
    return holds
