"""Slot holds: reserve (idempotent, buffer, notice, horizon, races) and release."""

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.errors import ServiceUnavailable
from schedule_service.scheduling import holds, rules, services
from schedule_service.scheduling.exceptions import (
    SlotHeldByOther,
    SlotNotFound,
    SlotTaken,
    SlotUnavailable,
)
from schedule_service.scheduling.models import DoctorSchedule, SlotHold
from schedule_service.scheduling.tests.helpers import NOW, WEDNESDAY, local, slot_id, utc

pytestmark = pytest.mark.django_db

NINE = local(WEDNESDAY, 9)  # 08:00Z, the first slot of the ``berlin`` fixture


# Reserve


def test_reserve_holds_the_slot_and_carries_the_cut_offs(berlin):
    berlin.cancel_cutoff_hours, berlin.reschedule_cutoff_hours = 12, 6
    berlin.save()
    appointment = uuid.uuid4()
    reservation = holds.slot_reserve(
        slot_id=slot_id(berlin, NINE), appointment_id=appointment, now=NOW
    )
    hold = SlotHold.objects.get()
    assert reservation.hold == hold
    assert (hold.start, hold.end, hold.blocked_until) == (
        NINE,
        NINE + datetime.timedelta(minutes=30),
        NINE + datetime.timedelta(minutes=30),
    )
    assert (hold.appointment_id, hold.doctor_id) == (appointment, berlin.pk)
    assert (reservation.doctor_id, reservation.cancel_cutoff_hours) == (berlin.doctor_id, 12)
    assert reservation.reschedule_cutoff_hours == 6


def test_reserve_is_idempotent_for_the_same_appointment(berlin):
    appointment = uuid.uuid4()
    first = holds.slot_reserve(slot_id=slot_id(berlin, NINE), appointment_id=appointment, now=NOW)
    # Even once the slot is inside the notice window: the appointment already holds it.
    late = NINE - datetime.timedelta(minutes=10)
    again = holds.slot_reserve(slot_id=slot_id(berlin, NINE), appointment_id=appointment, now=late)
    assert again.hold == first.hold
    assert SlotHold.objects.count() == 1


def test_reserve_of_a_held_slot_by_another_appointment_is_taken(berlin):
    holds.slot_reserve(slot_id=slot_id(berlin, NINE), appointment_id=uuid.uuid4(), now=NOW)
    with pytest.raises(SlotTaken):
        holds.slot_reserve(slot_id=slot_id(berlin, NINE), appointment_id=uuid.uuid4(), now=NOW)
    assert SlotHold.objects.count() == 1


def test_reserve_respects_the_buffer_of_neighbours(berlin):
    berlin.buffer_minutes = 10
    berlin.save()
    half_past = local(WEDNESDAY, 9, 30)
    holds.slot_reserve(slot_id=slot_id(berlin, half_past), appointment_id=uuid.uuid4(), now=NOW)
    assert SlotHold.objects.get().blocked_until == local(WEDNESDAY, 10, 10)
    # 09:00 would block until 09:40; 10:00 starts inside the held slot's buffer.
    for start in (NINE, local(WEDNESDAY, 10)):
        with pytest.raises(SlotTaken):
            holds.slot_reserve(slot_id=slot_id(berlin, start), appointment_id=uuid.uuid4(), now=NOW)
    holds.slot_reserve(
        slot_id=slot_id(berlin, local(WEDNESDAY, 10, 30)), appointment_id=uuid.uuid4(), now=NOW
    )
    assert SlotHold.objects.count() == 2


def test_one_appointment_may_hold_a_neighbour_inside_its_own_buffer(berlin):
    """Rescheduling to the next slot: the new hold is taken before the old one is let go."""
    berlin.buffer_minutes = 10
    berlin.save()
    appointment = uuid.uuid4()
    holds.slot_reserve(slot_id=slot_id(berlin, NINE), appointment_id=appointment, now=NOW)
    half_past = slot_id(berlin, local(WEDNESDAY, 9, 30))
    holds.slot_reserve(slot_id=half_past, appointment_id=appointment, now=NOW)
    assert SlotHold.objects.filter(appointment_id=appointment).count() == 2
    with pytest.raises(SlotTaken):  # another appointment still respects both buffers
        holds.slot_reserve(
            slot_id=slot_id(berlin, local(WEDNESDAY, 10)), appointment_id=uuid.uuid4(), now=NOW
        )


@pytest.mark.parametrize(
    ("start", "now", "setup"),
    [
        (NINE, NINE + datetime.timedelta(hours=1), None),  # past
        (NINE, NINE - datetime.timedelta(minutes=59), None),  # inside the 60-minute notice
        (NINE, NINE - datetime.timedelta(days=90, minutes=1), None),  # beyond the horizon
        (local(WEDNESDAY, 9, 15), NOW, None),  # not on the grid
        (local(WEDNESDAY, 12), NOW, None),  # after the rule's end
        (local(WEDNESDAY + datetime.timedelta(days=1), 9), NOW, None),  # Thursday: no rule
        (NINE, NOW, "time_off"),
        (NINE, NOW, "rule_gone"),
    ],
)
def test_reserve_of_an_unavailable_slot(berlin, start, now, setup):
    if setup == "time_off":
        rules.time_off_create(
            schedule=berlin,
            start=NINE - datetime.timedelta(hours=1),
            end=NINE + datetime.timedelta(minutes=1),
            now=NOW,
        )
    if setup == "rule_gone":
        berlin.rules.all().delete()
    with pytest.raises(SlotUnavailable):
        holds.slot_reserve(slot_id=slot_id(berlin, start), appointment_id=uuid.uuid4(), now=now)
    assert not SlotHold.objects.exists()


def test_reserve_at_the_edges_of_notice_and_horizon(berlin):
    holds.slot_reserve(
        slot_id=slot_id(berlin, NINE),
        appointment_id=uuid.uuid4(),
        now=NINE - datetime.timedelta(minutes=60),
    )
    holds.slot_reserve(
        slot_id=slot_id(berlin, local(WEDNESDAY, 10)),
        appointment_id=uuid.uuid4(),
        now=local(WEDNESDAY, 10) - datetime.timedelta(days=90),
    )
    assert SlotHold.objects.count() == 2


@pytest.mark.parametrize(
    "bad_id",
    [
        uuid.uuid4(),  # not a version 8 id
        "unknown-doctor",
        "other-doctor",
    ],
)
def test_reserve_of_an_id_that_is_no_slot(berlin, bad_id):
    if bad_id == "unknown-doctor":
        bad_id = slot_id(DoctorSchedule(pk=berlin.pk + 100, doctor_id=uuid.uuid4()), NINE)
    elif bad_id == "other-doctor":  # right number, someone else's doctor id: the check fails
        bad_id = slot_id(DoctorSchedule(pk=berlin.pk, doctor_id=uuid.uuid4()), NINE)
    with pytest.raises(SlotNotFound):
        holds.slot_reserve(slot_id=bad_id, appointment_id=uuid.uuid4(), now=NOW)
    assert not SlotHold.objects.exists()


def test_reserve_goes_by_the_stored_zone_and_the_listing_refreshes_it(berlin, user_service):
    """The time-zone refresh (a call to user_service) is on the read paths, never on reserve."""
    berlin.timezone_checked_at = None
    berlin.save()
    user_service.default_timezone = "UTC"  # the doctor moved: 09:00 is now 09:00Z
    holds.slot_reserve(slot_id=slot_id(berlin, NINE), appointment_id=uuid.uuid4(), now=NOW)
    assert user_service.calls == []
    stored = DoctorSchedule.objects.get()
    assert (stored.timezone, stored.timezone_checked_at) == ("Europe/Berlin", None)

    services.schedule_for_listing(doctor_id=berlin.doctor_id, viewer_id=None, viewer_role="service")
    assert user_service.calls == [berlin.doctor_id]
    assert DoctorSchedule.objects.get().timezone == "UTC"
    with pytest.raises(SlotUnavailable):  # 09:00 Berlin is no slot of the doctor any more
        holds.slot_reserve(
            slot_id=slot_id(berlin, NINE + datetime.timedelta(minutes=30)),
            appointment_id=uuid.uuid4(),
            now=NOW,
        )
    nine_utc = utc(2027, 1, 6, 9)
    holds.slot_reserve(slot_id=slot_id(berlin, nine_utc), appointment_id=uuid.uuid4(), now=NOW)


def test_reserve_never_asks_user_service_about_an_approved_doctor(berlin, user_service):
    berlin.timezone_checked_at = None
    berlin.save()
    user_service.error = ServiceUnavailable()
    holds.slot_reserve(slot_id=slot_id(berlin, NINE), appointment_id=uuid.uuid4(), now=NOW)
    assert SlotHold.objects.count() == 1
    assert user_service.calls == []


def test_reserve_reads_no_hold_before_inserting(berlin):
    """The primary key and the exclusion constraint decide; no savepoint, no pre-read."""
    with CaptureQueriesContext(connection) as queries:
        holds.slot_reserve(slot_id=slot_id(berlin, NINE), appointment_id=uuid.uuid4(), now=NOW)
    statements = [query["sql"] for query in queries.captured_queries]
    inserts = [n for n, sql in enumerate(statements) if sql.startswith("INSERT")]
    assert len(inserts) == 1 and "ON CONFLICT DO NOTHING" in statements[inserts[0]]
    if connection.vendor == "postgresql":
        # The schedule, its rules, its time off, the insert (in autocommit, no savepoint):
        # no hold is read. SQLite, without the exclusion constraint, checks the buffer first.
        assert len(statements) == 4, statements
        assert not [sql for sql in statements[:-1] if "slothold" in sql], statements


@pytest.mark.parametrize("same_appointment", [True, False])
def test_reserve_lets_the_database_decide_a_held_slot(berlin, same_appointment):
    """Nothing is read before the insert: the primary key refuses it, then the stored hold tells
    this appointment's retry from a slot taken by another."""
    winner = uuid.uuid4()
    holds.slot_reserve(slot_id=slot_id(berlin, NINE), appointment_id=winner, now=NOW)
    appointment = winner if same_appointment else uuid.uuid4()
    if same_appointment:
        reservation = holds.slot_reserve(
            slot_id=slot_id(berlin, NINE), appointment_id=appointment, now=NOW
        )
        assert reservation.hold.appointment_id == winner
    else:
        with pytest.raises(SlotTaken):
            holds.slot_reserve(slot_id=slot_id(berlin, NINE), appointment_id=appointment, now=NOW)
    assert SlotHold.objects.count() == 1


# Release


def test_release_frees_the_slot(berlin):
    appointment = uuid.uuid4()
    holds.slot_reserve(slot_id=slot_id(berlin, NINE), appointment_id=appointment, now=NOW)
    holds.slot_release(slot_id=slot_id(berlin, NINE), appointment_id=appointment)
    assert not SlotHold.objects.exists()
    # Idempotent: releasing again is fine, and the slot is bookable again at once.
    holds.slot_release(slot_id=slot_id(berlin, NINE), appointment_id=appointment)
    holds.slot_reserve(slot_id=slot_id(berlin, NINE), appointment_id=uuid.uuid4(), now=NOW)


def test_release_by_another_appointment_changes_nothing(berlin):
    holds.slot_reserve(slot_id=slot_id(berlin, NINE), appointment_id=uuid.uuid4(), now=NOW)
    with pytest.raises(SlotHeldByOther):
        holds.slot_release(slot_id=slot_id(berlin, NINE), appointment_id=uuid.uuid4())
    assert SlotHold.objects.count() == 1


def test_release_of_an_id_that_is_no_slot(berlin):
    with pytest.raises(SlotNotFound):
        holds.slot_release(slot_id=uuid.uuid4(), appointment_id=uuid.uuid4())
