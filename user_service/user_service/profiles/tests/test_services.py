"""Writes: idempotent profile creation, validated updates, upserts."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from user_service.profiles import services
from user_service.profiles.exceptions import ProfileRoleConflict, UnknownSpecialty
from user_service.profiles.models import Doctor, Patient, ProfileOwner
from user_service.profiles.tests.factories import DoctorFactory, PatientFactory, SpecialtyFactory

pytestmark = pytest.mark.django_db


def _create_doctor(**overrides):
    kwargs = {
        "user_id": uuid.uuid4(),
        "full_name": "  Dr. Anna Weber ",
        "specialty_slug": "cardiology",
        "timezone": "Europe/Berlin",
        "bio": "Heart.",
    }
    kwargs.update(overrides)
    return services.doctor_create(**kwargs)


def test_doctor_create_stores_a_clean_doctor():
    doctor, created = _create_doctor()
    assert created
    stored = Doctor.objects.get(pk=doctor.pk)
    assert stored.full_name == "Dr. Anna Weber"
    assert stored.specialty.slug == "cardiology"
    assert stored.timezone == "Europe/Berlin"


def test_doctor_create_twice_returns_the_first_unchanged():
    user_id = uuid.uuid4()
    first, _ = _create_doctor(user_id=user_id)
    again, created = _create_doctor(user_id=user_id, full_name="Someone Else")
    assert not created
    assert again.pk == first.pk
    assert again.full_name == "Dr. Anna Weber"
    assert Doctor.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"specialty_slug": "astrology"}, UnknownSpecialty),
        ({"specialty_slug": None}, ValidationError),
        ({"timezone": "Mars/Olympus"}, ValidationError),
        ({"timezone": None}, ValidationError),
        ({"full_name": "   "}, ValidationError),
    ],
)
def test_doctor_create_refuses_bad_input_and_stores_nothing(overrides, error):
    with pytest.raises(error):
        _create_doctor(**overrides)
    assert not Doctor.objects.exists()


def test_patient_create_and_idempotency():
    user_id = uuid.uuid4()
    patient, created = services.patient_create(
        user_id=user_id, full_name=" Jonas ", phone=" +49 30 123 ", date_of_birth=None
    )
    assert created
    assert (patient.full_name, patient.phone) == ("Jonas", "+49 30 123")
    again, created = services.patient_create(user_id=user_id, full_name="Other")
    assert (created, again.full_name) == (False, "Jonas")
    assert Patient.objects.count() == 1


@pytest.mark.parametrize(
    "overrides",
    [
        {"phone": "call me"},
        {"date_of_birth": datetime.date.today() + datetime.timedelta(days=1)},
        {"full_name": ""},
    ],
)
def test_patient_create_refuses_bad_input(overrides):
    kwargs = {"user_id": uuid.uuid4(), "full_name": "Jonas", **overrides}
    with pytest.raises(ValidationError):
        services.patient_create(**kwargs)
    assert not Patient.objects.exists()


def test_profile_create_dispatches_on_role():
    doctor, _ = services.profile_create(
        user_id=uuid.uuid4(),
        role="doctor",
        full_name="Dr. A",
        specialty_slug="neurology",
        timezone="UTC",
        phone="ignored",
    )
    patient, _ = services.profile_create(
        user_id=uuid.uuid4(), role="patient", full_name="P", specialty_slug="ignored"
    )
    assert isinstance(doctor, Doctor)
    assert isinstance(patient, Patient)


def test_profile_create_unknown_role_is_a_validation_error():
    with pytest.raises(ValidationError):
        services.profile_create(user_id=uuid.uuid4(), role="staff", full_name="S")


def test_profile_create_with_the_other_role_conflicts():
    patient = PatientFactory()
    with pytest.raises(ProfileRoleConflict):
        _create_doctor(user_id=patient.user_id)
    doctor = DoctorFactory()
    with pytest.raises(ProfileRoleConflict):
        services.patient_create(user_id=doctor.user_id, full_name="X")
    assert Doctor.objects.count() == 1
    assert Patient.objects.count() == 1


def test_create_that_loses_the_race_returns_the_winner(monkeypatch):
    """The pre-check misses a row a concurrent call stored: the INSERT fails, the row is returned."""
    winner = DoctorFactory()
    monkeypatch.setattr(services, "profile_find", lambda **kwargs: None)
    doctor, created = _create_doctor(user_id=winner.user_id, specialty_slug=winner.specialty.slug)
    assert not created
    assert doctor.full_name == winner.full_name
    assert Doctor.objects.count() == 1


@pytest.mark.parametrize("first", ["doctor", "patient"])
def test_the_owner_row_refuses_the_other_role_when_the_pre_check_misses_it(monkeypatch, first):
    """As when a concurrent create of the other role committed after the pre-check."""
    winner = DoctorFactory() if first == "doctor" else PatientFactory()
    monkeypatch.setattr(services, "profile_find", lambda **kwargs: None)
    if first == "doctor":
        with pytest.raises(ProfileRoleConflict):
            services.patient_create(user_id=winner.user_id, full_name="Other")
    else:
        with pytest.raises(ProfileRoleConflict):
            _create_doctor(user_id=winner.user_id)
    assert Doctor.objects.count() + Patient.objects.count() == 1
    assert ProfileOwner.objects.get(pk=winner.user_id).role == first


def test_a_create_writes_the_owner_row_with_the_profile():
    doctor, _ = _create_doctor()
    patient, _ = services.patient_create(user_id=uuid.uuid4(), full_name="P")
    assert ProfileOwner.objects.get(pk=doctor.user_id).role == "doctor"
    assert ProfileOwner.objects.get(pk=patient.user_id).role == "patient"


def test_a_refused_profile_leaves_no_owner_row(monkeypatch):
    def failing_save(self, *args, **kwargs):
        raise IntegrityError("some other constraint")

    monkeypatch.setattr(Patient, "save", failing_save)
    with pytest.raises(IntegrityError):
        services.patient_create(user_id=uuid.uuid4(), full_name="P")
    assert not ProfileOwner.objects.exists()


def test_profile_delete_removes_profile_and_owner_and_is_idempotent():
    doctor, patient = DoctorFactory(), PatientFactory()
    assert services.profile_delete(user_id=doctor.user_id) is True
    assert services.profile_delete(user_id=doctor.user_id) is False
    assert not Doctor.objects.exists()
    assert list(ProfileOwner.objects.values_list("pk", flat=True)) == [patient.user_id]
    # The id is free again, for either role.
    services.patient_create(user_id=doctor.user_id, full_name="Now a patient")


def test_integrity_error_without_a_stored_row_is_raised(monkeypatch):
    def failing_save(self, *args, **kwargs):
        raise IntegrityError("some other constraint")

    monkeypatch.setattr(Doctor, "save", failing_save)
    with pytest.raises(IntegrityError):
        _create_doctor()


def test_doctor_update_changes_given_fields_only():
    doctor = DoctorFactory(full_name="Old", bio="Old bio", timezone="UTC")
    SpecialtyFactory(slug="neurology")
    updated = services.doctor_update(
        doctor=doctor,
        data={"full_name": " New ", "timezone": "Asia/Tokyo", "specialty": "neurology"},
    )
    stored = Doctor.objects.get(pk=doctor.pk)
    assert (stored.full_name, stored.timezone, stored.specialty.slug, stored.bio) == (
        "New",
        "Asia/Tokyo",
        "neurology",
        "Old bio",
    )
    assert updated.updated_at == stored.updated_at


def test_doctor_update_without_changes_does_not_save():
    doctor = DoctorFactory()
    before = Doctor.objects.get(pk=doctor.pk).updated_at
    same = services.doctor_update(
        doctor=doctor,
        data={"full_name": doctor.full_name, "specialty": doctor.specialty.slug, "bio": doctor.bio},
    )
    assert same is doctor
    assert Doctor.objects.get(pk=doctor.pk).updated_at == before


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"full_name": "Fine", "timezone": "Nowhere/Land"}, ValidationError),
        ({"full_name": "Fine", "specialty": "astrology"}, UnknownSpecialty),
        ({"full_name": "   "}, ValidationError),
        ({"user_id": str(uuid.uuid4())}, ValueError),
    ],
)
def test_doctor_update_refused_changes_nothing(data, error):
    doctor = DoctorFactory(full_name="Kept", timezone="UTC")
    with pytest.raises(error):
        services.doctor_update(doctor=doctor, data=data)
    stored = Doctor.objects.get(pk=doctor.pk)
    assert (stored.full_name, stored.timezone) == ("Kept", "UTC")
    assert (doctor.full_name, doctor.timezone) == ("Kept", "UTC")


def test_patient_update_and_refusals():
    patient = PatientFactory(phone="", date_of_birth=None)
    services.patient_update(
        patient=patient, data={"phone": "+1 555 0100", "date_of_birth": datetime.date(1990, 1, 2)}
    )
    stored = Patient.objects.get(pk=patient.pk)
    assert (stored.phone, stored.date_of_birth) == ("+1 555 0100", datetime.date(1990, 1, 2))
    with pytest.raises(ValueError, match="cannot be changed"):
        services.patient_update(patient=stored, data={"timezone": "UTC"})
    with pytest.raises(ValidationError):
        services.patient_update(patient=stored, data={"phone": "nope"})
    assert Patient.objects.get(pk=patient.pk).phone == "+1 555 0100"


def test_profile_update_dispatches_on_type():
    doctor, patient = DoctorFactory(), PatientFactory()
    assert services.profile_update(profile=doctor, data={"bio": "B"}).bio == "B"
    assert services.profile_update(profile=patient, data={"full_name": "N"}).full_name == "N"


def test_upserts_create_then_update():
    user_id = uuid.uuid4()
    _, created = services.doctor_upsert(
        user_id=user_id, full_name="D", specialty_slug="ent", timezone="UTC"
    )
    doctor, created_again = services.doctor_upsert(
        user_id=user_id, full_name="D2", specialty_slug="ent", timezone="Europe/Paris", bio="x"
    )
    assert (created, created_again) == (True, False)
    assert (doctor.full_name, doctor.timezone, doctor.bio) == ("D2", "Europe/Paris", "x")

    patient_id = uuid.uuid4()
    services.patient_upsert(user_id=patient_id, full_name="P")
    patient, created = services.patient_upsert(user_id=patient_id, full_name="P2", phone="+1 555")
    assert (created, patient.full_name, patient.phone) == (False, "P2", "+1 555")
