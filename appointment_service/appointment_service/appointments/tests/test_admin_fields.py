"""No admin form, for any staff group, lets anyone edit an appointment's patient, doctor, slot or times.

Those change only through the services (which keep schedule_service's holds in line).
The check walks every ModelAdmin registered on the site, so a page added later is held to it.
"""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from appointment_service.appointments.models import Appointment
from appointment_service.appointments.tests.factories import AppointmentEventFactory

pytestmark = pytest.mark.django_db

PROTECTED = {Appointment: {"patient_id", "doctor_id", "slot_id", "start", "end"}}
GROUPS = [("clinic-admin",), ("front-desk",), ("read-only",)]


def _flat(fields) -> set[str]:
    names = set()
    for field in fields:
        names |= _flat(field) if isinstance(field, (list, tuple)) else {field}
    return names


def _editable(model_admin, request, obj) -> set[str]:
    """The fields of ``model_admin`` a form lets ``request.user`` write (add form, change form,
    changelist's list_editable)."""
    allowed = (
        model_admin.has_add_permission(request)
        if obj is None
        else model_admin.has_change_permission(request, obj)
    )
    if not allowed:
        return set()
    fields = _flat(model_admin.get_fields(request, obj))
    editable = fields - set(model_admin.get_readonly_fields(request, obj))
    if obj is not None:
        editable |= set(model_admin.list_editable)
    return editable


def _protected_in(model, editable: set[str]) -> set[str]:
    protected = PROTECTED.get(model, set())
    # A ForeignKey's form field is named after the field, its column after attname.
    return {name for name in editable if name in protected or f"{name}_id" in protected}


@pytest.mark.parametrize("groups", GROUPS)
def test_no_admin_form_edits_an_appointments_patient_doctor_slot_or_times(
    staff_admin_client, groups
):
    event = AppointmentEventFactory()
    user = staff_admin_client(*groups).user
    request = RequestFactory().get("/admin/")
    request.user = user
    examples = {Appointment: event.appointment, type(event): event}

    exposed = {}
    for model, model_admin in admin.site._registry.items():
        obj = examples.get(model) or model.objects.first()
        for instance in (None, obj):
            found = _protected_in(model, _editable(model_admin, request, instance))
            for inline in model_admin.get_inline_instances(request, instance):
                writable = inline.has_add_permission(request, instance) or (
                    instance is not None and inline.has_change_permission(request, instance)
                )
                if writable:
                    fields = _flat(inline.get_fields(request, instance)) - set(
                        inline.get_readonly_fields(request, instance)
                    )
                    found |= _protected_in(inline.model, fields)
            if found:
                exposed[(model.__name__, "add" if instance is None else "change")] = found
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
