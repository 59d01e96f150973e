"""The admin names the doctors (common.people, faked here) and finds their rows by name."""

import pytest
from django.apps import apps

from common.admin_people import NAMES_UNAVAILABLE
from schedule_service.scheduling.tests.factories import (
    AvailabilityRuleFactory,
    DoctorScheduleFactory,
    SlotHoldFactory,
    TimeOffFactory,
)

pytestmark = pytest.mark.django_db

MODELS = ["doctorschedule", "availabilityrule", "timeoff", "slothold"]


@pytest.fixture
def lena(fake_people):
    return fake_people.doctor(full_name="Dr. Lena Weber", email="lena.weber@demo.clinic")


@pytest.fixture
def schedule(lena):
    schedule = DoctorScheduleFactory(doctor_id=lena.id)
    AvailabilityRuleFactory(doctor=schedule)
    TimeOffFactory(doctor=schedule)
    SlotHoldFactory(doctor=schedule)
    return schedule


@pytest.fixture
def other():
    schedule = DoctorScheduleFactory()
    AvailabilityRuleFactory(doctor=schedule)
    TimeOffFactory(doctor=schedule)
    SlotHoldFactory(doctor=schedule)
    return schedule


def url(model: str) -> str:
    return f"/admin/scheduling/{model}/"


@pytest.mark.parametrize("model", MODELS)
def test_every_changelist_names_the_doctors_in_one_look_up(
    admin_client, fake_people, schedule, other, model
):
    response = admin_client.get(url(model))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Dr. Lena Weber" in page
    assert str(other.doctor_id) in page  # no profile: the id stays
    assert ">Doctor<" in page
    assert fake_people.calls == [{schedule.doctor_id, other.doctor_id}]


@pytest.mark.parametrize("model", MODELS)
def test_search_by_the_doctors_name_or_email(admin_client, fake_people, schedule, other, model):
    for text in ("lena", "lena.weber@demo"):
        response = admin_client.get(url(model), {"q": text})
        assert [row.pk for row in response.context["cl"].result_list] == [
            rows_of(model, schedule).get().pk
        ]
    assert fake_people.searches == [("lena", "doctor"), ("lena.weber@demo", "doctor")]


def rows_of(model: str, schedule):
    rows = apps.get_model("scheduling", model).objects
    return (
        rows.filter(pk=schedule.pk) if model == "doctorschedule" else rows.filter(doctor=schedule)
    )


@pytest.mark.parametrize("model", MODELS)
def test_the_change_page_names_the_doctor(admin_client, schedule, model):
    row = rows_of(model, schedule).get()

    response = admin_client.get(f"{url(model)}{row.pk}/change/")

    assert response.status_code == 200
    assert "Dr. Lena Weber" in response.content.decode()


def test_when_user_service_is_down_the_pages_show_ids(admin_client, fake_people, schedule):
    fake_people.down = True

    response = admin_client.get(url("timeoff"))

    page = response.content.decode()
    assert response.status_code == 200
    assert str(schedule.doctor_id) in page
    assert NAMES_UNAVAILABLE in page
