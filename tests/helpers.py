"""Helpers of the integration and browser tests: the passwords, signing in and registering
over HTTP, slots, and the orphan check across schedule_service and appointment_service.

``http`` is a ``requests.Session`` (or the ``requests`` module itself); ``stack`` is the
running stack of ``scripts/stack.py``. Both ``tests/integration`` and ``tests/e2e`` put this
folder on ``sys.path`` in their conftest.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import requests

# The password of every account a test registers, and of every demo account (demo/demo_data.json).
PASSWORD = "a-long-enough-passphrase"
DEMO_PASSWORD = "demo-clinic-2026"
DEMO_STAFF = "staff@demo.clinic"
DEMO_PATIENT = "ana.lima@demo.clinic"

T = TypeVar("T")


def wait_for(
    fetch: Callable[[], T], until: Callable[[T], bool], *, timeout: float = 15.0, what: str = ""
) -> T:
    """Call ``fetch`` until ``until`` holds for its answer, and return that answer.

    For what the services do a little later (a re-check, a poll): the test goes on as soon
    as it has happened instead of sleeping for the longest it might take. Fails after
    ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        answer = fetch()
        if until(answer):
            return answer
        assert time.monotonic() < deadline, f"still waiting after {timeout} s: {what or answer}"
        time.sleep(0.1)


def token_response(stack, http, email: str, password: str = PASSWORD) -> requests.Response:
    """Ask auth_service for a token pair; the answer as it comes (a test may expect a refusal)."""
    return http.post(
        f"{stack.url('auth_service')}/api/v1/auth/token",
        json={"email": email, "password": password},
        timeout=10,
    )


def token_pair(stack, http, email: str, password: str = PASSWORD) -> dict[str, Any]:
    """Sign in; the body of the answer: ``access`` and ``refresh``."""
    response = token_response(stack, http, email, password)
    assert response.status_code == 200, response.text
    return response.json()


def access_token(stack, http, email: str, password: str = PASSWORD) -> str:
    """Sign in; the access token."""
    return token_pair(stack, http, email, password)["access"]


def bearer(token: str) -> dict[str, str]:
    """The Authorization header that carries ``token``."""
    return {"Authorization": f"Bearer {token}"}


def sign_in(stack, http, email: str, password: str = PASSWORD) -> dict[str, str]:
    """Sign in; the Authorization header of the access token."""
    return bearer(access_token(stack, http, email, password))


def register_response(
    stack, http, *, timeout: float = 10, headers: dict[str, str] | None = None, **body: Any
) -> requests.Response:
    """Register an account (``PASSWORD`` unless ``body`` names one); the answer as it comes."""
    return http.post(
        f"{stack.url('auth_service')}/api/v1/auth/register",
        json={"password": PASSWORD, **body},
        headers=headers,
        timeout=timeout,
    )


def register(stack, http, **body: Any) -> str:
    """Register an account (see ``register_response``); its id."""
    response = register_response(stack, http, **body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def approve(stack, http, doctor_id) -> None:
    """Clinic staff (the demo staff account) approve a newly registered doctor."""
    staff = sign_in(stack, http, DEMO_STAFF, DEMO_PASSWORD)
    response = http.post(
        f"{stack.url('user_service')}/api/v1/doctors/{doctor_id}/approve", headers=staff, timeout=10
    )
    assert response.status_code == 204, response.text


# The account that really calls each audience (service accounts hold only what they use).
CALLER_OF = {"schedule_service": "appointment_service", "user_service": "schedule_service"}


def service_token(stack, http, client: str, audience: str) -> str:
    """A service token of ``client`` for ``audience``, asked for as the service itself asks."""
    response = http.post(
        f"{stack.url('auth_service')}/api/v1/auth/service-token",
        data={
            "grant_type": "client_credentials",
            "client_id": client,
            "client_secret": stack.secrets()[f"{client}_client_secret"],
            "audience": audience,
        },
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def service_auth(stack, http, audience="schedule_service") -> dict[str, str]:
    """The Authorization header of the service that calls ``audience``."""
    return {"Authorization": f"Bearer {service_token(stack, http, CALLER_OF[audience], audience)}"}


def publish_weekly_hours(stack, http, doctor_auth) -> None:
    """The doctor is available every day, 08:00-18:00 in their zone, in 30-minute slots."""
    for weekday in range(7):
        http.post(
            f"{stack.url('schedule_service')}/api/v1/availability/",
            json={
                "weekday": weekday,
                "start_time": "08:00",
                "end_time": "18:00",
                "slot_minutes": 30,
            },
            headers=doctor_auth,
            timeout=10,
        ).raise_for_status()


def free_slots(stack, http, doctor_id, auth, days=14) -> list[dict]:
    today = datetime.now(UTC).date()
    response = http.get(
        f"{stack.url('schedule_service')}/api/v1/doctors/{doctor_id}/slots/",
        params={
            "from": today.isoformat(),
            "to": (today + timedelta(days=days)).isoformat(),
            "page_size": 100,
        },
        headers=auth,
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()["results"]


def appointments(stack, http, auth, **params) -> list[dict]:
    response = http.get(
        f"{stack.url('appointment_service')}/api/v1/appointments/",
        params={"page_size": 100, **params},
        headers=auth,
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()["results"]


def assert_no_orphans(stack, http, doctor_id, doctor_auth) -> None:
    """Invariant 3 across both services: every hold has its live appointment and back."""
    holds = http.get(
        f"{stack.url('schedule_service')}/internal/v1/holds/",
        params={"doctor_id": doctor_id, "page_size": 100},
        headers=service_auth(stack, http),
        timeout=10,
    ).json()["results"]
    upcoming = appointments(stack, http, doctor_auth, status="upcoming")
    held = {(h["slot_id"], h["appointment_id"]) for h in holds}
    booked = {(a["slot_id"], a["id"]) for a in upcoming}
    assert held == booked, {
        "holds without appointment": held - booked,
        "appointments without hold": booked - held,
    }
