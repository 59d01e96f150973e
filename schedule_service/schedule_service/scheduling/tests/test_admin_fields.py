"""No admin form, for any staff group, lets anyone edit a hold's slot, doctor, times or appointment.

Holds change only through reserve and release (appointment_service keeps them in line
with its appointments). The check walks every ModelAdmin registered on the site, so a
page added later is held to it.
"""

import pytest
from django.contrib import admin

from common.testing import admin_fields_exposed
from schedule_service.scheduling.models import SlotHold
from schedule_service.scheduling.tests.factories import AvailabilityRuleFactory, SlotHoldFactory

pytestmark = pytest.mark.django_db

PROTECTED = {
    SlotHold: {"slot_id", "doctor", "start", "end", "blocked_until", "appointment_id"},
}
GROUPS = [("clinic-admin",), ("front-desk",), ("read-only",)]


@pytest.mark.parametrize("groups", GROUPS)
def test_no_admin_form_edits_a_holds_slot_doctor_or_times(staff_admin_client, groups):
    rule = AvailabilityRuleFactory()
    SlotHoldFactory(doctor=rule.doctor)

    exposed = admin_fields_exposed(PROTECTED, user=staff_admin_client(*groups).user)

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
