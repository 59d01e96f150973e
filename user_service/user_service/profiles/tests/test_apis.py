"""Public API: specialties, the doctor directory, the caller's own profile."""

import datetime
import uuid

import pytest

from common.testing import BearerClient, assert_problem, error_fields, forged_tokens, service_token
from user_service.profiles.models import Doctor, Patient
from user_service.profiles.tests.factories import DoctorFactory, PatientFactory, SpecialtyFactory

pytestmark = pytest.mark.django_db

SPECIALTIES_URL = "/api/v1/specialties/"
DOCTORS_URL = "/api/v1/doctors/"
ME_URL = "/api/v1/profiles/me/"


def _doctor_url(doctor_id) -> str:
    return f"{DOCTORS_URL}{doctor_id}/"


def _names(response) -> list[str]:
    return [doctor["full_name"] for doctor in response.json()["results"]]


@pytest.fixture
def service_only(service_client):
    return service_client("profiles:read profiles:write")


# Specialties


def test_specialties_are_public_and_paginated(anon_client):
    response = anon_client.get(SPECIALTIES_URL, {"page_size": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] >= 10
    assert body["previous"] is None
    assert "page=2" in body["next"]
    assert len(body["results"]) == 3
    assert set(body["results"][0]) == {"slug", "name"}


@pytest.mark.parametrize("token", ["not-a-jwt", None])
def test_specialties_ignore_any_token(token, service_only):
    client = BearerClient(token) if token else service_only
    assert client.get(SPECIALTIES_URL).status_code == 200


# Permissions of the user endpoints

USER_ENDPOINTS = [
    ("get", DOCTORS_URL),
    ("get", f"{DOCTORS_URL}{uuid.UUID(int=1)}/"),
    ("get", ME_URL),
    ("patch", ME_URL),
]


@pytest.mark.parametrize(("method", "url"), USER_ENDPOINTS)
def test_user_endpoints_need_a_token(anon_client, method, url):
    response = getattr(anon_client, method)(url)
    assert_problem(response, 401, "not-authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "url"), USER_ENDPOINTS)
def test_user_endpoints_refuse_service_tokens(service_only, method, url):
    assert_problem(getattr(service_only, method)(url, {}), 403, "permission-denied")


def test_forged_tokens_are_refused_on_the_directory():
    for name, token in forged_tokens(uuid.uuid4()).items():
        response = BearerClient(token).get(DOCTORS_URL)
        assert response.status_code == 401, name
        assert_problem(response, 401)


def test_service_token_for_another_audience_is_refused():
    token = service_token("tester", "profiles:read", aud="schedule_service")
    assert_problem(BearerClient(token).get(DOCTORS_URL), 401)


# Doctor directory


@pytest.fixture
def directory():
    cardiology = SpecialtyFactory(slug="cardiology")
    dermatology = SpecialtyFactory(slug="dermatology")
    return [
        DoctorFactory(full_name="Anna Weber", specialty=cardiology, bio="Heart failure."),
        DoctorFactory(full_name="Bert Keller", specialty=dermatology, bio="Skin and hair."),
        DoctorFactory(full_name="Carla Brandt", specialty=cardiology, bio="Sports medicine."),
    ]


@pytest.mark.parametrize("role", ["patient", "doctor", "staff"])
def test_any_user_lists_doctors(make_client, directory, role):
    response = make_client(role).get(DOCTORS_URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    anna = body["results"][0]
    assert anna == {
        "id": str(directory[0].user_id),
        "full_name": "Anna Weber",
        "specialty": {"slug": "cardiology", "name": "Cardiology"},
        "bio": "Heart failure.",
        "timezone": "Europe/Berlin",
        "approved": True,
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"search": "WEBER"}, ["Anna Weber"]),
        ({"search": "derma"}, ["Bert Keller"]),
        ({"search": "sports"}, ["Carla Brandt"]),
        ({"search": ""}, ["Anna Weber", "Bert Keller", "Carla Brandt"]),
        ({"specialty": "cardiology"}, ["Anna Weber", "Carla Brandt"]),
        ({"specialty": "cardiology", "search": "carla"}, ["Carla Brandt"]),
        ({"specialty": "neurology"}, []),
        ({"ordering": "-full_name"}, ["Carla Brandt", "Bert Keller", "Anna Weber"]),
        ({"ordering": "specialty"}, ["Anna Weber", "Carla Brandt", "Bert Keller"]),
    ],
)
def test_doctor_search_filter_and_ordering(make_client, directory, params, expected):
    response = make_client("patient").get(DOCTORS_URL, params)
    assert response.status_code == 200
    assert _names(response) == expected


def test_doctor_list_unknown_specialty_is_a_field_error(make_client, directory):
    body = assert_problem(
        make_client("patient").get(DOCTORS_URL, {"specialty": "astrology"}),
        400,
        "unknown-specialty",
    )
    assert body["errors"] == [
        {"field": "specialty", "code": "unknown-specialty", "detail": body["detail"]}
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"ordering": "bio"}, "ordering"),
        ({"specialty": "not a slug!"}, "specialty"),
        ({"search": "x" * 101}, "search"),
    ],
)
def test_doctor_list_bad_filters_are_field_errors(make_client, params, field):
    body = assert_problem(make_client("patient").get(DOCTORS_URL, params), 400, "validation-error")
    assert error_fields(body) == {field}


def test_doctor_list_pagination(make_client, directory):
    client = make_client("patient")
    first = client.get(DOCTORS_URL, {"page_size": 2}).json()
    second = client.get(DOCTORS_URL, {"page_size": 2, "page": 2}).json()
    assert first["count"] == second["count"] == 3
    assert [d["full_name"] for d in first["results"] + second["results"]] == [
        "Anna Weber",
        "Bert Keller",
        "Carla Brandt",
    ]
    assert second["next"] is None
    assert second["previous"] is not None
    assert_problem(client.get(DOCTORS_URL, {"page": 99}), 404)


@pytest.mark.parametrize("how_many", [1, 30])
def test_doctor_list_query_count_does_not_grow(make_client, django_assert_num_queries, how_many):
    DoctorFactory.create_batch(how_many)
    client = make_client("patient")
    with django_assert_num_queries(1):  # one page with its total and the specialty joined
        response = client.get(DOCTORS_URL, {"page_size": 100})
    assert response.json()["count"] == how_many


@pytest.mark.parametrize("how_many", [1, 30])
def test_filtered_doctor_list_query_count_does_not_grow(
    make_client, django_assert_num_queries, how_many
):
    specialty = SpecialtyFactory(slug="neurology")
    DoctorFactory.create_batch(how_many, specialty=specialty)
    client = make_client("patient")
    with django_assert_num_queries(2):  # specialty look-up + the page with its total
        response = client.get(DOCTORS_URL, {"specialty": "neurology", "page_size": 100})
    assert response.json()["count"] == how_many


def test_doctor_detail(make_client, directory):
    doctor = directory[1]
    response = make_client("patient").get(_doctor_url(doctor.user_id))
    assert response.status_code == 200
    assert response.json()["full_name"] == "Bert Keller"
    assert response.json()["specialty"]["slug"] == "dermatology"


@pytest.mark.parametrize("doctor_id", [uuid.uuid4(), "not-a-uuid", "1"])
def test_doctor_detail_unknown_or_malformed_id_is_404(make_client, doctor_id):
    assert_problem(make_client("patient").get(_doctor_url(doctor_id)), 404, "doctor-not-found")


def test_doctor_detail_of_a_patient_is_404(make_client):
    patient = PatientFactory()
    assert_problem(make_client("doctor").get(_doctor_url(patient.user_id)), 404)


# My profile


def test_patient_reads_own_profile(make_client):
    patient = PatientFactory(full_name="Jonas Keller", date_of_birth=datetime.date(1988, 4, 17))
    response = make_client("patient", user_id=patient.user_id).get(ME_URL)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "id",
        "role",
        "full_name",
        "phone",
        "date_of_birth",
        "created_at",
        "updated_at",
    }
    assert (body["id"], body["role"], body["date_of_birth"]) == (
        str(patient.user_id),
        "patient",
        "1988-04-17",
    )


def test_doctor_reads_own_profile(make_client):
    doctor = DoctorFactory(timezone="America/New_York")
    body = make_client("doctor", user_id=doctor.user_id).get(ME_URL).json()
    assert body["role"] == "doctor"
    assert body["timezone"] == "America/New_York"
    assert body["specialty"]["slug"] == doctor.specialty.slug
    assert "phone" not in body


@pytest.mark.parametrize("role", ["patient", "doctor"])
def test_profile_of_the_other_role_or_missing_is_404(make_client, role):
    # A patient's id presented with a doctor token (and the reverse) finds nothing.
    other = PatientFactory() if role == "doctor" else DoctorFactory()
    assert_problem(make_client(role, user_id=other.user_id).get(ME_URL), 404, "profile-not-found")
    assert_problem(make_client(role).get(ME_URL), 404, "profile-not-found")


@pytest.mark.parametrize("method", ["get", "patch"])
def test_staff_have_no_profile(make_client, method):
    response = getattr(make_client("staff"), method)(ME_URL, {"full_name": "X"})
    body = assert_problem(response, 404, "profile-not-found")
    assert "Staff" in body["detail"]


def _snapshot(model, pk):
    return model.objects.filter(pk=pk).values().get()


def test_patient_patches_own_profile_and_read_only_fields_are_ignored(make_client):
    patient = PatientFactory(full_name="Old Name", phone="", date_of_birth=None)
    client = make_client("patient", user_id=patient.user_id)
    response = client.patch(
        ME_URL,
        {
            "full_name": "  New Name ",
            "phone": "+49 30 7654321",
            "date_of_birth": "1990-02-03",
            "id": str(uuid.uuid4()),
            "user_id": str(uuid.uuid4()),
            "role": "doctor",
            "timezone": "Asia/Tokyo",
            "created_at": "2000-01-01T00:00:00Z",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["id"], body["role"], body["full_name"]) == (
        str(patient.user_id),
        "patient",
        "New Name",
    )
    stored = Patient.objects.get()
    assert stored.pk == patient.pk
    assert (stored.full_name, stored.phone, stored.date_of_birth) == (
        "New Name",
        "+49 30 7654321",
        datetime.date(1990, 2, 3),
    )
    assert stored.created_at == patient.created_at
    assert not Doctor.objects.exists()


def test_patient_can_clear_date_of_birth(make_client):
    patient = PatientFactory(date_of_birth=datetime.date(1990, 1, 1))
    response = make_client("patient", user_id=patient.user_id).patch(
        ME_URL, {"date_of_birth": None}
    )
    assert response.status_code == 200
    assert Patient.objects.get().date_of_birth is None


def test_empty_patch_changes_nothing(make_client):
    patient = PatientFactory()
    before = _snapshot(Patient, patient.pk)
    response = make_client("patient", user_id=patient.user_id).patch(ME_URL, {})
    assert response.status_code == 200
    assert _snapshot(Patient, patient.pk) == before


def test_doctor_patches_own_profile(make_client):
    doctor = DoctorFactory(timezone="UTC", bio="Old")
    response = make_client("doctor", user_id=doctor.user_id).patch(
        ME_URL,
        {"timezone": "Europe/Vienna", "specialty": "neurology", "bio": "New", "role": "patient"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["specialty"] == {"slug": "neurology", "name": "Neurology"}
    assert (body["timezone"], body["bio"], body["role"]) == ("Europe/Vienna", "New", "doctor")
    stored = Doctor.objects.get()
    assert (stored.timezone, stored.specialty.slug, stored.bio) == (
        "Europe/Vienna",
        "neurology",
        "New",
    )


@pytest.mark.parametrize(
    ("payload", "status", "fields"),
    [
        ({"full_name": "Changed", "timezone": "Mars/Olympus"}, 400, {"timezone"}),
        ({"full_name": "Changed", "specialty": "astrology"}, 400, {"specialty"}),
        ({"full_name": "Changed", "specialty": 42}, 400, {"specialty"}),
        ({"full_name": ""}, 400, {"full_name"}),
        ({"full_name": "   "}, 400, {"full_name"}),
        ({"full_name": {"first": "A"}}, 400, {"full_name"}),
        ({"full_name": "x" * 201}, 400, {"full_name"}),
        ({"bio": ["a list"]}, 400, {"bio"}),
        ({"timezone": None}, 400, {"timezone"}),
    ],
)
def test_doctor_bad_patch_changes_nothing(make_client, payload, status, fields):
    doctor = DoctorFactory(full_name="Kept", timezone="UTC")
    before = _snapshot(Doctor, doctor.pk)
    response = make_client("doctor", user_id=doctor.user_id).patch(ME_URL, payload)
    body = assert_problem(response, status)
    assert error_fields(body) == fields
    assert _snapshot(Doctor, doctor.pk) == before


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"full_name": "Changed", "date_of_birth": "yesterday"}, {"date_of_birth"}),
        ({"full_name": "Changed", "date_of_birth": "2999-01-01"}, {"date_of_birth"}),
        ({"full_name": "Changed", "phone": "call me maybe"}, {"phone"}),
        ({"full_name": 12.5, "phone": True}, {"phone"}),
        (["full_name", "x"], {"non_field_errors"}),
        ("just a string", {"non_field_errors"}),
    ],
)
def test_patient_bad_patch_changes_nothing(make_client, payload, fields):
    patient = PatientFactory(full_name="Kept")
    before = _snapshot(Patient, patient.pk)
    response = make_client("patient", user_id=patient.user_id).patch(ME_URL, payload, format="json")
    body = assert_problem(response, 400)
    assert error_fields(body) == fields
    assert _snapshot(Patient, patient.pk) == before


def test_malformed_json_changes_nothing(make_client):
    patient = PatientFactory(full_name="Kept")
    before = _snapshot(Patient, patient.pk)
    response = make_client("patient", user_id=patient.user_id).patch(
        ME_URL, data='{"full_name": "Changed"', content_type="application/json"
    )
    assert_problem(response, 400, "bad-request")
    assert _snapshot(Patient, patient.pk) == before


def test_form_encoded_body_is_refused(make_client):
    patient = PatientFactory(full_name="Kept")
    response = make_client("patient", user_id=patient.user_id).patch(
        ME_URL, data="full_name=Changed", content_type="application/x-www-form-urlencoded"
    )
    assert_problem(response, 415)
    assert Patient.objects.get().full_name == "Kept"
