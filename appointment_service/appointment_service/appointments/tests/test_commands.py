"""Management commands: reconcile_appointments (with the fake schedule); what it repairs is
tested in test_reconciliation."""

import datetime
import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from appointment_service.appointments import reconciliation
from appointment_service.appointments.models import (
    Appointment,
    AppointmentState,
    IdempotencyKey,
)
from appointment_service.appointments.tests.fakes import age, make_pending
from common.errors import ServiceUnavailable

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def reconcile(*args) -> str:
    return run("reconcile_appointments", "--grace", "0", *args)


def test_nothing_to_do(schedule):
    out = reconcile()
    assert "pending removed: 0, holds released: 0, slots reserved again: 0" in out
    assert "in line" in out


def test_the_command_names_each_appointment_it_cancelled(schedule, book, patient_id):
    appointment = book(patient_id, schedule.add_slot())
    slot = schedule.slots[appointment.slot_id]
    slot.holder, slot.bookable = None, False
    age(appointment)
    out = reconcile()
    assert "appointments cancelled: 1" in out
    assert f"cancelled appointment {appointment.id}: its slot {slot.id}" in out


# Idempotency keys


def test_old_and_abandoned_idempotency_keys_are_purged(schedule):
    now = timezone.now()
    rows = {
        name: IdempotencyKey.objects.create(
            patient_id=uuid.uuid4(), key=name, request_hash="h", response_status=status
        )
        for name, status in [("old", 201), ("fresh", 201), ("abandoned", None), ("in-flight", None)]
    }
    ages = {"old": datetime.timedelta(hours=25), "abandoned": datetime.timedelta(minutes=5)}
    for name, how_old in ages.items():
        IdempotencyKey.objects.filter(pk=rows[name].pk).update(created_at=now - how_old)
    assert "idempotency keys purged: 2" in reconcile()
    assert set(IdempotencyKey.objects.values_list("key", flat=True)) == {"fresh", "in-flight"}


# schedule_service unavailable


def test_schedule_down_changes_nothing_and_exits_non_zero(schedule, book, patient_id):
    pending = make_pending(schedule, schedule.add_slot(), hold=True)
    lost = book(patient_id, schedule.add_slot())
    schedule.slots[lost.slot_id].holder = None
    age(lost)
    schedule.down.add("holds")
    calls_before = len(schedule.calls)
    with pytest.raises(CommandError, match="schedule_service could not be asked"):
        reconcile()
    assert Appointment.objects.filter(pk=pending.pk, state=AppointmentState.PENDING).exists()
    assert Appointment.objects.get(pk=lost.pk).state == AppointmentState.BOOKED
    assert [call[0] for call in schedule.calls[calls_before:]] == ["holds"]


def test_schedule_failing_half_way_leaves_each_repair_whole(schedule, monkeypatch):
    first = make_pending(schedule, schedule.add_slot(), hold=True)
    second = make_pending(schedule, schedule.add_slot(), hold=True)
    real_release = schedule.slot_release
    calls = []

    def release_once(**kwargs):
        calls.append(kwargs)
        if len(calls) > 1:
            raise ServiceUnavailable()
        return real_release(**kwargs)

    monkeypatch.setattr(
        "appointment_service.appointments.clients.schedule_slot_release", release_once
    )
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("reconcile_appointments", "--grace", "0", stdout=out)
    assert "pending removed: 1" in out.getvalue()
    remaining = Appointment.objects.get()  # one removed whole, the other untouched
    assert remaining.pk in (first.pk, second.pk)
    assert schedule.holder_of(remaining.slot_id) == remaining.id


def test_negative_grace_is_refused(schedule):
    with pytest.raises(CommandError):
        run("reconcile_appointments", "--grace", "-1")


def test_reconcile_report_counts():
    report = reconciliation.ReconcileReport(pending_removed=1)
    assert report.counts()["pending removed"] == 1
