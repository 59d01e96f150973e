"""Database-level rules of the profiles models and the seeded specialties."""

import uuid

import pytest
from django.db import IntegrityError, connection, transaction

from user_service.profiles.models import Doctor, Patient, ProfileOwner, Specialty
from user_service.profiles.tests.factories import DoctorFactory, PatientFactory, SpecialtyFactory

pytestmark = pytest.mark.django_db

SEEDED = {
    "cardiology",
    "dermatology",
    "family-medicine",
    "pediatrics",
    "neurology",
    "orthopedics",
    "psychiatry",
    "ophthalmology",
    "gynecology",
    "ent",
}


def test_data_migration_seeds_the_real_specialties():
    assert set(Specialty.objects.values_list("slug", flat=True)) >= SEEDED
    assert Specialty.objects.get(slug="cardiology").name == "Cardiology"


def test_doctor_with_empty_full_name_is_refused_by_the_database():
    specialty = SpecialtyFactory()
    with pytest.raises(IntegrityError):
        Doctor.objects.create(
            user_id=uuid.uuid4(), full_name="", specialty=specialty, timezone="UTC"
        )


def test_patient_with_empty_full_name_is_refused_by_the_database():
    with pytest.raises(IntegrityError):
        Patient.objects.create(user_id=uuid.uuid4(), full_name="")


def test_specialty_in_use_cannot_be_deleted():
    doctor = DoctorFactory()
    with pytest.raises(IntegrityError):
        doctor.specialty.delete()


def test_str_and_role():
    doctor = DoctorFactory(full_name="Dr. Who")
    patient = PatientFactory(full_name="Amy Pond")
    assert (str(doctor), doctor.role) == ("Dr. Who", "doctor")
    assert (str(patient), patient.role) == ("Amy Pond", "patient")
    assert str(doctor.specialty) == doctor.specialty.name


# One role per user id (ProfileOwner; migration 0004)


def test_a_patient_row_for_a_doctors_id_is_refused_by_the_database():
    doctor = DoctorFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Patient.objects.create(user_id=doctor.user_id, full_name="Same Id")
    assert not Patient.objects.filter(pk=doctor.user_id).exists()


def test_a_doctor_row_for_a_patients_id_is_refused_by_the_database():
    patient = PatientFactory()
    specialty = SpecialtyFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Doctor.objects.create(
            user_id=patient.user_id, full_name="Dr. Same", specialty=specialty, timezone="UTC"
        )
    assert not Doctor.objects.filter(pk=patient.user_id).exists()


def test_a_profile_without_its_owner_row_is_refused_at_once():
    with pytest.raises(IntegrityError), transaction.atomic():
        Patient.objects.create(user_id=uuid.uuid4(), full_name="No Owner")


def test_a_profile_cannot_claim_the_other_role():
    owner = ProfileOwner.objects.create(user_id=uuid.uuid4(), role="patient")
    with pytest.raises(IntegrityError), transaction.atomic():
        Patient.objects.create(user_id=owner.user_id, full_name="Odd", role="doctor")


@pytest.mark.parametrize("factory", [DoctorFactory, PatientFactory])
def test_an_owner_with_a_profile_cannot_change_role(factory):
    profile = factory()
    other = "patient" if profile.role == "doctor" else "doctor"
    with pytest.raises(IntegrityError), transaction.atomic():
        ProfileOwner.objects.filter(pk=profile.user_id).update(role=other)
    assert ProfileOwner.objects.get(pk=profile.user_id).role == profile.role


def test_an_owner_role_must_be_a_profile_role():
    with pytest.raises(IntegrityError), transaction.atomic():
        ProfileOwner.objects.create(user_id=uuid.uuid4(), role="staff")


def test_deleting_the_owner_deletes_the_profile():
    doctor, patient = DoctorFactory(), PatientFactory()
    ProfileOwner.objects.filter(pk__in=[doctor.pk, patient.pk]).delete()
    assert not Doctor.objects.exists()
    assert not Patient.objects.exists()


def test_owner_str():
    owner = ProfileOwner(user_id=uuid.UUID(int=5), role="doctor")
    assert str(owner) == f"doctor {uuid.UUID(int=5)}"


def test_no_profile_outlives_its_owner_even_in_raw_sql():
    """SQLite cascades (a trigger); PostgreSQL refuses (the foreign key, checked here at once)."""
    doctor = DoctorFactory()
    owner_id = ProfileOwner._meta.pk.get_db_prep_value(doctor.user_id, connection)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("DELETE FROM profiles_profileowner WHERE user_id = %s", [owner_id])
    except IntegrityError:
        pass
    owner_left = ProfileOwner.objects.filter(pk=doctor.user_id).exists()
    assert Doctor.objects.filter(pk=doctor.user_id).exists() == owner_left
