"""What each staff group may do in this admin (ADMIN_GROUP_PERMISSIONS)."""

import pytest

from user_service.profiles.models import Patient
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
