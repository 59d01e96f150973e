"""What each staff group may do in this admin (ADMIN_GROUP_PERMISSIONS)."""

import pytest

from user_service.profiles.models import Doctor, Patient
from user_service.profiles.tests.factories import DoctorFactory, PatientFactory, SpecialtyFactory

pytestmark = pytest.mark.django_db


def patient_form(patient, **changes):
    return {
        "full_name": patient.full_name,
        "phone": patient.phone,
        "date_of_birth": "",
        **changes,
    }


@pytest.mark.parametrize("groups", [("front-desk",), ("read-only",), ("clinic-admin",)])
def test_every_group_sees_every_list(staff_admin_client, groups):
    client = staff_admin_client(*groups)
    DoctorFactory()
    for model in ("doctor", "patient", "specialty"):
        assert client.get(f"/admin/profiles/{model}/").status_code == 200


@pytest.mark.parametrize(
    ("groups", "may_change"), [(("front-desk",), True), (("read-only",), False)]
)
def test_the_front_desk_changes_profiles_and_read_only_staff_do_not(
    staff_admin_client, groups, may_change
):
    client = staff_admin_client(*groups)
    patient = PatientFactory(full_name="Old Name")

    response = client.post(
        f"/admin/profiles/patient/{patient.pk}/change/", patient_form(patient, full_name="New Name")
    )

    assert (response.status_code == 302) is may_change
    assert Patient.objects.get(pk=patient.pk).full_name == (
        "New Name" if may_change else "Old Name"
    )


def test_specialties_are_a_clinic_admins(staff_admin_client):
    specialty = SpecialtyFactory(slug="dermatology", name="Dermatology")
    desk = staff_admin_client("front-desk")

    assert desk.get("/admin/profiles/specialty/add/").status_code == 403
    changed = desk.post(
        f"/admin/profiles/specialty/{specialty.pk}/change/", {"slug": "x", "name": "X"}
    )
    assert changed.status_code == 403
    specialty.refresh_from_db()
    assert specialty.slug == "dermatology"
    admin = staff_admin_client("clinic-admin")
    assert admin.get("/admin/profiles/specialty/add/").status_code == 200


def test_staff_in_no_group_reach_no_admin(staff_admin_client):
    client = staff_admin_client()

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# Approving doctors: clinic-admins only (profiles.approve_doctor)

APPROVE = "Approve selected doctors"


def approve(client, *doctors):
    return client.post(
        "/admin/profiles/doctor/",
        {"action": "approve_selected", "_selected_action": [str(d.pk) for d in doctors]},
        follow=True,
    )


def approval(doctor) -> tuple:
    return Doctor.objects.filter(pk=doctor.pk).values_list("approved_at", "approved_by").get()


@pytest.mark.parametrize("group", ["front-desk", "read-only"])
def test_only_clinic_admins_approve_doctors_in_the_admin(staff_admin_client, group):
    client = staff_admin_client(group)
    pending = DoctorFactory(full_name="Bert Pending", pending=True)

    listing = client.get("/admin/profiles/doctor/").content.decode()
    response = approve(client, pending)

    assert APPROVE not in listing
    assert response.status_code == 200
    assert approval(pending) == (None, "")
    assert not client.user.has_perm("profiles.approve_doctor")


def test_a_clinic_admin_approves_doctors_in_the_admin(staff_admin_client):
    client = staff_admin_client("clinic-admin")
    pending = DoctorFactory(full_name="Bert Pending", pending=True)

    listing = client.get("/admin/profiles/doctor/").content.decode()
    response = approve(client, pending)

    assert APPROVE in listing
    assert "1 doctor(s) approved; 0 already were." in response.content.decode()
    approved_at, approved_by = approval(pending)
    assert approved_at is not None
    assert approved_by == client.user.get_username()


def test_the_front_desk_still_edits_doctor_profiles_but_not_their_approval(staff_admin_client):
    client = staff_admin_client("front-desk")
    pending = DoctorFactory(full_name="Old Name", pending=True)

    response = client.post(
        f"/admin/profiles/doctor/{pending.pk}/change/",
        {
            "full_name": "New Name",
            "specialty": pending.specialty.pk,
            "timezone": pending.timezone,
            "bio": "",
            "approved_at_0": "2026-01-01",
            "approved_at_1": "09:00:00",
            "approved_by": "desk@clinic.example",
        },
    )

    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.full_name == "New Name"
    assert approval(pending) == (None, "")


def test_approve_doctor_is_declared_for_no_group_but_clinic_admins():
    from django.conf import settings

    from common.admin_groups import admin_groups_sync

    groups = admin_groups_sync()
    for name, group in groups.items():
        codenames = set(group.permissions.values_list("codename", flat=True))
        assert "approve_doctor" not in codenames, name
    assert "profiles.approve_doctor" not in str(settings.ADMIN_GROUP_PERMISSIONS)
