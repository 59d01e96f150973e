"""The admin names patients and doctors (common.people, faked here) and finds them by name."""

import uuid

import pytest

from appointment_service.appointments.models import ActorRole
from appointment_service.appointments.tests.factories import (
    AppointmentEventFactory,
    AppointmentFactory,
)
from common.admin_people import NAMES_UNAVAILABLE, SEARCH_UNAVAILABLE

pytestmark = pytest.mark.django_db

APPOINTMENTS = "/admin/appointments/appointment/"
EVENTS = "/admin/appointments/appointmentevent/"


@pytest.fixture
def ana(fake_people):
    return fake_people.patient(full_name="Ana Lima", email="ana.lima@demo.clinic", phone="+44 1")


@pytest.fixture
def lena(fake_people):
    return fake_people.doctor(full_name="Dr. Lena Weber", email="lena.weber@demo.clinic")


@pytest.fixture
def booked(ana, lena):
    return AppointmentFactory(patient_id=ana.id, doctor_id=lena.id)


def page_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def found(response) -> set:
    return {appointment.pk for appointment in response.context["cl"].result_list}


def test_the_changelist_names_patient_and_doctor_with_the_ids(admin_client, booked):
    page = page_of(admin_client.get(APPOINTMENTS))

    assert "Ana Lima" in page
    assert "Dr. Lena Weber" in page
    assert "Cardiology" in page
    assert str(booked.patient_id) in page  # the ids stay
    assert str(booked.doctor_id) in page
    assert ">Patient<" in page
    assert ">Doctor<" in page


@pytest.mark.parametrize("rows", [1, 30])
def test_the_changelist_asks_for_the_people_of_a_page_once(
    admin_client, fake_people, rows, django_assert_max_num_queries
):
    appointments = [AppointmentFactory(patient_id=fake_people.patient().id) for _ in range(rows)]

    with django_assert_max_num_queries(12):  # the same however many rows
        page_of(admin_client.get(APPOINTMENTS))

    [asked] = fake_people.calls
    assert asked == {a.patient_id for a in appointments} | {a.doctor_id for a in appointments}


@pytest.mark.parametrize("groups", [("clinic-admin",), ("front-desk",)])
def test_clinic_admins_and_the_front_desk_see_emails_and_phones(staff_admin_client, booked, groups):
    page = page_of(staff_admin_client(*groups).get(APPOINTMENTS))

    assert "ana.lima@demo.clinic" in page
    assert "+44 1" in page
    assert "lena.weber@demo.clinic" in page


def test_read_only_staff_see_names_only(staff_admin_client, booked):
    client = staff_admin_client("read-only")

    for url in (APPOINTMENTS, f"{APPOINTMENTS}{booked.pk}/change/"):
        page = page_of(client.get(url))
        assert "Ana Lima" in page
        assert "ana.lima@demo.clinic" not in page
        assert "+44 1" not in page
        assert "lena.weber@demo.clinic" not in page


def test_when_user_service_is_down_the_changelist_shows_ids_and_says_so(
    admin_client, fake_people, booked
):
    fake_people.down = True

    page = page_of(admin_client.get(APPOINTMENTS))

    assert str(booked.patient_id) in page
    assert "Ana Lima" not in page
    assert NAMES_UNAVAILABLE in page


def test_the_change_page_names_the_people_read_only(admin_client, fake_people, booked):
    page = page_of(admin_client.get(f"{APPOINTMENTS}{booked.pk}/change/"))

    assert "Ana Lima" in page
    assert "ana.lima@demo.clinic" in page
    assert "Dr. Lena Weber" in page
    assert 'name="person_patient_id"' not in page
    assert len(fake_people.calls) == 1


def test_the_change_page_when_user_service_is_down(admin_client, fake_people, booked):
    fake_people.down = True

    page = page_of(admin_client.get(f"{APPOINTMENTS}{booked.pk}/change/"))

    assert str(booked.patient_id) in page
    assert NAMES_UNAVAILABLE in page


@pytest.mark.parametrize("text", ["lima", "ANA", "ana.lima@", "Weber"])
def test_search_by_name_or_email_finds_the_appointments(admin_client, booked, text):
    AppointmentFactory()  # someone else's

    response = admin_client.get(APPOINTMENTS, {"q": text})

    assert found(response) == {booked.pk}


def test_a_patients_name_does_not_find_a_doctor_of_that_name(admin_client, fake_people, booked):
    namesake = fake_people.doctor(full_name="Ana Lima")
    AppointmentFactory(doctor_id=namesake.id)

    response = admin_client.get(APPOINTMENTS, {"q": "Ana Lima"})

    assert len(found(response)) == 2  # booked (patient Ana) and the doctor's
    assert fake_people.searches == [("Ana Lima", None)]


def test_search_by_id_still_works_without_asking_for_names(admin_client, fake_people, booked):
    AppointmentFactory()

    response = admin_client.get(APPOINTMENTS, {"q": str(booked.patient_id)})

    assert found(response) == {booked.pk}
    assert fake_people.searches == []


def test_search_finds_nothing_for_an_unknown_name(admin_client, booked):
    assert found(admin_client.get(APPOINTMENTS, {"q": "Nobody"})) == set()


def test_search_when_user_service_is_down_says_so_and_ids_still_work(
    admin_client, fake_people, booked
):
    fake_people.down = True

    by_name = admin_client.get(APPOINTMENTS, {"q": "Ana"})
    by_id = admin_client.get(APPOINTMENTS, {"q": str(booked.doctor_id)})

    assert found(by_name) == set()
    assert SEARCH_UNAVAILABLE in page_of(by_name)
    assert found(by_id) == {booked.pk}


def test_the_history_names_who_acted_and_leaves_staff_as_ids(admin_client, booked, ana):
    AppointmentEventFactory(appointment=booked, actor_id=ana.id)
    staff = AppointmentEventFactory(
        appointment=booked, actor_role=ActorRole.SYSTEM, actor_id=uuid.uuid4()
    )

    page = page_of(admin_client.get(EVENTS))

    assert "Ana Lima" in page
    assert str(staff.actor_id) in page
    assert staff.pk not in found(admin_client.get(EVENTS, {"q": "ana lima"}))
    assert found(admin_client.get(EVENTS, {"q": "ana lima"})) == {
        e.pk for e in booked.events.filter(actor_id=ana.id)
    }
