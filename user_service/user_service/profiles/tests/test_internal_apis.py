"""Internal API: idempotent profile creation and look-up, service tokens with scopes only."""

import datetime
import uuid

import pytest
from rest_framework import serializers

from common.testing import (
    BearerClient,
    assert_problem,
    error_fields,
    foreign_private_key,
    forged_tokens,
    mint,
    service_token,
    unsigned_token,
)
from user_service.profiles.models import Doctor, Patient
from user_service.profiles.tests.factories import DoctorFactory, PatientFactory

pytestmark = pytest.mark.django_db

CREATE_URL = "/internal/v1/profiles/"


def _detail_url(user_id) -> str:
    return f"{CREATE_URL}{user_id}/"


def _list_url(*user_ids) -> str:
    return f"{CREATE_URL}?ids={','.join(str(user_id) for user_id in user_ids)}"


@pytest.fixture
def writer(service_client):
    return service_client("profiles:write", client_id="auth_service")


@pytest.fixture
def reader(service_client):
    return service_client("profiles:read", client_id="appointment_service")


def _doctor_payload(**overrides):
    payload = {
        "user_id": str(uuid.uuid4()),
        "role": "doctor",
        "full_name": "Dr. Anna Weber",
        "specialty": "cardiology",
        "timezone": "Europe/Berlin",
        "bio": "Heart.",
    }
    payload.update(overrides)
    return payload


def _iso(moment) -> str:
    return serializers.DateTimeField().to_representation(moment)


def _count() -> int:
    return Doctor.objects.count() + Patient.objects.count()


# Permissions


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", CREATE_URL),
        ("get", _list_url(uuid.UUID(int=7))),
        ("get", _detail_url(uuid.UUID(int=7))),
    ],
)
def test_internal_endpoints_need_a_token(anon_client, method, url):
    assert_problem(getattr(anon_client, method)(url, {}), 401, "not-authenticated")


@pytest.mark.parametrize("role", ["patient", "doctor", "staff"])
def test_user_tokens_are_refused(make_client, role):
    client = make_client(role)
    PatientFactory(user_id=client.user_id)
    response = client.post(CREATE_URL, _doctor_payload(user_id=str(client.user_id)))
    assert_problem(response, 403, "permission-denied")
    assert_problem(client.get(_detail_url(client.user_id)), 403)
    assert_problem(client.get(_list_url(client.user_id)), 403, "permission-denied")
    assert _count() == 1


def test_wrong_scope_is_refused(writer, reader):
    patient = PatientFactory()
    assert_problem(reader.post(CREATE_URL, _doctor_payload()), 403, "permission-denied")
    assert_problem(writer.get(_detail_url(patient.user_id)), 403, "permission-denied")
    assert_problem(writer.get(_list_url(patient.user_id)), 403, "permission-denied")
    assert _count() == 1


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_methods_on_the_profiles_route_are_refused(service_client, method):
    client = service_client("profiles:read profiles:write")
    # A method with no scope of its own is closed to every service token.
    assert_problem(getattr(client, method)(CREATE_URL, _doctor_payload()), 403)
    assert _count() == 0


def test_forged_tokens_are_refused_on_the_internal_api():
    user_id = uuid.uuid4()
    forged = dict(forged_tokens(user_id))
    forged.update(
        {
            "service-foreign-key": service_token(
                "auth_service", "profiles:write", key=foreign_private_key()
            ),
            "service-wrong-audience": service_token(
                "auth_service", "profiles:write", aud="schedule_service"
            ),
            "service-expired": service_token("auth_service", "profiles:write", lifetime=-120),
            "service-alg-none": unsigned_token(
                {"sub": "service:auth_service", "scope": "profiles:write", "token_type": "service"}
            ),
            "service-bad-subject": mint(
                sub="auth_service", token_type="service", scope="profiles:write"
            ),
        }
    )
    for name, token in forged.items():
        client = BearerClient(token)
        response = client.post(CREATE_URL, _doctor_payload(user_id=str(user_id)))
        assert response.status_code == 401, name
        assert_problem(response, 401)
        assert client.get(_detail_url(user_id)).status_code == 401, name
        assert client.get(_list_url(user_id)).status_code == 401, name
    assert _count() == 0


# Create


def test_create_doctor(writer):
    payload = _doctor_payload()
    response = writer.post(CREATE_URL, payload)
    assert response.status_code == 201, response.content
    assert response.json() == {
        "user_id": payload["user_id"],
        "role": "doctor",
        "full_name": "Dr. Anna Weber",
        "timezone": "Europe/Berlin",
        "specialty": {"slug": "cardiology", "name": "Cardiology"},
        "approved": False,
        "phone": None,
        "created_at": _iso(Doctor.objects.get().created_at),
    }
    doctor = Doctor.objects.get()
    assert (str(doctor.pk), doctor.bio) == (payload["user_id"], "Heart.")


def test_create_patient(writer):
    user_id = str(uuid.uuid4())
    response = writer.post(
        CREATE_URL,
        {
            "user_id": user_id,
            "role": "patient",
            "full_name": "Jonas Keller",
            "phone": "+49 30 1234567",
            "date_of_birth": "1988-04-17",
            "specialty": "ignored-for-patients",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json() == {
        "user_id": user_id,
        "role": "patient",
        "full_name": "Jonas Keller",
        "timezone": None,
        "specialty": None,
        "approved": None,
        "phone": "+49 30 1234567",
        "created_at": _iso(Patient.objects.get().created_at),
    }
    patient = Patient.objects.get()
    assert str(patient.date_of_birth) == "1988-04-17"
    assert not Doctor.objects.exists()


def test_create_is_idempotent_on_user_id(writer):
    payload = _doctor_payload()
    first = writer.post(CREATE_URL, payload)
    second = writer.post(CREATE_URL, {**payload, "full_name": "Someone Else"})
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json() == first.json()
    assert Doctor.objects.count() == 1
    assert Doctor.objects.get().full_name == "Dr. Anna Weber"


def test_create_with_the_other_role_conflicts(writer):
    patient = PatientFactory()
    response = writer.post(CREATE_URL, _doctor_payload(user_id=str(patient.user_id)))
    assert_problem(response, 409, "profile-role-conflict")
    assert not Doctor.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "code", "fields"),
    [
        ({"specialty": "astrology"}, "unknown-specialty", {"specialty"}),
        ({"timezone": "Mars/Olympus"}, "validation-error", {"timezone"}),
        ({"timezone": "europe/berlin"}, "validation-error", {"timezone"}),
        ({"role": "staff"}, "validation-error", {"role"}),
        ({"role": "admin"}, "validation-error", {"role"}),
        ({"user_id": "not-a-uuid"}, "validation-error", {"user_id"}),
        ({"user_id": None}, "validation-error", {"user_id"}),
        ({"full_name": ""}, "validation-error", {"full_name"}),
        ({"full_name": ["A"]}, "validation-error", {"full_name"}),
        ({"specialty": None, "timezone": None}, "validation-error", {"specialty", "timezone"}),
        ({"specialty": ""}, "validation-error", {"specialty"}),
        ({"bio": {"x": 1}}, "validation-error", {"bio"}),
    ],
)
def test_create_bad_input_is_refused_and_stores_nothing(writer, overrides, code, fields):
    payload = {k: v for k, v in _doctor_payload(**overrides).items() if v is not None}
    if overrides.get("user_id", "") is None:
        payload.pop("user_id", None)
    body = assert_problem(writer.post(CREATE_URL, payload), 400, code)
    assert error_fields(body) == fields
    assert _count() == 0


def test_create_missing_fields(writer):
    body = assert_problem(writer.post(CREATE_URL, {}), 400, "validation-error")
    assert error_fields(body) == {"user_id", "role", "full_name"}
    assert _count() == 0


def test_create_doctor_without_specialty_and_timezone(writer):
    payload = _doctor_payload()
    del payload["specialty"], payload["timezone"]
    body = assert_problem(writer.post(CREATE_URL, payload), 400)
    assert error_fields(body) == {"specialty", "timezone"}
    assert {e["code"] for e in body["errors"]} == {"required"}
    assert _count() == 0


def test_create_patient_born_in_the_future_is_refused(writer):
    response = writer.post(
        CREATE_URL,
        {
            "user_id": str(uuid.uuid4()),
            "role": "patient",
            "full_name": "P",
            "date_of_birth": "2999-01-01",
        },
    )
    body = assert_problem(response, 400, "validation-error")
    assert error_fields(body) == {"date_of_birth"}
    assert _count() == 0


def test_create_malformed_json_is_refused(writer):
    response = writer.post(CREATE_URL, data='{"user_id": ', content_type="application/json")
    assert_problem(response, 400)
    assert _count() == 0


def test_one_token_with_both_scopes_can_create_and_read(service_client):
    client = service_client("profiles:read profiles:write")
    payload = _doctor_payload()
    assert client.post(CREATE_URL, payload).status_code == 201
    assert client.get(_detail_url(payload["user_id"])).json()["role"] == "doctor"


# Read


def test_read_doctor(reader):
    doctor = DoctorFactory(timezone="Asia/Tokyo")
    response = reader.get(_detail_url(doctor.user_id))
    assert response.status_code == 200
    assert response.json() == {
        "user_id": str(doctor.user_id),
        "role": "doctor",
        "full_name": doctor.full_name,
        "timezone": "Asia/Tokyo",
        "specialty": {"slug": doctor.specialty.slug, "name": doctor.specialty.name},
        "approved": True,
        "phone": None,
        "created_at": _iso(doctor.created_at),
    }


def test_read_patient_has_no_timezone_or_specialty(reader):
    patient = PatientFactory()
    body = reader.get(_detail_url(patient.user_id)).json()
    assert body == {
        "user_id": str(patient.user_id),
        "role": "patient",
        "full_name": patient.full_name,
        "timezone": None,
        "specialty": None,
        "approved": None,
        "phone": patient.phone,
        "created_at": _iso(patient.created_at),
    }


@pytest.mark.parametrize("user_id", [uuid.uuid4(), "not-a-uuid"])
def test_read_unknown_profile_is_404(reader, user_id):
    assert_problem(reader.get(_detail_url(user_id)), 404, "profile-not-found")


# Read many


@pytest.fixture
def portal(service_client):
    """The portal's service token: profiles:read on user_service."""
    return service_client("profiles:read", client_id="portal")


def test_list_profiles_of_many_users(portal):
    doctor = DoctorFactory(timezone="Asia/Tokyo")
    patient = PatientFactory()
    PatientFactory()  # not asked for
    unknown = uuid.uuid4()
    response = portal.get(_list_url(patient.user_id, unknown, doctor.user_id))
    assert response.status_code == 200, response.content
    assert response.json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [
            {
                "user_id": str(patient.user_id),
                "role": "patient",
                "full_name": patient.full_name,
                "timezone": None,
                "specialty": None,
                "approved": None,
                "phone": patient.phone,
                "created_at": _iso(patient.created_at),
            },
            {
                "user_id": str(doctor.user_id),
                "role": "doctor",
                "full_name": doctor.full_name,
                "timezone": "Asia/Tokyo",
                "specialty": {"slug": doctor.specialty.slug, "name": doctor.specialty.name},
                "approved": True,
                "phone": None,
                "created_at": _iso(doctor.created_at),
            },
        ],
    }


def test_list_profiles_in_the_order_asked_once_each(portal):
    patients = PatientFactory.create_batch(3)
    wanted = [patients[2], patients[0], patients[2], patients[1]]
    ids = ", ".join(str(p.user_id) for p in wanted)  # spaces are forgiven
    body = portal.get(CREATE_URL, {"ids": ids}).json()
    assert [p["user_id"] for p in body["results"]] == [
        str(p.user_id) for p in (patients[2], patients[0], patients[1])
    ]


def test_list_profiles_of_unknown_users_is_empty(portal):
    body = portal.get(_list_url(uuid.uuid4(), uuid.uuid4())).json()
    assert (body["count"], body["results"]) == (0, [])


@pytest.mark.parametrize("count", [1, 100])
def test_list_profiles_costs_two_queries_for_1_or_100_ids(portal, django_assert_num_queries, count):
    doctors = DoctorFactory.create_batch(count // 2 or 1)
    patients = PatientFactory.create_batch(count - len(doctors))
    ids = [p.user_id for p in [*doctors, *patients]]
    assert len(ids) == count
    with django_assert_num_queries(2):  # doctors with their specialty, patients
        response = portal.get(_list_url(*ids))
    body = response.json()
    assert body["count"] == len(body["results"]) == count
    assert body["next"] is None


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"ids": ",".join(str(uuid.uuid4()) for _ in range(101))}, "too-many-ids"),
        ({"ids": f"{uuid.uuid4()},not-a-uuid"}, "invalid-uuid"),
        ({"ids": f"{uuid.uuid4()},"}, "invalid-uuid"),
        ({"ids": "42"}, "invalid-uuid"),
        ({"ids": ""}, "required"),  # an empty filter is no filter
        ({}, "required"),
    ],
)
def test_list_profiles_bad_ids_are_400(portal, params, code):
    body = assert_problem(portal.get(CREATE_URL, params), 400, "validation-error")
    assert error_fields(body) == {"ids"}
    assert body["errors"][0]["code"] == code


# Search by name (the admins look staff's search text up here)


def _search(client, text, **params):
    return client.get(CREATE_URL, {"search": text, **params})


def test_search_finds_patients_and_doctors_by_part_of_the_name_in_any_case(reader):
    ana = PatientFactory(full_name="Ana Lima", phone="+44 20 7946 0001")
    lena = DoctorFactory(full_name="Dr. Lena Weber", pending=True)
    PatientFactory(full_name="Ben Okafor")
    response = _search(reader, "NA")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 2
    assert [p["user_id"] for p in body["results"]] == [str(ana.user_id), str(lena.user_id)]
    assert body["results"][0]["phone"] == "+44 20 7946 0001"
    assert body["results"][1]["approved"] is False  # pending doctors are found too


@pytest.mark.parametrize(("role", "expected"), [("patient", "Ana Lima"), ("doctor", "Dr. Ana")])
def test_search_narrowed_to_one_role(reader, role, expected):
    PatientFactory(full_name="Ana Lima")
    DoctorFactory(full_name="Dr. Ana")
    body = _search(reader, "ana", role=role).json()
    assert [p["full_name"] for p in body["results"]] == [expected]
    assert body["results"][0]["role"] == role


def test_search_matches_wildcards_literally(reader):
    PatientFactory(full_name="Ana Lima")
    PatientFactory(full_name="100% Real_Name")
    assert [p["full_name"] for p in _search(reader, "%").json()["results"]] == ["100% Real_Name"]
    assert _search(reader, "a_l").json()["count"] == 0


def test_search_pages_by_name_with_constant_queries(reader, django_assert_num_queries):
    names = [f"Kim {letter}" for letter in "GFEDCBA"]
    for index, name in enumerate(names):
        (DoctorFactory if index % 2 else PatientFactory)(full_name=name)
    PatientFactory(full_name="Someone Else")
    seen = []
    for page in (1, 2, 3):
        with django_assert_num_queries(4):  # count, a page of ids, doctors, patients
            body = _search(reader, "kim", page_size=3, page=page).json()
        seen += [p["full_name"] for p in body["results"]]
    assert seen == sorted(names)
    assert body["count"] == 7
    assert body["next"] is None


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"search": ""}, "search", "blank"),
        ({"search": "   "}, "search", "blank"),
        ({"search": "x" * 101}, "search", "max_length"),
        ({"search": "ana", "role": "staff"}, "role", "invalid_choice"),
        ({"role": "patient"}, "role", "alone"),
        ({"search": "ana", "ids": str(uuid.UUID(int=1))}, "search", "exclusive"),
        ({"search": "ana", "created_before": "2026-01-01T00:00:00Z"}, "search", "exclusive"),
    ],
)
def test_search_bad_input_is_400(reader, params, field, code):
    body = assert_problem(reader.get(CREATE_URL, params), 400, "validation-error")
    assert error_fields(body) == {field}
    assert body["errors"][0]["code"] == code


def test_search_needs_a_service_token_with_the_read_scope(writer, make_client, anon_client):
    PatientFactory(full_name="Ana Lima")
    assert_problem(_search(writer, "ana"), 403, "permission-denied")
    assert_problem(_search(make_client("staff"), "ana"), 403, "permission-denied")
    assert_problem(_search(anon_client, "ana"), 401)
    for name, token in forged_tokens(uuid.uuid4(), "staff").items():
        assert BearerClient(token).get(CREATE_URL, {"search": "ana"}).status_code == 401, name
    forged_service = service_token(
        "appointment_service", "profiles:read", key=foreign_private_key()
    )
    assert_problem(_search(BearerClient(forged_service), "ana"), 401)


# Old profiles (reconciliation) and deleting one


def _aged(profile, *, minutes: int):
    """Backdate the owner row of ``profile`` (what the listing goes by)."""
    from django.utils import timezone

    from user_service.profiles.models import ProfileOwner

    moment = timezone.now() - datetime.timedelta(minutes=minutes)
    ProfileOwner.objects.filter(pk=profile.user_id).update(created_at=moment)
    return moment


def _created_before(client, moment, **params):
    return client.get(CREATE_URL, {"created_before": moment.isoformat(), **params})


def test_list_profiles_created_before_a_time_oldest_first(reader):
    from django.utils import timezone

    old_doctor, old_patient, young = DoctorFactory(), PatientFactory(), PatientFactory()
    _aged(old_doctor, minutes=60)
    _aged(old_patient, minutes=90)
    _aged(young, minutes=1)
    response = _created_before(reader, timezone.now() - datetime.timedelta(minutes=10))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 2
    assert [p["user_id"] for p in body["results"]] == [
        str(old_patient.user_id),
        str(old_doctor.user_id),
    ]
    assert body["results"][1]["role"] == "doctor"


def test_list_profiles_created_in_a_window(reader):
    from django.utils import timezone

    now = timezone.now()
    too_old, inside = PatientFactory(), PatientFactory()
    _aged(too_old, minutes=120)
    _aged(inside, minutes=30)
    body = _created_before(
        reader,
        now - datetime.timedelta(minutes=10),
        created_after=now - datetime.timedelta(hours=1),
    ).json()
    assert [p["user_id"] for p in body["results"]] == [str(inside.user_id)]


def test_list_profiles_created_before_pages_with_constant_queries(
    reader, django_assert_num_queries
):
    from django.utils import timezone

    profiles = [*DoctorFactory.create_batch(3), *PatientFactory.create_batch(4)]
    for minutes, profile in enumerate(profiles, start=10):
        _aged(profile, minutes=100 - minutes)  # the first made is the oldest
    expected = [str(p.user_id) for p in profiles]
    seen = []
    for page in (1, 2, 3):
        with django_assert_num_queries(4):  # count, a page of ids, doctors, patients
            body = _created_before(reader, timezone.now(), page_size=3, page=page).json()
        seen += [p["user_id"] for p in body["results"]]
    assert seen == expected
    assert body["count"] == 7
    assert body["next"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"created_before": "yesterday"}, "created_before"),
        (
            {"created_before": "2026-01-01T00:00:00Z", "ids": str(uuid.UUID(int=1))},
            "created_before",
        ),
        ({"created_after": "2026-01-01T00:00:00Z"}, "created_after"),
        ({"created_before": "2026-01-01T00:00:00Z", "created_after": "soon"}, "created_after"),
    ],
)
def test_list_profiles_bad_times_are_400(reader, params, field):
    body = assert_problem(reader.get(CREATE_URL, params), 400, "validation-error")
    assert error_fields(body) == {field}


def test_list_profiles_created_before_needs_the_read_scope(writer):
    PatientFactory()
    response = writer.get(CREATE_URL, {"created_before": "2999-01-01T00:00:00Z"})
    assert_problem(response, 403, "permission-denied")


@pytest.mark.parametrize("factory", [DoctorFactory, PatientFactory])
def test_delete_a_profile_then_it_is_gone_and_the_id_is_free(writer, factory):
    from user_service.profiles.models import ProfileOwner

    profile, kept = factory(), PatientFactory()
    response = writer.delete(_detail_url(profile.user_id))
    assert response.status_code == 204, response.content
    assert response.content == b""
    assert list(ProfileOwner.objects.values_list("pk", flat=True)) == [kept.user_id]
    assert _count() == 1
    # Deleting again: nothing there (a caller may count it as done).
    assert_problem(writer.delete(_detail_url(profile.user_id)), 404, "profile-not-found")
    other_role = "patient" if factory is DoctorFactory else "doctor"
    payload = _doctor_payload(user_id=str(profile.user_id))
    if other_role == "patient":
        payload = {"user_id": str(profile.user_id), "role": "patient", "full_name": "Again"}
    assert writer.post(CREATE_URL, payload).status_code == 201


@pytest.mark.parametrize("user_id", [uuid.uuid4(), "not-a-uuid"])
def test_delete_an_unknown_profile_is_404(writer, user_id):
    assert_problem(writer.delete(_detail_url(user_id)), 404, "profile-not-found")


def test_delete_needs_the_write_scope_and_a_service_token(reader, make_client, anon_client):
    profile = DoctorFactory()
    assert_problem(reader.delete(_detail_url(profile.user_id)), 403, "permission-denied")
    for role in ("patient", "doctor", "staff"):
        client = make_client(role, user_id=profile.user_id if role == "doctor" else None)
        assert_problem(client.delete(_detail_url(profile.user_id)), 403, "permission-denied")
    assert_problem(anon_client.delete(_detail_url(profile.user_id)), 401)
    assert Doctor.objects.filter(pk=profile.user_id).exists()


@pytest.mark.parametrize("method", ["put", "patch", "post"])
def test_other_methods_on_a_profile_are_refused(service_client, method):
    profile = PatientFactory()
    client = service_client("profiles:read profiles:write")
    assert_problem(getattr(client, method)(_detail_url(profile.user_id), {}), 403)
    assert _count() == 1
