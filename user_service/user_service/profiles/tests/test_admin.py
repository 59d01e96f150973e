"""The admin pages of specialties and profiles."""

import pytest

from user_service.profiles.tests.factories import DoctorFactory, PatientFactory

pytestmark = pytest.mark.django_db


# ``admin_client`` is common.testing's: a clinic-admin (superuser) signed in as
# common's auth_service single sign-on leaves the session.


@pytest.mark.parametrize("model", ["doctor", "patient", "specialty"])
@pytest.mark.parametrize(
    "query", ["", "weber", "not-a-uuid", "0b8f5a7e-3c1d-4a8e-9f6b-2d4c6e8a0b1c"]
)
def test_changelists_and_search(admin_client, model, query):
    DoctorFactory(full_name="Anna Weber")
    PatientFactory()
    response = admin_client.get(f"/admin/profiles/{model}/", {"q": query})
    assert response.status_code == 200


def test_doctor_list_filters(admin_client):
    doctor = DoctorFactory()
    response = admin_client.get(
        "/admin/profiles/doctor/",
        {"specialty__id__exact": doctor.specialty_id, "timezone": doctor.timezone},
    )
    assert response.status_code == 200
    assert doctor.full_name in response.content.decode()


def test_change_pages_show_ids_read_only_and_there_is_no_add(admin_client):
    doctor, patient = DoctorFactory(), PatientFactory()
    for url in (
        f"/admin/profiles/doctor/{doctor.pk}/change/",
        f"/admin/profiles/patient/{patient.pk}/change/",
    ):
        response = admin_client.get(url)
        assert response.status_code == 200
        assert 'name="user_id"' not in response.content.decode()
    assert admin_client.get("/admin/profiles/doctor/add/").status_code == 403
    assert admin_client.get("/admin/profiles/patient/add/").status_code == 403


@pytest.mark.parametrize("model", ["doctor", "patient"])
def test_deleting_a_profile_in_the_admin_deletes_its_owner_row(admin_client, model):
    from user_service.profiles.models import ProfileOwner

    profile = DoctorFactory() if model == "doctor" else PatientFactory()
    kept = PatientFactory()
    response = admin_client.post(
        f"/admin/profiles/{model}/{profile.pk}/delete/", {"post": "yes"}, follow=True
    )
    assert response.status_code == 200
    assert list(ProfileOwner.objects.values_list("pk", flat=True)) == [kept.pk]


def test_deleting_selected_profiles_in_the_admin_deletes_their_owner_rows(admin_client):
    from user_service.profiles.models import Doctor, ProfileOwner

    doctors = DoctorFactory.create_batch(2)
    response = admin_client.post(
        "/admin/profiles/doctor/",
        {
            "action": "delete_selected",
            "_selected_action": [str(d.pk) for d in doctors],
            "post": "yes",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert not Doctor.objects.exists()
    assert not ProfileOwner.objects.exists()
