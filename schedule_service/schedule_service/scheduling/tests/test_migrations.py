"""Migration 0003: schedules made before approval existed stay bookable; new ones wait."""

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("scheduling", "0002_slothold_no_overlap")]
AFTER = [("scheduling", "0003_doctor_approval")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_existing_schedules_are_approved_and_new_ones_are_not():
    try:
        old = _migrate(BEFORE).get_model("scheduling", "DoctorSchedule")
        existing = old.objects.create(doctor_id=uuid.uuid4(), timezone="UTC")
        new = _migrate(AFTER).get_model("scheduling", "DoctorSchedule")
        assert new.objects.get(pk=existing.pk).doctor_approved is True
        assert new.objects.create(doctor_id=uuid.uuid4(), timezone="UTC").doctor_approved is False
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
