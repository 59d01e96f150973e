"""Database-level rules of the profiles models and the seeded specialties."""

import uuid

import pytest
from django.db import IntegrityError

from user_service.profiles.models import Doctor, Patient, Specialty
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
