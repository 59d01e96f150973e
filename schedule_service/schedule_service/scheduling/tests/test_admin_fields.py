"""No admin form, for any staff group, lets anyone edit a hold's slot, doctor, times or appointment.

Holds change only through reserve and release (appointment_service keeps them in line
with its appointments). The check walks every ModelAdmin registered on the site, so a
page added later is held to it.
"""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from schedule_service.scheduling.models import SlotHold
from schedule_service.scheduling.tests.factories import AvailabilityRuleFactory, SlotHoldFactory

pytestmark = pytest.mark.django_db

PROTECTED = {
    SlotHold: {"slot_id", "doctor", "start", "end", "blocked_until", "appointment_id"},
}
GROUPS = [("clinic-admin",), ("front-desk",), ("read-only",)]


def _flat(fields) -> set[str]:
    names = set()
    for field in fields:
        names |= _flat(field) if isinstance(field, (list, tuple)) else {field}
    return names


def _editable(model_admin, request, obj) -> set[str]:
    """The fields a form of ``model_admin`` lets ``request.user`` write."""
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


@pytest.mark.parametrize("groups", GROUPS)
def test_no_admin_form_edits_a_holds_slot_doctor_or_times(staff_admin_client, groups):
    rule = AvailabilityRuleFactory()
    SlotHoldFactory(doctor=rule.doctor)
    request = RequestFactory().get("/admin/")
    request.user = staff_admin_client(*groups).user

    exposed = {}
    for model, model_admin in admin.site._registry.items():
        obj = model.objects.first()
        for instance in (None, obj):
            found = _editable(model_admin, request, instance) & PROTECTED.get(model, set())
            for inline in model_admin.get_inline_instances(request, instance):
                writable = inline.has_add_permission(request, instance) or (
                    instance is not None and inline.has_change_permission(request, instance)
                )
                if writable:
                    fields = _flat(inline.get_fields(request, instance)) - set(
                        inline.get_readonly_fields(request, instance)
                    )
                    found |= fields & PROTECTED.get(inline.model, set())
            if found:
                exposed[(model.__name__, "add" if instance is None else "change")] = found
    assert exposed == {}
    assert SlotHold in admin.site._registry


@pytest.mark.parametrize("groups", GROUPS)
def test_the_hold_pages_have_no_inputs_for_them(staff_admin_client, groups):
    client = staff_admin_client(*groups)
    hold = SlotHoldFactory()
    page = client.get(f"/admin/scheduling/slothold/{hold.pk}/change/")
    assert page.status_code == 200
    for name in PROTECTED[SlotHold]:
        assert f'name="{name}"' not in page.content.decode()
    assert client.get("/admin/scheduling/slothold/add/").status_code == 403
    changed = client.post(
        f"/admin/scheduling/slothold/{hold.pk}/change/", {"start": "2030-01-01 09:00"}
    )
    assert changed.status_code == 403
    assert SlotHold.objects.get(pk=hold.pk).start == hold.start
