"""A new doctor waits for the clinic's approval: set up, not listed, not bookable; then both."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from conftest import unique_email
from helpers import (
    DEMO_PASSWORD,
    DEMO_PATIENT,
    DEMO_STAFF,
    appointments,
    register,
    service_auth,
    sign_in,
    wait_for,
)


def _directory(stack, http, auth, **params):
    response = http.get(
        f"{stack.url('user_service')}/api/v1/doctors/", params=params, headers=auth, timeout=10
    )
    assert response.status_code == 200, response.text
    return [doctor["id"] for doctor in response.json()["results"]]


def _slots(stack, http, doctor_id, auth):
    today = datetime.now(UTC).date()
    return http.get(
        f"{stack.url('schedule_service')}/api/v1/doctors/{doctor_id}/slots/",
        params={"from": today.isoformat(), "to": (today + timedelta(days=13)).isoformat()},
        headers=auth,
        timeout=10,
    )


def _book(stack, http, auth, slot_id):
    return http.post(
        f"{stack.url('appointment_service')}/api/v1/appointments/",
        json={"slot_id": slot_id, "reason": "First visit"},
        headers=auth,
        timeout=15,
    )


def test_a_new_doctor_is_bookable_only_once_staff_approve(stack, http):
    users, schedule = stack.url("user_service"), stack.url("schedule_service")
    email = unique_email("pending")
    doctor_id = register(
        stack,
        http,
        email=email,
        role="doctor",
        full_name="Dr. Pending Approval",
        specialty="pediatrics",
        timezone="Europe/Madrid",
    )
    # The pending doctor signs in, edits the profile and sets up availability.
    doctor = sign_in(stack, http, email)
    me = http.patch(
        f"{users}/api/v1/profiles/me/",
        json={"bio": "Children's health."},
        headers=doctor,
        timeout=10,
    )
    assert me.status_code == 200, me.text
    assert me.json()["approved_at"] is None
    for weekday in range(7):
        rule = http.post(
            f"{schedule}/api/v1/availability/",
            json={
                "weekday": weekday,
                "start_time": "09:00",
                "end_time": "12:00",
                "slot_minutes": 30,
            },
            headers=doctor,
            timeout=10,
        )
        assert rule.status_code == 201, rule.text
    own = _slots(stack, http, doctor_id, doctor)
    assert own.status_code == 200, own.text
    later = (datetime.now(UTC) + timedelta(days=2)).isoformat().replace("+00:00", "Z")
    slot = next(s for s in own.json()["results"] if s["start"] > later)

    # Nobody else finds or books the doctor.
    patient = sign_in(stack, http, DEMO_PATIENT, DEMO_PASSWORD)
    assert doctor_id not in _directory(stack, http, patient, search="Pending Approval")
    detail = http.get(f"{users}/api/v1/doctors/{doctor_id}/", headers=patient, timeout=10)
    assert (detail.status_code, detail.json()["code"]) == (404, "doctor-not-found")
    listing = _slots(stack, http, doctor_id, patient)
    assert (listing.status_code, listing.json()["code"]) == (404, "doctor-not-found")
    before = appointments(stack, http, patient)
    refused = _book(stack, http, patient, slot["id"])
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "doctor-not-bookable"
    assert appointments(stack, http, patient) == before
    holds = http.get(
        f"{schedule}/internal/v1/holds/",
        params={"doctor_id": doctor_id},
        headers=service_auth(stack, http),
        timeout=10,
    )
    assert holds.json()["count"] == 0

    # Staff see the doctor waiting; neither the patient nor the doctor may approve.
    staff = sign_in(stack, http, DEMO_STAFF, DEMO_PASSWORD)
    assert doctor_id in _directory(stack, http, staff, status="pending", search="Pending")
    approve_url = f"{users}/api/v1/doctors/{doctor_id}/approve"
    for who in (patient, doctor):
        response = http.post(approve_url, headers=who, timeout=10)
        assert response.status_code == 403, response.text
    assert doctor_id not in _directory(stack, http, patient, search="Pending Approval")

    # Staff approve: listed and bookable.
    assert http.post(approve_url, headers=staff, timeout=10).status_code == 204
    assert doctor_id in _directory(stack, http, patient, search="Pending Approval")
    # schedule_service asks user_service again after DOCTOR_APPROVAL_RECHECK_SECONDS (1 s here).
    slots = wait_for(
        lambda: _slots(stack, http, doctor_id, patient),
        lambda response: response.status_code == 200,
        what="the approved doctor's slots",
    )
    assert slots.status_code == 200
    booked = _book(stack, http, patient, slot["id"])
    assert booked.status_code == 201, booked.text
    assert booked.json()["doctor_id"] == doctor_id
