"""The admin pages: staff see and filter schedules, rules, time off and held slots."""

import pytest

from schedule_service.scheduling.tests.factories import (
    AvailabilityRuleFactory,
    SlotHoldFactory,
    TimeOffFactory,
)

pytestmark = pytest.mark.django_db

MODELS = ["doctorschedule", "availabilityrule", "timeoff", "slothold"]


@pytest.fixture
def data():
    rule = AvailabilityRuleFactory()
    TimeOffFactory(doctor=rule.doctor)
    hold = SlotHoldFactory(doctor=rule.doctor)
    AvailabilityRuleFactory()
    return rule.doctor, hold


# ``admin_client`` is pytest-django's superuser, signed in through the first backend.


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("query", ["", "not-a-uuid", "0b8f5a7e-3c1d-4a8e-9f6b-2d4c6e8a0b1c"])
def test_changelists_and_search(admin_client, data, model, query):
    response = admin_client.get(f"/admin/scheduling/{model}/", {"q": query})
    assert response.status_code == 200


@pytest.mark.parametrize("model", MODELS[1:])
def test_search_by_doctor_id_finds_only_that_doctors_rows(admin_client, data, model):
    schedule, _ = data
    response = admin_client.get(f"/admin/scheduling/{model}/", {"q": str(schedule.doctor_id)})
    assert response.context["cl"].result_count == 1


def test_search_holds_by_appointment_and_filter(admin_client, data):
    _, hold = data
    url = "/admin/scheduling/slothold/"
    found = admin_client.get(url, {"q": str(hold.appointment_id)})
    assert found.context["cl"].result_count == 1
    filtered = admin_client.get(url, {"doctor__timezone": "Europe/Berlin"})
    assert filtered.context["cl"].result_count == 1
    by_date = admin_client.get(url, {"start__year": hold.start.year})
    assert by_date.status_code == 200


def test_rule_filters(admin_client, data):
    response = admin_client.get(
        "/admin/scheduling/availabilityrule/", {"weekday": 2, "slot_minutes": 30}
    )
    assert response.context["cl"].result_count == 2


def test_schedules_and_holds_are_never_added_and_holds_never_deleted(admin_client, data):
    schedule, hold = data
    for model in ("doctorschedule", "slothold"):
        assert admin_client.get(f"/admin/scheduling/{model}/add/").status_code == 403
    page = admin_client.get(f"/admin/scheduling/doctorschedule/{schedule.pk}/change/")
    assert page.status_code == 200
    assert 'name="timezone"' not in page.content.decode()
    response = admin_client.post(f"/admin/scheduling/slothold/{hold.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
