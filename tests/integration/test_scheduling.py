"""Availability, slots across a DST change, and the reservation API, between real processes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import unique_email
from helpers import DEMO_PASSWORD, DEMO_PATIENT, access_token, approve, register, service_auth


@pytest.fixture(scope="module")
def new_york_doctor(stack, http_module):
    email = unique_email("nydoc")
    doctor_id = register(
        stack,
        http_module,
        email=email,
        role="doctor",
        full_name="Dr. Eastern Time",
        specialty="cardiology",
        timezone="America/New_York",
    )
    approve(stack, http_module, doctor_id)
    return doctor_id, access_token(stack, http_module, email)


@pytest.fixture(scope="module")
def http_module():
    import requests

    with requests.Session() as session:
        yield session


def _slots(stack, http, doctor_id, token, start: date, end: date, **params):
    response = http.get(
        f"{stack.url('schedule_service')}/api/v1/doctors/{doctor_id}/slots/",
        params={"from": start.isoformat(), "to": end.isoformat(), "page_size": 100, **params},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()["results"]


def test_a_nine_oclock_rule_in_new_york_is_14z_in_winter_and_13z_after_the_change(
    stack, http, new_york_doctor
):
    doctor_id, doctor_token = new_york_doctor
    auth = {"Authorization": f"Bearer {doctor_token}"}
    base = stack.url("schedule_service")
    policy = http.patch(
        f"{base}/api/v1/policy/", json={"horizon_days": 365}, headers=auth, timeout=10
    )
    assert policy.status_code == 200, policy.text
    rule = http.post(
        f"{base}/api/v1/availability/",
        json={"weekday": 0, "start_time": "09:00", "end_time": "10:00", "slot_minutes": 30},
        headers=auth,
        timeout=10,
    )
    assert rule.status_code == 201, rule.text
    assert rule.json()["timezone"] == "America/New_York"  # fetched from user_service
    patient_token = access_token(stack, http, DEMO_PATIENT, DEMO_PASSWORD)
    # Mondays 2027-03-08 (EST, UTC-5) and 2027-03-15 (EDT, UTC-4): US clocks change on 03-14.
    slots = _slots(stack, http, doctor_id, patient_token, date(2027, 3, 8), date(2027, 3, 15))
    starts = [s["start"] for s in slots]
    assert starts == [
        "2027-03-08T14:00:00Z",
        "2027-03-08T14:30:00Z",
        "2027-03-15T13:00:00Z",
        "2027-03-15T13:30:00Z",
    ]


def test_reserve_hides_the_slot_and_release_brings_it_back(stack, http, new_york_doctor):
    doctor_id, doctor_token = new_york_doctor
    patient_token = access_token(stack, http, DEMO_PATIENT, DEMO_PASSWORD)
    day = date(2027, 3, 8)
    slot = _slots(stack, http, doctor_id, patient_token, day, day)[0]
    service = service_auth(stack, http, "schedule_service")  # as appointment_service
    base = stack.url("schedule_service")
    appointment_id = "7d1f0e3c-1a2b-4c5d-8e9f-0a1b2c3d4e5f"
    reserved = http.post(
        f"{base}/internal/v1/slots/{slot['id']}/reserve",
        json={"appointment_id": appointment_id},
        headers=service,
        timeout=10,
    )
    assert reserved.status_code == 200, reserved.text
    assert reserved.json()["cancel_cutoff_hours"] == 24
    other = http.post(
        f"{base}/internal/v1/slots/{slot['id']}/reserve",
        json={"appointment_id": "00000000-0000-4000-8000-000000000001"},
        headers=service,
        timeout=10,
    )
    assert other.status_code == 409
    assert other.json()["code"] == "slot-taken"
    assert slot["id"] not in {
        s["id"] for s in _slots(stack, http, doctor_id, patient_token, day, day)
    }
    mine = _slots(stack, http, doctor_id, doctor_token, day, day, include_held="true")
    assert [s["held"] for s in mine if s["id"] == slot["id"]] == [True]

    patient_on_internal = http.post(
        f"{base}/internal/v1/slots/{slot['id']}/release",
        json={"appointment_id": appointment_id},
        headers={"Authorization": f"Bearer {patient_token}"},
        timeout=10,
    )
    assert patient_on_internal.status_code == 403
    released = http.post(
        f"{base}/internal/v1/slots/{slot['id']}/release",
        json={"appointment_id": appointment_id},
        headers=service,
        timeout=10,
    )
    assert released.status_code == 200
    assert slot["id"] in {s["id"] for s in _slots(stack, http, doctor_id, patient_token, day, day)}


def test_demo_doctors_have_slots_in_the_coming_weeks(stack, http):
    patient_token = access_token(stack, http, DEMO_PATIENT, DEMO_PASSWORD)
    lena_weber = "2b2d6c70-9d5d-5544-a0f3-a2a8aee6ac4f"  # demo/demo_data.json
    today = datetime.now(UTC).date()
    slots = _slots(stack, http, lena_weber, patient_token, today, today + timedelta(days=13))
    assert len(slots) >= 20
    assert all(s["doctor_id"] == lena_weber and s["start"].endswith("Z") for s in slots)


def test_slot_range_is_capped(stack, http):
    patient_token = access_token(stack, http, DEMO_PATIENT, DEMO_PASSWORD)
    response = http.get(
        f"{stack.url('schedule_service')}/api/v1/doctors/2b2d6c70-9d5d-5544-a0f3-a2a8aee6ac4f/slots/",
        params={"from": "2027-01-01", "to": "2027-06-01"},
        headers={"Authorization": f"Bearer {patient_token}"},
        timeout=10,
    )
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
