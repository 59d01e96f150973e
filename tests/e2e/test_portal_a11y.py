"""Every portal page through axe-core, and at 375 px wide without horizontal scrolling.

axe-core comes from npm (tests/e2e/package.json, installed by `make test-e2e`).
The portal's Content-Security-Policy allows only its own scripts, so these
pages open in a context that bypasses the CSP; nothing else does.

A violation of impact "serious" or "critical" fails the test; the others are
listed in pytest's warnings summary (``AxeFinding``).
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from conftest import (
    DESKTOP,
    axe_violations,
    serious,
    shot,
    sign_in,
)
from helpers import DEMO_PASSWORD
from record_walkthroughs import PHONE, WEBER

# Screenshots at both widths of these pages (the patient pages come from the journeys).
SHOTS = {"doctor-day", "weekly-hours", "time-off", "doctor-free-times", "coming-appointments"}


@dataclass
class Visit:
    label: str
    path: str
    status: int = 200
    submit: str = ""  # a button to press first: the page with its errors
    forget_cookies: bool = False  # before pressing it: the form has expired


@dataclass
class Scene:
    patient_email: str
    appointment: dict
    cancelled: dict
    other_slot: dict
    free_slot: dict
    taken_slot: dict
    rule_id: int


@pytest.fixture(scope="module")
def scene(api) -> Scene:
    """A patient with an upcoming appointment a week or more ahead (changeable) and a cancelled one."""
    patient = api.register(full_name="Nadia Access")
    auth = api.token(patient["email"])
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=7)
    slots = [
        s
        for s in api.free_slots(auth, WEBER)
        if datetime.datetime.fromisoformat(s["start"]) > later
    ]
    appointment = api.book(auth, slots[0]["id"], "Palpitations, mostly at night")
    cancelled = api.cancel(
        auth, api.book(auth, slots[5]["id"], "Check-up")["id"], "Booked twice by mistake"
    )
    # A time another patient holds: opening it shows the "no longer bookable" page.
    other = api.token(api.register(full_name="Otto Other")["email"])
    api.book(other, slots[3]["id"], "Follow-up")
    weber = api.token("lena.weber@demo.clinic", DEMO_PASSWORD)
    rules = api.call("GET", "schedule_service", "/api/v1/availability/", auth=weber)
    return Scene(
        patient_email=patient["email"],
        appointment=appointment,
        cancelled=cancelled,
        other_slot=slots[1],
        free_slot=slots[2],
        taken_slot=slots[3],
        rule_id=rules["results"][0]["id"],
    )


def check_pages(page, stack, visits: list[Visit]) -> None:
    """Open each page; axe-core at desktop width, then the width check at 375 px."""
    failures = []
    for visit in visits:
        url = stack.url("portal") + visit.path
        answer = page.goto(url)
        if visit.forget_cookies:
            page.context.clear_cookies()
        if visit.submit:
            with page.expect_navigation() as sent:
                page.get_by_role("button", name=visit.submit).click()
            answer = sent.value
        if answer.status != visit.status:
            failures.append(f"{visit.label}: status {answer.status}, not {visit.status}")
        worst = serious(axe_violations(page), page_label=visit.label)
        failures += [f"{visit.label}: {v}" for v in worst]
        if visit.label in SHOTS:
            shot(page, f"desktop-{visit.label}")
        page.set_viewport_size(PHONE)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            failures.append(f"{visit.label}: {width}px wide at {PHONE['width']}px")
        if visit.label in SHOTS:
            shot(page, f"phone-{visit.label}")
        page.set_viewport_size(DESKTOP)
    assert not failures, "\n".join(failures)


def test_public_and_patient_pages(stack, contexts, scene):
    page = contexts(bypass_csp=True)
    appointment = scene.appointment["id"]
    check_pages(
        page,
        stack,
        [
            Visit("landing", "/"),
            Visit("sign-in", "/sign-in"),
            Visit("sign-in-errors", "/sign-in", 400, submit="Sign in"),
            Visit("register", "/register"),
            Visit("register-errors", "/register", 400, submit="Create account"),
            Visit("register-doctor", "/register/doctor"),
            Visit("help", "/help"),
            Visit("time-zone", "/settings/time-zone?next=/"),
            Visit("not-found", "/no-such-page", 404),
            Visit("form-expired", "/sign-in", 403, submit="Sign in", forget_cookies=True),
        ],
    )
    sign_in(page, stack, scene.patient_email)
    check_pages(
        page,
        stack,
        [
            Visit("landing-signed-in", "/"),
            Visit("find-a-doctor", "/doctors"),
            Visit("find-a-doctor-results", "/doctors?q=Weber"),
            Visit("find-a-doctor-none", "/doctors?q=nobody-at-all"),
            Visit("doctor-week", f"/doctors/{WEBER}"),
            Visit("confirm-booking", f"/book/{scene.free_slot['id']}"),
            Visit(
                "confirm-booking-errors",
                f"/book/{scene.free_slot['id']}",
                400,
                submit="Book appointment",
            ),
            Visit("booked", f"/appointments/{appointment}/booked"),
            Visit("my-appointments", "/appointments"),
            Visit("my-appointments-cancelled", "/appointments?status=cancelled"),
            Visit("appointment", f"/appointments/{appointment}"),
            Visit("edit-reason", f"/appointments/{appointment}/reason"),
            Visit("reschedule", f"/appointments/{appointment}/reschedule"),
            Visit(
                "reschedule-confirm",
                f"/appointments/{appointment}/reschedule/{scene.other_slot['id']}",
            ),
            Visit("cancel", f"/appointments/{appointment}/cancel"),
            Visit("time-taken", f"/book/{scene.taken_slot['id']}", 409),
            Visit("cancel-closed", f"/appointments/{scene.cancelled['id']}/cancel", 409),
            Visit("reschedule-closed", f"/appointments/{scene.cancelled['id']}/reschedule", 409),
            Visit("time-zone-signed-in", "/settings/time-zone?next=/appointments"),
            Visit("help-signed-in", "/help"),
            Visit("appointment-not-found", f"/appointments/{uuid.uuid4()}", 404),
        ],
    )


def test_doctor_pages(stack, contexts, scene):
    page = contexts(bypass_csp=True)
    sign_in(page, stack, "lena.weber@demo.clinic", DEMO_PASSWORD)
    appointment = scene.appointment["id"]
    day = (
        datetime.datetime.fromisoformat(scene.appointment["start"])
        .astimezone(ZoneInfo("Europe/Berlin"))
        .date()
    )
    check_pages(
        page,
        stack,
        [
            Visit("doctor-day", f"/doctor/day?date={day.isoformat()}"),
            Visit("doctor-day-today", "/doctor/day"),
            Visit("coming-appointments", "/doctor/appointments"),
            Visit("weekly-hours", "/doctor/availability"),
            Visit("weekly-hours-errors", "/doctor/availability", 400, submit="Save hours"),
            Visit("change-hours", f"/doctor/availability/{scene.rule_id}"),
            Visit("remove-hours", f"/doctor/availability/{scene.rule_id}/remove"),
            Visit("time-off", "/doctor/time-off"),
            Visit("time-off-errors", "/doctor/time-off", 400, submit="Add time off"),
            Visit("booking-rules", "/doctor/policy"),
            Visit("doctor-free-times", f"/doctor/slots?week={day.isoformat()}"),
            Visit("doctor-appointment", f"/appointments/{appointment}"),
            Visit("doctor-cancel", f"/appointments/{appointment}/cancel"),
            Visit("doctor-sees-a-doctor-page", f"/doctors/{WEBER}"),
        ],
    )
