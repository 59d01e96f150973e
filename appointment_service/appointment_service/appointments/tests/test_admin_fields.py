"""No admin form, for any staff group, lets anyone edit an appointment's patient, doctor, slot or times.

Those change only through the services (which keep schedule_service's holds in line).
The check walks every ModelAdmin registered on the site, so a page added later is held to it.
"""

import pytest
from django.contrib import admin

from appointment_service.appointments.models import Appointment
from appointment_service.appointments.tests.factories import AppointmentEventFactory
from common.testing import admin_fields_exposed

pytestmark = pytest.mark.django_db

PROTECTED = {Appointment: {"patient_id", "doctor_id", "slot_id", "start", "end"}}
GROUPS = [("clinic-admin",), ("front-desk",), ("read-only",)]


@pytest.mark.parametrize("groups", GROUPS)
def test_no_admin_form_edits_an_appointments_patient_doctor_slot_or_times(
    staff_admin_client, groups
):
    event = AppointmentEventFactory()
    user = staff_admin_client(*groups).user

    exposed = admin_fields_exposed(
        PROTECTED, user=user, examples={Appointment: event.appointment, type(event): event}
    )

    assert exposed == {}
    assert Appointment in admin.site._registry


@pytest.mark.parametrize("groups", GROUPS)
def test_the_appointment_pages_have_no_inputs_for_them(staff_admin_client, groups):
    client = staff_admin_client(*groups)
    appointment = AppointmentEventFactory().appointment
    page = client.get(f"/admin/appointments/appointment/{appointment.pk}/change/")
    assert page.status_code == 200
    for name in PROTECTED[Appointment]:
        assert f'name="{name}"' not in page.content.decode()
    assert client.get("/admin/appointments/appointment/add/").status_code == 403
    changed = client.post(
        f"/admin/appointments/appointment/{appointment.pk}/change/",
        {"slot_id": "0b8f5a7e-3c1d-4a8e-9f6b-2d4c6e8a0b1c", "start": "2030-01-01 09:00"},
    )
    assert changed.status_code == 403
    assert Appointment.objects.get(pk=appointment.pk).slot_id == appointment.slot_id
