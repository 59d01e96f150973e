"""Concurrency: reservations racing for slots, rule and time-off writes (API and admin).

PostgreSQL only: the primary key of a hold and the exclusion constraint on
``[start, blocked_until)`` must let exactly one reservation through.
"""

import datetime
import uuid

import pytest
from django.test import Client

from common.testing import race, sign_in_to_admin
from schedule_service.scheduling import holds, rules
from schedule_service.scheduling.exceptions import RuleOverlap, SlotTaken, TooManyTimeOff
from schedule_service.scheduling.models import AvailabilityRule, SlotHold, TimeOff
from schedule_service.scheduling.tests.factories import (
    AvailabilityRuleFactory,
    DoctorScheduleFactory,
)
from schedule_service.scheduling.tests.helpers import future_date, local, slot_id
from schedule_service.scheduling.tests.test_admin_writes import (
    HOUR,
    RULES,
    TIME_OFF,
    rule_form,
    soon,
    time_off_form,
)

THREADS = 20


def _race(targets: list[tuple[uuid.UUID, uuid.UUID]]) -> tuple[list, list, list]:
    """Reserve ``(slot_id, appointment_id)`` pairs at once; return (ok, taken, other errors)."""

    def reserve(target: tuple[uuid.UUID, uuid.UUID]) -> uuid.UUID:
        slot, appointment = target
        holds.slot_reserve(slot_id=slot, appointment_id=appointment)
        return appointment

    outcomes = race(reserve, targets)
    reserved = [o for o in outcomes if isinstance(o, uuid.UUID)]
    taken = [o for o in outcomes if isinstance(o, SlotTaken)]
    errors = [o for o in outcomes if not isinstance(o, uuid.UUID | SlotTaken)]
    return reserved, taken, errors


@pytest.fixture
def schedule_with_grid(db):
    """A grid of 30-minute slots. A reservation reads no hold before its insert, so only the
    database (primary key, exclusion constraint) can stop the second one."""
    schedule = DoctorScheduleFactory(buffer_minutes=0)
    AvailabilityRuleFactory(doctor=schedule)  # Wednesdays 09:00-12:00, 30 minutes
    return schedule


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_appointments_racing_for_one_slot_make_one_hold(schedule_with_grid):
    start = local(future_date(weekday=2), 9)
    slot = slot_id(schedule_with_grid, start)
    appointments = [uuid.uuid4() for _ in range(THREADS)]

    reserved, taken, errors = _race([(slot, appointment) for appointment in appointments])

    assert errors == []
    assert len(reserved) == 1
    assert len(taken) == THREADS - 1
    hold = SlotHold.objects.get()
    assert (hold.slot_id, hold.appointment_id) == (slot, reserved[0])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_appointment_retrying_one_slot_at_once_gets_the_same_hold(schedule_with_grid):
    slot = slot_id(schedule_with_grid, local(future_date(weekday=2), 9))
    appointment = uuid.uuid4()

    reserved, taken, errors = _race([(slot, appointment)] * THREADS)

    assert (errors, taken) == ([], [])
    assert reserved == [appointment] * THREADS
    assert SlotHold.objects.get().appointment_id == appointment


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_adjacent_slots_that_a_buffer_keeps_apart_make_one_hold(schedule_with_grid):
    schedule_with_grid.buffer_minutes = 15
    schedule_with_grid.save()
    day = future_date(weekday=2)
    first, second = (
        slot_id(schedule_with_grid, local(day, 9)),
        slot_id(schedule_with_grid, local(day, 9, 30)),
    )
    targets = [(first if n % 2 else second, uuid.uuid4()) for n in range(THREADS)]

    reserved, taken, errors = _race(targets)

    assert errors == []
    assert len(reserved) == 1
    assert len(taken) == THREADS - 1
    hold = SlotHold.objects.get()
    assert hold.blocked_until - hold.end == datetime.timedelta(minutes=15)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_exclusion_constraint_refuses_overlapping_holds_written_directly(schedule_with_grid):
    from django.db import IntegrityError

    from schedule_service.scheduling.tests.factories import SlotHoldFactory

    start = local(future_date(weekday=2), 9)
    SlotHoldFactory(doctor=schedule_with_grid, start=start)
    with pytest.raises(IntegrityError, match="scheduling_slothold_no_overlap"):
        SlotHoldFactory(doctor=schedule_with_grid, start=start + datetime.timedelta(minutes=15))
    SlotHoldFactory(doctor=DoctorScheduleFactory(), start=start)  # another doctor: fine
    assert SlotHold.objects.count() == 2
    # The same appointment may overlap its own hold (a reschedule to a neighbour).
    own = SlotHold.objects.filter(doctor=schedule_with_grid).get()
    SlotHoldFactory(
        doctor=schedule_with_grid,
        start=start + datetime.timedelta(minutes=15),
        appointment_id=own.appointment_id,
    )
    assert SlotHold.objects.count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_overlapping_rules_created_at_once_make_one_rule():
    schedule = DoctorScheduleFactory()

    def create(start_hour: int) -> AvailabilityRule:
        data = {
            "weekday": 0,
            "start_time": datetime.time(start_hour),
            "end_time": datetime.time(start_hour + 2),
            "slot_minutes": 30,
        }
        return rules.rule_create(schedule=schedule, data=data)

    # 9-11 and 10-12 overlap each other: whichever is locked in first wins.
    outcomes = race(create, [9 + n % 2 for n in range(10)])
    created = [o for o in outcomes if isinstance(o, AvailabilityRule)]
    refused = [o for o in outcomes if isinstance(o, RuleOverlap)]
    errors = [o for o in outcomes if not isinstance(o, AvailabilityRule | RuleOverlap)]

    assert errors == []
    assert (len(created), len(refused)) == (1, 9)
    assert AvailabilityRule.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_time_off_created_at_once_at_the_cap_adds_one_entry(settings):
    settings.MAX_TIME_OFF_PER_DOCTOR = 5
    schedule = DoctorScheduleFactory()
    first = local(future_date(weekday=2), 9)
    hour = datetime.timedelta(hours=1)
    for n in range(4):
        rules.time_off_create(schedule=schedule, start=first + n * hour, end=first + (n + 1) * hour)

    def create(day: int) -> TimeOff:
        start = first + datetime.timedelta(days=day)
        time_off, _ = rules.time_off_create(schedule=schedule, start=start, end=start + hour)
        return time_off

    # Ten requests for the one place left: each counts with the schedule row locked.
    outcomes = race(create, range(1, THREADS // 2 + 1))
    created = [o for o in outcomes if isinstance(o, TimeOff)]
    refused = [o for o in outcomes if isinstance(o, TooManyTimeOff)]
    errors = [o for o in outcomes if not isinstance(o, TimeOff | TooManyTimeOff)]

    assert errors == []
    assert (len(created), len(refused)) == (1, THREADS // 2 - 1)
    assert TimeOff.objects.filter(doctor=schedule).count() == 5


# Admin writes keep the services' row lock: clinic-admins racing in the admin

ADMIN_THREADS = 8


def _clinic_admins(count):
    return [
        sign_in_to_admin(Client(), email=f"admin{n}@clinic.example", groups=["clinic-admin"])
        for n in range(count)
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_clinic_admins_racing_overlapping_rules_add_one():
    schedule = DoctorScheduleFactory()
    clients = _clinic_admins(ADMIN_THREADS)
    forms = [
        rule_form(schedule, start_time=f"{9 + n % 3:02d}:00", end_time=f"{12 + n % 3:02d}:00")
        for n in range(ADMIN_THREADS)
    ]

    codes = race(
        lambda n: clients[n].post(f"{RULES}add/", forms[n]).status_code, range(ADMIN_THREADS)
    )

    assert sorted(codes) == [200] * (ADMIN_THREADS - 1) + [302]
    assert AvailabilityRule.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_clinic_admins_racing_at_the_time_off_cap_add_one(settings):
    settings.MAX_TIME_OFF_PER_DOCTOR = 1
    schedule = DoctorScheduleFactory()
    clients = _clinic_admins(ADMIN_THREADS)
    start = soon()

    def add(n):
        begin = start + n * datetime.timedelta(days=1)
        return clients[n].post(f"{TIME_OFF}add/", time_off_form(schedule, begin, begin + HOUR))

    codes = [response.status_code for response in race(add, range(ADMIN_THREADS))]

    assert sorted(codes) == [200] * (ADMIN_THREADS - 1) + [302]
    assert TimeOff.objects.count() == 1
