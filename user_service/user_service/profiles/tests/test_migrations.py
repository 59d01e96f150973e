"""Migration 0004 gives every existing profile its owner row, and refuses an id with both roles."""

import datetime
import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("profiles", "0003_doctor_approval")]
AFTER = [("profiles", "0004_profile_owner")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_apps(django_db_blocker):
    apps = _migrate(BEFORE)
    yield apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _old_rows(apps, *, both: bool = False):
    doctor_model = apps.get_model("profiles", "Doctor")
    patient_model = apps.get_model("profiles", "Patient")
    specialty, _ = apps.get_model("profiles", "Specialty").objects.get_or_create(
        slug="cardiology", defaults={"name": "Cardiology"}
    )
    doctor = doctor_model.objects.create(
        user_id=uuid.uuid4(), full_name="Dr. Old", specialty=specialty, timezone="UTC"
    )
    patient = patient_model.objects.create(user_id=uuid.uuid4(), full_name="Pat Old")
    doctor_model.objects.filter(pk=doctor.pk).update(
        created_at=datetime.datetime(2025, 1, 2, tzinfo=datetime.UTC)
    )
    if both:
        patient_model.objects.create(user_id=doctor.user_id, full_name="Dr. Old as patient")
    return doctor.user_id, patient.user_id


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_existing_profile_gets_its_owner_with_its_role(old_apps):
    doctor_id, patient_id = _old_rows(old_apps)
    new_apps = _migrate(AFTER)
    owners = new_apps.get_model("profiles", "ProfileOwner").objects
    assert owners.get(pk=doctor_id).role == "doctor"
    assert owners.get(pk=doctor_id).created_at == datetime.datetime(2025, 1, 2, tzinfo=datetime.UTC)
    assert owners.get(pk=patient_id).role == "patient"
    assert new_apps.get_model("profiles", "Doctor").objects.get(pk=doctor_id).role == "doctor"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_id_with_both_profiles_stops_the_migration_and_names_it(old_apps):
    doctor_id, _ = _old_rows(old_apps, both=True)
    with pytest.raises(RuntimeError, match=str(doctor_id)):
        _migrate(AFTER)
    # Nothing half done: the operator deletes the wrong row, and it goes through.
    old_apps.get_model("profiles", "Patient").objects.filter(pk=doctor_id).delete()
    new_apps = _migrate(AFTER)
    assert new_apps.get_model("profiles", "ProfileOwner").objects.count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_can_be_reversed(old_apps):
    _old_rows(old_apps)
    _migrate(AFTER)
    apps = _migrate(BEFORE)
    assert apps.get_model("profiles", "Doctor").objects.count() == 1
    # Without owner rows, the old tables take profiles again.
    apps.get_model("profiles", "Patient").objects.create(user_id=uuid.uuid4(), full_name="New")
