"""Reads: specialties, the doctor directory and profile look-ups."""

import datetime
import uuid

import pytest
from django.db import connection

from common.renderers import JSONRenderer
from user_service.profiles import selectors
from user_service.profiles.exceptions import DoctorNotFound, ProfileNotFound, UnknownSpecialty
from user_service.profiles.models import Doctor
from user_service.profiles.serializers import DoctorOutputSerializer
from user_service.profiles.tests.factories import DoctorFactory, PatientFactory, SpecialtyFactory

pytestmark = pytest.mark.django_db

ONE_HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def directory():
    cardiology = SpecialtyFactory(slug="cardiology")
    dermatology = SpecialtyFactory(slug="dermatology")
    return {
        "anna": DoctorFactory(full_name="Anna Weber", specialty=cardiology, bio="Heart failure."),
        "bert": DoctorFactory(full_name="Bert Keller", specialty=dermatology, bio="Skin and hair."),
        "carla": DoctorFactory(
            full_name="Carla Brandt", specialty=cardiology, bio="Sports medicine."
        ),
    }


def _names(queryset):
    return [doctor.full_name for doctor in queryset]


def test_specialty_list_is_ordered_by_name():
    names = [s.name for s in selectors.specialty_list()]
    assert names == sorted(names)


def test_specialty_get_unknown_slug_raises_with_the_field():
    with pytest.raises(UnknownSpecialty) as excinfo:
        selectors.specialty_get(slug="astrology", field="filter")
    assert excinfo.value.extra["errors"][0]["field"] == "filter"


def test_doctor_list_orders_by_name_by_default(directory):
    assert _names(selectors.doctor_list()) == ["Anna Weber", "Bert Keller", "Carla Brandt"]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("-full_name", ["Carla Brandt", "Bert Keller", "Anna Weber"]),
        ("specialty", ["Anna Weber", "Carla Brandt", "Bert Keller"]),
        ("-specialty", ["Bert Keller", "Anna Weber", "Carla Brandt"]),
    ],
)
def test_doctor_list_ordering(directory, ordering, expected):
    assert _names(selectors.doctor_list(ordering=ordering)) == expected


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("anna", ["Anna Weber"]),
        ("KELLER", ["Bert Keller"]),
        ("cardio", ["Anna Weber", "Carla Brandt"]),
        ("sports", ["Carla Brandt"]),
        ("cardiology heart", ["Anna Weber"]),
        ("  ", ["Anna Weber", "Bert Keller", "Carla Brandt"]),
        ("nobody", []),
    ],
)
def test_doctor_list_search_matches_name_specialty_and_bio(directory, search, expected):
    assert _names(selectors.doctor_list(search=search)) == expected


def test_doctor_list_filters_by_specialty(directory):
    assert _names(selectors.doctor_list(specialty_slug="dermatology")) == ["Bert Keller"]


def test_doctor_list_unknown_specialty_raises(directory):
    with pytest.raises(UnknownSpecialty):
        selectors.doctor_list(specialty_slug="astrology")


def test_doctor_get(directory):
    anna = directory["anna"]
    assert selectors.doctor_get(user_id=str(anna.user_id)) == anna
    assert selectors.doctor_get(user_id=anna.user_id) == anna


@pytest.mark.parametrize("user_id", [uuid.uuid4(), "not-a-uuid", ""])
def test_doctor_get_unknown_or_malformed_raises(user_id):
    with pytest.raises(DoctorNotFound):
        selectors.doctor_get(user_id=user_id)


def test_profile_get_finds_doctors_and_patients():
    doctor, patient = DoctorFactory(), PatientFactory()
    assert selectors.profile_get(user_id=doctor.user_id) == doctor
    assert selectors.profile_get(user_id=str(patient.user_id)) == patient


@pytest.mark.parametrize("user_id", [uuid.uuid4(), "nope"])
def test_profile_get_unknown_or_malformed_raises(user_id):
    with pytest.raises(ProfileNotFound):
        selectors.profile_get(user_id=user_id)


def test_profile_list_by_ids_keeps_the_order_and_leaves_unknown_ids_out():
    doctor, patient = DoctorFactory(), PatientFactory()
    PatientFactory()
    found = selectors.profile_list_by_ids(user_ids=[patient.user_id, uuid.uuid4(), doctor.user_id])
    assert found == [patient, doctor]


def test_profile_list_by_ids_of_nothing_asks_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert selectors.profile_list_by_ids(user_ids=[]) == []


def test_profile_get_for_user_looks_in_the_table_of_the_role():
    doctor = DoctorFactory()
    assert selectors.profile_get_for_user(user_id=doctor.user_id, role="doctor") == doctor
    with pytest.raises(ProfileNotFound):
        selectors.profile_get_for_user(user_id=doctor.user_id, role="patient")


def test_profile_get_for_user_staff_has_none():
    with pytest.raises(ProfileNotFound, match="Staff"):
        selectors.profile_get_for_user(user_id=uuid.uuid4(), role="staff")


def test_profile_list_created_is_a_sequence_of_profiles_oldest_first():
    from django.utils import timezone

    from user_service.profiles.models import ProfileOwner

    doctor, patient = DoctorFactory(), PatientFactory()
    ProfileOwner.objects.filter(pk=patient.pk).update(created_at=timezone.now() - ONE_HOUR)
    listed = selectors.profile_list_created(before=timezone.now())
    assert len(listed) == 2
    assert (listed[0], listed[1]) == (patient, doctor)
    assert list(listed[0:5]) == [patient, doctor]
    assert len(selectors.profile_list_created(before=timezone.now(), after=timezone.now())) == 0


# The directory's rows and its search indexes


def test_doctor_rows_show_a_doctor_as_the_serializer_does(directory):
    pending = DoctorFactory(full_name="Dora Pending", pending=True)
    for row in selectors.doctor_rows(status="all", viewer_role="staff"):
        doctor = Doctor.objects.select_related("specialty").get(pk=row["user_id"])
        shown = selectors.doctor_row_output(row)
        assert JSONRenderer().render(shown) == JSONRenderer().render(
            DoctorOutputSerializer(doctor).data
        )
        assert shown["approved"] is (doctor.user_id != pending.user_id)


def test_a_search_term_matches_the_specialty_name_by_its_id(directory):
    SpecialtyFactory(slug="cardiac-surgery", name="Cardiac surgery")
    assert _names(selectors.doctor_list(search="CARDIO")) == ["Anna Weber", "Carla Brandt"]
    assert _names(selectors.doctor_list(search="cardio sports")) == ["Carla Brandt"]
    assert _names(selectors.doctor_list(search="surgery")) == []


@pytest.mark.postgres
def test_the_search_can_use_the_trigram_indexes():
    DoctorFactory.create_batch(500)
    query = selectors.doctor_rows(search="weber")
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE profiles_doctor")
        # With 500 doctors a scan is still the cheaper plan (under a millisecond); forbid it
        # to see that each arm of the search's OR has an index that serves it.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "BitmapOr" in plan, plan
    assert "Bitmap Index Scan on doctor_name_trgm_idx" in plan, plan
    assert "Bitmap Index Scan on doctor_bio_trgm_idx" in plan, plan
    assert "Index Cond: (specialty_id = ANY" in plan, plan
