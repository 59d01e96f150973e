"""Doctors wait for staff approval: hidden from the directory and others until approved."""

import datetime
import importlib
import json
import uuid

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.utils import timezone as dj_timezone

from common.testing import BearerClient, assert_problem, service_token
from user_service.profiles import services
from user_service.profiles.models import Doctor
from user_service.profiles.tests.factories import DoctorFactory, SpecialtyFactory

pytestmark = pytest.mark.django_db

DOCTORS_URL = "/api/v1/doctors/"
ME_URL = "/api/v1/profiles/me/"


def _detail_url(doctor_id) -> str:
    return f"{DOCTORS_URL}{doctor_id}/"


def _approve_url(doctor_id) -> str:
    return f"{DOCTORS_URL}{doctor_id}/approve"


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [doctor["full_name"] for doctor in response.json()["results"]]


@pytest.fixture
def doctors():
    cardiology = SpecialtyFactory(slug="cardiology")
    return {
        "listed": DoctorFactory(full_name="Anna Listed", specialty=cardiology),
        "pending": DoctorFactory(full_name="Bert Pending", specialty=cardiology, pending=True),
    }


def _approval(doctor: Doctor) -> tuple:
    return Doctor.objects.filter(pk=doctor.pk).values_list("approved_at", "approved_by").get()


# The directory


@pytest.mark.parametrize("role", ["patient", "doctor", "staff"])
def test_the_directory_lists_approved_doctors_only(make_client, doctors, role):
    client = make_client(role)
    assert _names(client.get(DOCTORS_URL)) == ["Anna Listed"]
    assert _names(client.get(DOCTORS_URL, {"specialty": "cardiology"})) == ["Anna Listed"]
    assert _names(client.get(DOCTORS_URL, {"search": "Bert"})) == []


def test_the_pending_doctor_is_not_listed_even_for_themself(make_client, doctors):
    client = make_client("doctor", user_id=doctors["pending"].user_id)
    assert _names(client.get(DOCTORS_URL)) == ["Anna Listed"]


def test_staff_list_pending_or_all_doctors(make_client, doctors):
    staff = make_client("staff")
    pending = staff.get(DOCTORS_URL, {"status": "pending"})
    assert _names(pending) == ["Bert Pending"]
    assert pending.json()["results"][0]["approved"] is False
    assert _names(staff.get(DOCTORS_URL, {"status": "all"})) == ["Anna Listed", "Bert Pending"]
    assert _names(staff.get(DOCTORS_URL, {"status": "approved"})) == ["Anna Listed"]


@pytest.mark.parametrize("role", ["patient", "doctor"])
@pytest.mark.parametrize("status", ["pending", "all"])
def test_only_staff_may_ask_for_pending_doctors(make_client, doctors, role, status):
    client = make_client(role, user_id=doctors["pending"].user_id if role == "doctor" else None)
    response = client.get(DOCTORS_URL, {"status": status})
    assert_problem(response, 403, "pending-doctors-staff-only")


def test_an_unknown_status_is_a_field_error(make_client):
    body = assert_problem(make_client("staff").get(DOCTORS_URL, {"status": "gone"}), 400)
    assert body["errors"][0]["field"] == "status"


@pytest.mark.parametrize("status", ["approved", "pending"])
def test_staff_directory_query_count_does_not_grow(make_client, django_assert_num_queries, status):
    DoctorFactory.create_batch(5)
    DoctorFactory.create_batch(5, pending=True)
    with django_assert_num_queries(1):  # one page with its total and the specialty joined
        response = make_client("staff").get(DOCTORS_URL, {"status": status, "page_size": 100})
    assert response.json()["count"] == 5


# One doctor


@pytest.mark.parametrize("role", ["patient", "doctor"])
def test_a_pending_doctor_is_404_for_others(make_client, doctors, role):
    response = make_client(role).get(_detail_url(doctors["pending"].user_id))
    assert_problem(response, 404, "doctor-not-found")


def test_a_pending_doctor_sees_themself_and_staff_see_them(make_client, doctors):
    pending = doctors["pending"]
    for client in (make_client("doctor", user_id=pending.user_id), make_client("staff")):
        response = client.get(_detail_url(pending.user_id))
        assert response.status_code == 200, response.content
        assert (response.json()["full_name"], response.json()["approved"]) == (
            "Bert Pending",
            False,
        )


def test_a_pending_doctor_reads_and_edits_their_own_profile(make_client, doctors):
    client = make_client("doctor", user_id=doctors["pending"].user_id)
    body = client.get(ME_URL).json()
    assert body["approved_at"] is None
    response = client.patch(ME_URL, {"bio": "Waiting for approval."}, format="json")
    assert response.status_code == 200, response.content
    assert Doctor.objects.get(pk=doctors["pending"].pk).bio == "Waiting for approval."
    assert _approval(doctors["pending"]) == (None, "")


def test_an_approved_doctors_profile_says_when(make_client, doctors):
    body = make_client("doctor", user_id=doctors["listed"].user_id).get(ME_URL).json()
    assert body["approved_at"] is not None


# Approving


def test_staff_approve_a_doctor_who_is_then_listed(make_client, doctors):
    staff = make_client("staff")
    pending = doctors["pending"]
    response = staff.post(_approve_url(pending.user_id))
    assert response.status_code == 204, response.content
    assert response.content == b""
    approved_at, approved_by = _approval(pending)
    assert approved_at is not None
    assert approved_by == str(staff.user_id)
    patient = make_client("patient")
    assert _names(patient.get(DOCTORS_URL)) == ["Anna Listed", "Bert Pending"]
    assert patient.get(_detail_url(pending.user_id)).status_code == 200


def test_approving_is_idempotent_and_keeps_the_first_approval(make_client, doctors):
    first, second = make_client("staff"), make_client("staff")
    pending = doctors["pending"]
    assert first.post(_approve_url(pending.user_id)).status_code == 204
    before = _approval(pending)
    assert second.post(_approve_url(pending.user_id)).status_code == 204
    assert _approval(pending) == before
    assert before[1] == str(first.user_id)


@pytest.mark.parametrize("role", ["patient", "doctor", "pending-doctor"])
def test_only_staff_may_approve(make_client, doctors, role):
    pending = doctors["pending"]
    client = (
        make_client("doctor", user_id=pending.user_id)
        if role == "pending-doctor"
        else make_client(role)
    )
    assert_problem(client.post(_approve_url(pending.user_id)), 403, "permission-denied")
    assert_problem(client.post(_approve_url(uuid.uuid4())), 403, "permission-denied")
    assert _approval(pending) == (None, "")


def test_service_tokens_and_anonymous_callers_may_not_approve(anon_client, doctors):
    pending = doctors["pending"]
    service = BearerClient(service_token("auth_service", "profiles:read profiles:write"))
    assert_problem(service.post(_approve_url(pending.user_id)), 403)
    assert_problem(anon_client.post(_approve_url(pending.user_id)), 401)
    assert _approval(pending) == (None, "")


@pytest.mark.parametrize("doctor_id", [uuid.uuid4(), "not-a-uuid"])
def test_approving_an_unknown_doctor_is_404(make_client, doctors, doctor_id):
    response = make_client("staff").post(_approve_url(doctor_id))
    assert_problem(response, 404, "doctor-not-found")
    assert _approval(doctors["pending"]) == (None, "")


def test_approving_a_patient_is_404(make_client):
    from user_service.profiles.tests.factories import PatientFactory

    patient = PatientFactory()
    assert_problem(make_client("staff").post(_approve_url(patient.user_id)), 404)


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_approve_is_post_only(make_client, doctors, method):
    response = getattr(make_client("staff"), method)(_approve_url(doctors["pending"].user_id))
    assert_problem(response, 405)


def test_doctor_approve_many_counts_only_the_pending(doctors):
    now = dj_timezone.now()
    ids = [doctors["listed"].user_id, doctors["pending"].user_id, uuid.uuid4()]
    assert services.doctor_approve_many(user_ids=ids, by="staff@clinic.example", now=now) == 1
    assert _approval(doctors["pending"]) == (now, "staff@clinic.example")
    assert services.doctor_approve_many(user_ids=ids, by="other", now=now) == 0


# Internal profile API


def test_the_internal_profile_says_whether_a_doctor_is_approved(service_client, doctors):
    reader = service_client("profiles:read", client_id="schedule_service")
    pending, listed = doctors["pending"], doctors["listed"]
    assert reader.get(f"/internal/v1/profiles/{pending.user_id}/").json()["approved"] is False
    assert reader.get(f"/internal/v1/profiles/{listed.user_id}/").json()["approved"] is True
    batch = reader.get(f"/internal/v1/profiles/?ids={pending.user_id},{listed.user_id}").json()
    assert [row["approved"] for row in batch["results"]] == [False, True]


def test_a_profile_made_by_registration_is_pending(service_client):
    SpecialtyFactory(slug="cardiology")
    writer = service_client("profiles:write", client_id="auth_service")
    user_id = uuid.uuid4()
    response = writer.post(
        "/internal/v1/profiles/",
        {
            "user_id": str(user_id),
            "role": "doctor",
            "full_name": "Dr. New",
            "specialty": "cardiology",
            "timezone": "Europe/Berlin",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["approved"] is False
    assert Doctor.objects.get(pk=user_id).approved_at is None


# Admin


def test_admin_lists_approval_and_filters_on_it(admin_client, doctors):
    page = admin_client.get("/admin/profiles/doctor/").content.decode()
    assert "Approve selected doctors" in page
    pending = admin_client.get("/admin/profiles/doctor/", {"approval": "pending"})
    assert "Bert Pending" in pending.content.decode()
    assert "Anna Listed" not in pending.content.decode()
    approved = admin_client.get("/admin/profiles/doctor/", {"approval": "approved"})
    assert "Anna Listed" in approved.content.decode()
    assert "Bert Pending" not in approved.content.decode()


def test_admin_action_approves_the_selected_doctors(admin_client, doctors):
    response = admin_client.post(
        "/admin/profiles/doctor/",
        {
            "action": "approve_selected",
            "_selected_action": [str(doctors["pending"].pk), str(doctors["listed"].pk)],
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "1 doctor(s) approved; 1 already were." in response.content.decode()
    approved_at, approved_by = _approval(doctors["pending"])
    assert approved_at is not None
    assert approved_by == admin_client.user.get_username()


def test_admin_change_page_shows_approval_read_only(admin_client, doctors):
    page = admin_client.get(f"/admin/profiles/doctor/{doctors['pending'].pk}/change/")
    assert page.status_code == 200
    assert 'name="approved_at"' not in page.content.decode()


# Existing doctors and demo data


def test_the_migration_approves_every_existing_doctor():
    migration = importlib.import_module("user_service.profiles.migrations.0003_doctor_approval")
    old = DoctorFactory(pending=True)
    Doctor.objects.filter(pk=old.pk).update(
        created_at=dj_timezone.now() - datetime.timedelta(days=400)
    )
    migration.approve_existing_doctors(django_apps, None)
    old.refresh_from_db()
    assert old.approved_at == old.created_at
    assert old.approved_by == "listed before approval existed"


def test_demo_doctors_are_approved_unless_the_file_says_otherwise(tmp_path):
    path = tmp_path / "demo.json"
    ids = [uuid.UUID(int=11), uuid.UUID(int=12)]
    doctor = {"specialty": "cardiology", "timezone": "Europe/Berlin"}
    path.write_text(
        json.dumps(
            {
                "doctors": [
                    {**doctor, "id": str(ids[0]), "full_name": "Dr. Demo"},
                    {**doctor, "id": str(ids[1]), "full_name": "Dr. Later", "approved": False},
                ]
            }
        )
    )
    call_command("seed_demo", file=str(path))
    call_command("seed_demo", file=str(path))
    assert Doctor.objects.get(pk=ids[0]).approved_by == "demo data"
    assert Doctor.objects.get(pk=ids[1]).approved_at is None
