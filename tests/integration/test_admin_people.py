"""Staff see who is who in appointment_service's admin, over HTTP between real processes.

appointment_service's admin names the patient and doctor of each appointment
(user_service's profiles, auth_service's emails, each asked once a page with the
service's own token) and finds appointments by a person's name or email.
"""

from __future__ import annotations

import uuid

import pytest
from helpers import DEMO_PASSWORD, free_slots, sign_in
from stack import make_test_stack
from test_admin_sso import admin_sign_in, signed_in

LENA_WEBER = "2b2d6c70-9d5d-5544-a0f3-a2a8aee6ac4f"  # demo/demo_data.json
ANA_LIMA = "ana.lima@demo.clinic"
DESK = "desk@demo.clinic"  # front-desk


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    stack = make_test_stack(
        tmp_path_factory.mktemp("people"),
        ["auth_service", "user_service", "schedule_service", "appointment_service"],
        port_offset=1200,
    )
    stack.start()
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def booked(stack):
    """An appointment the demo patient Ana Lima booked with Dr. Lena Weber."""
    import requests

    with requests.Session() as http:
        ana = sign_in(stack, http, ANA_LIMA, DEMO_PASSWORD)
        slot = free_slots(stack, http, LENA_WEBER, ana)[0]
        response = http.post(
            f"{stack.url('appointment_service')}/api/v1/appointments/",
            json={"slot_id": slot["id"], "reason": "Check-up"},
            headers={**ana, "Idempotency-Key": str(uuid.uuid4())},
            timeout=15,
        )
        assert response.status_code == 201, response.text
        return response.json()


def test_the_front_desk_sees_and_finds_a_demo_patient_by_name(stack, http, booked):
    admin = f"{stack.url('appointment_service')}/admin/appointments/appointment/"
    assert signed_in(
        admin_sign_in(stack, http, "appointment_service", DESK, DEMO_PASSWORD, address="::1")
    )

    page = http.get(admin, timeout=10)

    assert page.status_code == 200
    assert "Ana Lima" in page.text
    assert ANA_LIMA in page.text  # the front desk sees contact details
    assert "Dr. Lena Weber" in page.text
    assert booked["id"] in page.text
    assert "cannot be shown" not in page.text

    by_name = http.get(admin, params={"q": "lima"}, timeout=10)
    by_email = http.get(admin, params={"q": "ana.lima@"}, timeout=10)
    by_doctor = http.get(admin, params={"q": "Lena Weber"}, timeout=10)
    nobody = http.get(admin, params={"q": "No Such Person"}, timeout=10)

    for found in (by_name, by_email, by_doctor):
        assert found.status_code == 200
        assert booked["id"] in found.text
        assert "unavailable" not in found.text
    assert nobody.status_code == 200
    assert booked["id"] not in nobody.text

    detail = http.get(f"{admin}{booked['id']}/change/", timeout=10)
    assert detail.status_code == 200
    assert "Ana Lima" in detail.text
    assert "Dr. Lena Weber" in detail.text


def test_without_user_service_the_admin_shows_ids_and_says_so(stack, http, booked):
    admin = f"{stack.url('appointment_service')}/admin/appointments/appointment/"
    assert signed_in(
        admin_sign_in(stack, http, "appointment_service", DESK, DEMO_PASSWORD, address="::1")
    )
    stack.stop_service("user_service")
    try:
        # Names were cached for a minute: a search must still ask, and cannot.
        searched = http.get(admin, params={"q": "Ana"}, timeout=15)
        assert searched.status_code == 200
        assert "Searching by name or email is unavailable right now" in searched.text
        by_id = http.get(admin, params={"q": booked["patient_id"]}, timeout=15)
        assert by_id.status_code == 200
        assert booked["id"] in by_id.text
    finally:
        stack.start_service("user_service")
