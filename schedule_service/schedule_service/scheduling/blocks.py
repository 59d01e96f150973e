"""What blocks a doctor's slots near a span of time: their time off and the slot holds.

The slot reads (``selectors``) and the rules' checks ask for these; each read is
bounded to the span, so a doctor's past (years of holds) costs nothing.
"""

from __future__ import annotations

import datetime

from django.db.models import QuerySet, Value

from schedule_service.scheduling import slots as slot_math
from schedule_service.scheduling.models import (
    BUFFER_MINUTES,
    SLOT_MINUTES_MAX,
    DoctorSchedule,
    SlotHold,
    TimeOff,
)

# The longest slot: time off and holds starting this long after a range can still touch it.
LONGEST_SLOT = datetime.timedelta(minutes=SLOT_MINUTES_MAX)
LONGEST_BLOCK = datetime.timedelta(minutes=SLOT_MINUTES_MAX + BUFFER_MINUTES[2])


def holds_overlapping(
    *, schedule: DoctorSchedule, start: datetime.datetime, end: datetime.datetime
) -> list[SlotHold]:
    """Return the doctor's holds whose slot ``[start, end)`` overlaps the given span, by start."""
    return list(
        SlotHold.objects.filter(doctor=schedule, start__lt=end, end__gt=start).order_by("start")
    )


def time_off_near_rows(schedule: DoctorSchedule, span: slot_math.Interval) -> QuerySet:
    """The doctor's time off that can touch a slot starting in ``span`` (unordered)."""
    # Only time off that has not ended by the span's start: the (doctor, end) index
    # skips the doctor's past entries however many there are.
    return TimeOff.objects.filter(
        doctor=schedule, end__gt=span.start, start__lt=span.end + LONGEST_SLOT
    ).order_by()


def time_off_near(schedule: DoctorSchedule, span: slot_math.Interval) -> list[slot_math.Interval]:
    """``time_off_near_rows`` as intervals."""
    rows = time_off_near_rows(schedule, span).values_list("start", "end")
    return [slot_math.Interval(start, end) for start, end in rows]


def holds_near_rows(schedule: DoctorSchedule, span: slot_math.Interval) -> QuerySet[SlotHold]:
    """The doctor's holds that block part of ``span`` or a slot starting in it (unordered)."""
    # A slot starting in ``span`` blocks at most LONGEST_BLOCK past its start, and a hold
    # blocks at most LONGEST_BLOCK past its own (rules cap slot_minutes, policies the
    # buffer): both bounds keep the (doctor, start) index scan to the span, not to the
    # doctor's whole history of holds.
    return SlotHold.objects.filter(
        doctor=schedule,
        start__gt=span.start - LONGEST_BLOCK,
        start__lt=span.end + LONGEST_BLOCK,
        blocked_until__gt=span.start,
    )


def holds_near(schedule: DoctorSchedule, span: slot_math.Interval) -> list[SlotHold]:
    """``holds_near_rows`` by start."""
    return list(holds_near_rows(schedule, span).order_by("start"))


def blocks_near(
    schedule: DoctorSchedule, span: slot_math.Interval
) -> tuple[list[slot_math.Interval], list[slot_math.Interval]]:
    """Return ``(time_off, holds)`` near ``span`` as intervals, in one query (a UNION ALL)."""
    holds = holds_near_rows(schedule, span).order_by()
    rows = holds.values_list("start", "blocked_until", Value(True)).union(
        time_off_near_rows(schedule, span).values_list("start", "end", Value(False)), all=True
    )
    time_off: list[slot_math.Interval] = []
    held: list[slot_math.Interval] = []
    for start, end, is_hold in rows:
        (held if is_hold else time_off).append(slot_math.Interval(start, end))
    return time_off, held


def hold_interval(hold: SlotHold) -> slot_math.Interval:
    """The span a hold blocks: its slot and the buffer after it."""
    return slot_math.Interval(hold.start, hold.blocked_until)
