"""The admin: read-only appointments with their history inline, events and idempotency keys."""

import pytest

from appointment_service.appointments.models import IdempotencyKey
from appointment_service.appointments.tests.factories import (
    AppointmentEventFactory,
    AppointmentFactory,
)

pytestmark = pytest.mark.django_db

# ``admin_client`` is pytest-django's: a superuser signed in with a session.


@pytest.fixture
def event():
    event = AppointmentEventFactory(data={"slot_id": "x"})
    IdempotencyKey.objects.create(
        patient_id=event.appointment.patient_id,
        key="k-1",
        request_hash="h",
        appointment=event.appointment,
        response_status=201,
        response_body={"id": str(event.appointment_id)},
    )
    return event


@pytest.mark.parametrize("model", ["appointment", "appointmentevent", "idempotencykey"])
@pytest.mark.parametrize("query", ["", "k-1", "not-a-uuid", "0b8f5a7e-3c1d-4a8e-9f6b-2d4c6e8a0b1c"])
def test_changelists_and_search(admin_client, event, model, query):
    response = admin_client.get(f"/admin/appointments/{model}/", {"q": query})
    assert response.status_code == 200


def test_appointment_search_by_patient_id_and_filters(admin_client, event):
    AppointmentFactory()
    appointment = event.appointment
    response = admin_client.get(
        "/admin/appointments/appointment/",
        {"q": str(appointment.patient_id), "state": "booked", "late_cancellation__exact": "0"},
    )
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


def test_appointment_page_shows_its_history_read_only(admin_client, event):
    response = admin_client.get(f"/admin/appointments/appointment/{event.appointment_id}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Created (pending)" in page  # the event inline
    assert 'name="reason"' not in page  # nothing editable
    assert 'name="events-0-action"' not in page


@pytest.mark.parametrize("model", ["appointment", "appointmentevent", "idempotencykey"])
def test_nothing_can_be_added_or_deleted(admin_client, event, model):
    assert admin_client.get(f"/admin/appointments/{model}/add/").status_code == 403
    pk = {
        "appointment": event.appointment_id,
        "appointmentevent": event.pk,
        "idempotencykey": IdempotencyKey.objects.get().pk,
    }[model]
    assert admin_client.get(f"/admin/appointments/{model}/{pk}/change/").status_code == 200
    assert admin_client.post(f"/admin/appointments/{model}/{pk}/delete/").status_code == 403
