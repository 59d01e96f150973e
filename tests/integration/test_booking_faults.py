"""schedule_service down or hanging during book, reschedule and cancel: a quick 503, no orphan.

"Down" stops its processes; "hanging" freezes them with SIGSTOP, so connections
are accepted and never answered. After it comes back, the same request succeeds.
A request that a frozen service receives is still carried out once it thaws;
reconcile_appointments repairs what that leaves (README, "Reconciliation").
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from conftest import unique_email
from helpers import (
    appointments,
    approve,
    assert_no_orphans,
    free_slots,
    publish_weekly_hours,
    register,
    sign_in,
)
from stack import make_test_stack

QUICK = 6.0  # seconds: read timeout (2 s) plus token and retries


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    stack = make_test_stack(
        tmp_path_factory.mktemp("faults"),
        ["auth_service", "user_service", "schedule_service", "appointment_service"],
        port_offset=300,
    )
    stack.start()
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def clinic(stack):
    import requests

    with requests.Session() as http:
        doctor_email, patient_email = unique_email("doc"), unique_email("pat")
        doctor_id = register(
            stack,
            http,
            email=doctor_email,
            role="doctor",
            full_name="Dr. Fault Lines",
            specialty="neurology",
            timezone="Europe/London",
        )
        approve(stack, http, doctor_id)
        register(stack, http, email=patient_email, role="patient", full_name="Pat Faults")
        doctor, patient = sign_in(stack, http, doctor_email), sign_in(stack, http, patient_email)
        publish_weekly_hours(stack, http, doctor)
        # Two days out at least: outside the 24-hour reschedule and cancel cut-offs.
        later = (datetime.now(UTC) + timedelta(days=2)).isoformat().replace("+00:00", "Z")
        slots = iter(
            s for s in free_slots(stack, http, doctor_id, patient, days=20) if s["start"] > later
        )
        yield {"doctor_id": doctor_id, "doctor": doctor, "patient": patient, "slots": slots}


@pytest.fixture(params=["down", "hanging"])
def outage(request, stack):
    """A context for the outage: ``with outage(): ...`` then schedule_service is back."""

    class Outage:
        kind = request.param

        def __enter__(self):
            if self.kind == "down":
                stack.stop_service("schedule_service")
            else:
                stack.freeze("schedule_service")

        def __exit__(self, *exc):
            if self.kind == "down":
                stack.start_service("schedule_service")
            else:
                stack.thaw("schedule_service")
                stack.wait_healthy("schedule_service")
                time.sleep(0.5)  # let it finish what it received while frozen
                stack.manage("appointment_service", "reconcile_appointments", "--grace", "0")

    return Outage()


def _timed(fn):
    started = time.monotonic()
    response = fn()
    return response, time.monotonic() - started


def _book(stack, http, clinic, slot_id, key):
    return http.post(
        f"{stack.url('appointment_service')}/api/v1/appointments/",
        json={"slot_id": slot_id, "reason": "Headache"},
        headers={**clinic["patient"], "Idempotency-Key": key},
        timeout=30,
    )


def test_book_during_outage_is_503_leaves_nothing_and_succeeds_after(stack, http, clinic, outage):
    slot = next(clinic["slots"])
    key = str(uuid.uuid4())
    before = appointments(stack, http, clinic["patient"])
    with outage:
        response, took = _timed(lambda: _book(stack, http, clinic, slot["id"], key))
        assert response.status_code == 503, response.text
        assert response.json()["code"] == "dependency-unavailable"
        assert took < QUICK, f"{outage.kind}: {took:.1f}s"
        assert appointments(stack, http, clinic["patient"]) == before
    assert_no_orphans(stack, http, clinic["doctor_id"], clinic["doctor"])
    again = _book(stack, http, clinic, slot["id"], key)
    assert again.status_code == 201, again.text
    assert_no_orphans(stack, http, clinic["doctor_id"], clinic["doctor"])


def test_reschedule_during_outage_is_503_changes_nothing_and_succeeds_after(
    stack, http, clinic, outage
):
    booked = _book(stack, http, clinic, next(clinic["slots"])["id"], str(uuid.uuid4())).json()
    target = next(clinic["slots"])
    url = f"{stack.url('appointment_service')}/api/v1/appointments/{booked['id']}/"
    with outage:
        response, took = _timed(
            lambda: http.post(
                url + "reschedule",
                json={"slot_id": target["id"]},
                headers=clinic["patient"],
                timeout=30,
            )
        )
        assert response.status_code == 503, response.text
        assert took < QUICK, f"{outage.kind}: {took:.1f}s"
        assert (
            http.get(url, headers=clinic["patient"], timeout=5).json()["slot_id"]
            == booked["slot_id"]
        )
    assert_no_orphans(stack, http, clinic["doctor_id"], clinic["doctor"])
    again = http.post(
        url + "reschedule", json={"slot_id": target["id"]}, headers=clinic["patient"], timeout=30
    )
    assert again.status_code == 200, again.text
    assert again.json()["slot_id"] == target["id"]
    assert_no_orphans(stack, http, clinic["doctor_id"], clinic["doctor"])


def test_cancel_during_outage_is_503_changes_nothing_and_succeeds_after(
    stack, http, clinic, outage
):
    booked = _book(stack, http, clinic, next(clinic["slots"])["id"], str(uuid.uuid4())).json()
    url = f"{stack.url('appointment_service')}/api/v1/appointments/{booked['id']}/"
    with outage:
        response, took = _timed(
            lambda: http.post(
                url + "cancel", json={"reason": "x"}, headers=clinic["patient"], timeout=30
            )
        )
        assert response.status_code == 503, response.text
        assert took < QUICK, f"{outage.kind}: {took:.1f}s"
        assert http.get(url, headers=clinic["patient"], timeout=5).json()["status"] == "upcoming"
    assert_no_orphans(stack, http, clinic["doctor_id"], clinic["doctor"])
    again = http.post(url + "cancel", json={"reason": "x"}, headers=clinic["patient"], timeout=30)
    assert again.status_code == 200, again.text
    assert again.json()["status"] == "cancelled"
    assert booked["slot_id"] in {
        s["id"] for s in free_slots(stack, http, clinic["doctor_id"], clinic["patient"], 20)
    }
    assert_no_orphans(stack, http, clinic["doctor_id"], clinic["doctor"])
