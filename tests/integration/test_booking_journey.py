"""The whole journey over HTTP across the four API services, as real processes."""

from __future__ import annotations

import uuid

from conftest import unique_email
from helpers import (
    DEMO_PASSWORD,
    appointments,
    approve,
    assert_no_orphans,
    free_slots,
    register,
    service_auth,
    sign_in,
)


def test_register_publish_find_book_edit_reschedule_cancel_rebook(stack, http):
    base = stack.url("appointment_service")
    # Register a doctor and two patients.
    doctor_email, patient_email, other_email = (
        unique_email("doc"),
        unique_email("pat"),
        unique_email("pat"),
    )
    doctor_id = register(
        stack,
        http,
        email=doctor_email,
        role="doctor",
        full_name="Dr. Journey Quinn",
        specialty="dermatology",
        timezone="Europe/Rome",
    )
    approve(stack, http, doctor_id)
    register(stack, http, email=patient_email, role="patient", full_name="Jo Patient")
    register(stack, http, email=other_email, role="patient", full_name="Sam Other")
    doctor, patient, other = (
        sign_in(stack, http, e) for e in (doctor_email, patient_email, other_email)
    )

    # The doctor publishes availability: every weekday 09:00-11:00 Rome time, 30 minutes.
    for weekday in range(7):
        rule = http.post(
            f"{stack.url('schedule_service')}/api/v1/availability/",
            json={
                "weekday": weekday,
                "start_time": "09:00",
                "end_time": "11:00",
                "slot_minutes": 30,
            },
            headers=doctor,
            timeout=10,
        )
        assert rule.status_code == 201, rule.text

    # The patient finds the doctor and a free slot.
    found = http.get(
        f"{stack.url('user_service')}/api/v1/doctors/",
        params={"search": "Journey Quinn"},
        headers=patient,
        timeout=10,
    ).json()["results"]
    assert [d["id"] for d in found] == [doctor_id]
    # A 10-minute buffer after each appointment: a reschedule to the very next slot still works.
    policy = http.patch(
        f"{stack.url('schedule_service')}/api/v1/policy/",
        json={"buffer_minutes": 10},
        headers=doctor,
        timeout=10,
    )
    assert policy.status_code == 200, policy.text
    slots = free_slots(stack, http, doctor_id, patient)
    first, second = slots[4], slots[5]
    assert first["end"] == second["start"]

    # Book, with an Idempotency-Key: the retry returns the first answer.
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"slot_id": first["id"], "reason": "Skin check"}
    booked = http.post(
        f"{base}/api/v1/appointments/", json=body, headers={**patient, **key}, timeout=15
    )
    assert booked.status_code == 201, booked.text
    retried = http.post(
        f"{base}/api/v1/appointments/", json=body, headers={**patient, **key}, timeout=15
    )
    assert (retried.status_code, retried.json()) == (201, booked.json())
    appointment = booked.json()
    assert (appointment["start"], appointment["end"], appointment["doctor_id"]) == (
        first["start"],
        first["end"],
        doctor_id,
    )
    assert appointment["status"] == "upcoming"
    assert first["id"] not in {s["id"] for s in free_slots(stack, http, doctor_id, other)}
    # Someone else cannot take it, nor see the appointment.
    taken = http.post(
        f"{base}/api/v1/appointments/", json={"slot_id": first["id"]}, headers=other, timeout=15
    )
    assert taken.status_code == 409, taken.text
    assert (
        http.get(
            f"{base}/api/v1/appointments/{appointment['id']}/", headers=other, timeout=5
        ).status_code
        == 404
    )

    # List, edit the reason.
    assert [a["id"] for a in appointments(stack, http, patient, status="upcoming")] == [
        appointment["id"]
    ]
    edited = http.patch(
        f"{base}/api/v1/appointments/{appointment['id']}/",
        json={
            "reason": "Skin check, and a mole",
            "status": "cancelled",
            "start": "2020-01-01T00:00:00Z",
        },
        headers=patient,
        timeout=10,
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["reason"] == "Skin check, and a mole"
    assert (edited.json()["status"], edited.json()["start"]) == ("upcoming", first["start"])

    # Reschedule to the next slot: the first is let go.
    moved = http.post(
        f"{base}/api/v1/appointments/{appointment['id']}/reschedule",
        json={"slot_id": second["id"]},
        headers=patient,
        timeout=15,
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["slot_id"], moved.json()["start"]) == (second["id"], second["start"])
    assert second["id"] not in {s["id"] for s in free_slots(stack, http, doctor_id, other)}
    released = http.get(
        f"{stack.url('schedule_service')}/internal/v1/slots/{first['id']}/",
        headers=service_auth(stack, http),
        timeout=10,
    ).json()
    # Not held any more, yet not bookable: its buffer would run into the moved appointment.
    assert (released["held"], released["bookable"]) == (False, False)
    assert_no_orphans(stack, http, doctor_id, doctor)

    # The doctor's view.
    mine = appointments(stack, http, doctor, status="upcoming")
    assert [a["id"] for a in mine] == [appointment["id"]]
    ics = http.get(f"{base}/api/v1/appointments/{appointment['id']}/ics", headers=doctor, timeout=5)
    assert ics.status_code == 200
    assert ics.headers["Content-Type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in ics.text

    # Cancel: the slot is bookable again at once, and another patient books it.
    cancelled = http.post(
        f"{base}/api/v1/appointments/{appointment['id']}/cancel",
        json={"reason": "Feeling better"},
        headers=patient,
        timeout=15,
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    rebooked = http.post(
        f"{base}/api/v1/appointments/",
        json={"slot_id": second["id"], "reason": "Rash"},
        headers=other,
        timeout=15,
    )
    assert rebooked.status_code == 201, rebooked.text
    assert appointments(stack, http, patient, status="cancelled")[0]["id"] == appointment["id"]
    history = http.get(
        f"{base}/api/v1/appointments/{appointment['id']}/history", headers=patient, timeout=5
    ).json()["results"]
    assert [e["action"] for e in history] == [
        "booked",
        "reason_changed",
        "rescheduled",
        "cancelled",
    ]
    assert_no_orphans(stack, http, doctor_id, doctor)


def test_demo_patient_books_a_demo_doctor(stack, http):
    patient = sign_in(stack, http, "ben.okafor@demo.clinic", DEMO_PASSWORD)
    slot = free_slots(stack, http, "2b2d6c70-9d5d-5544-a0f3-a2a8aee6ac4f", patient)[0]
    booked = http.post(
        f"{stack.url('appointment_service')}/api/v1/appointments/",
        json={"slot_id": slot["id"], "reason": "Check-up"},
        headers=patient,
        timeout=15,
    )
    assert booked.status_code == 201, booked.text
