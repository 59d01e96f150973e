"""The front desk in appointment_service's admin: book for a patient, move it, the clinic's day."""

from __future__ import annotations

import datetime
import re
import uuid
from zoneinfo import ZoneInfo

import requests
from conftest import shot
from helpers import DEMO_PASSWORD, PASSWORD, assert_no_orphans, sign_in
from playwright.sync_api import expect

WEBER = "2b2d6c70-9d5d-5544-a0f3-a2a8aee6ac4f"
APPOINTMENT_PAGE = re.compile(r"/admin/appointments/appointment/([0-9a-f-]{36})/change/$")


def _admin_sign_in(page, stack, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(stack.url("appointment_service") + "/admin/")
    page.get_by_label("Username").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Staff tools")).to_be_visible()


def _weeks_ahead(page, weeks: int) -> None:
    """Page the week view forward: a time two weeks ahead is outside every cut-off."""
    for _ in range(weeks):
        heading = page.locator(".desk-nav strong").inner_text()
        page.get_by_role("link", name="Next week").click()
        expect(page.locator(".desk-nav strong")).not_to_have_text(heading)


def test_the_front_desk_books_and_moves_an_appointment_for_a_patient(stack, contexts):
    page = contexts()
    _admin_sign_in(page, stack, "desk@demo.clinic")

    # 1. The patient, by name.
    page.get_by_role("link", name="Book for a patient").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Book for a patient")
    page.get_by_label("Find the patient by name or email").fill("Ben Okafor")
    page.get_by_role("button", name="Search patients").click()
    page.get_by_role("link", name="Choose Ben Okafor").click()

    # 2. The doctor.
    page.get_by_label("Find the doctor by name").fill("Weber")
    page.get_by_role("button", name="Search doctors").click()
    page.get_by_role("link", name="Choose Dr. Lena Weber").click()

    # 3. A free time of her week, two weeks ahead.
    expect(page.get_by_role("heading", name="Free times of Dr. Lena Weber")).to_be_visible()
    _weeks_ahead(page, 2)
    shot(page, "admin-desk-book-week")
    first = page.locator(".desk-week a.desk-slot").first
    booked_slot = first.get_attribute("href").rsplit("slot=", 1)[1]
    first.click()

    # 4. The reason, and book.
    expect(page.get_by_role("button", name="Book this time")).to_be_visible()
    page.get_by_label("Reason").fill("Palpitations, booked by phone")
    shot(page, "admin-desk-book-confirm")
    page.get_by_role("button", name="Book this time").click()
    expect(page.locator(".messagelist .success")).to_contain_text("Booked for")
    appointment_id = APPOINTMENT_PAGE.search(page.url).group(1)
    expect(page.locator(".inline-group")).to_contain_text("Clinic staff")
    shot(page, "admin-desk-booked")

    # The appointment's page: move it to another time of the same week.
    page.get_by_role("link", name="Reschedule").click()
    _weeks_ahead(page, 2)
    target = page.locator(".desk-week button.desk-slot").nth(2)
    new_slot = target.get_attribute("value")
    assert new_slot != booked_slot
    target.click()
    expect(page.locator(".messagelist .success")).to_contain_text("Moved to")
    expect(page.locator(".inline-group")).to_contain_text("Rescheduled")

    # The patient sees it at the new time, through the API.
    ben = sign_in(stack, requests, "ben.okafor@demo.clinic", DEMO_PASSWORD)
    seen = requests.get(
        f"{stack.url('appointment_service')}/api/v1/appointments/{appointment_id}/",
        headers=ben,
        timeout=10,
    )
    assert seen.status_code == 200, seen.text
    body = seen.json()
    assert (body["slot_id"], body["status"], body["reschedule_count"]) == (new_slot, "upcoming", 1)
    assert body["reason"] == "Palpitations, booked by phone"
    history = requests.get(
        f"{stack.url('appointment_service')}/api/v1/appointments/{appointment_id}/history",
        headers=ben,
        timeout=10,
    ).json()["results"]
    assert {event["actor_role"] for event in history} == {"staff"}

    # The clinic's day of the new time lists it, with the names.
    start = datetime.datetime.fromisoformat(body["start"].replace("Z", "+00:00"))
    day = start.astimezone(ZoneInfo("Europe/London")).date()  # CLINIC_TIME_ZONE's default
    page.goto(
        stack.url("appointment_service")
        + f"/admin/appointments/appointment/day/?date={day.isoformat()}&doctor={WEBER}"
    )
    table = page.locator("#desk-day")
    expect(table).to_contain_text("Ben Okafor")
    expect(table).to_contain_text("Dr. Lena Weber")
    expect(table).to_contain_text("Cardiology")
    shot(page, "admin-desk-clinic-day")
    page.emulate_media(media="print")
    expect(page.locator("#header")).to_be_hidden()
    expect(page.locator(".desk-filters")).to_be_hidden()
    shot(page, "admin-desk-clinic-day-print")

    # Nothing was left behind in schedule_service: every hold has its live appointment.
    weber = sign_in(stack, requests, "lena.weber@demo.clinic", DEMO_PASSWORD)
    assert_no_orphans(stack, requests.Session(), WEBER, weber)


def test_read_only_staff_cannot_open_the_booking_page(stack, contexts):
    email = f"reader-{uuid.uuid4().hex[:8]}@example.com"
    password = PASSWORD
    stack.manage(
        "auth_service",
        "create_staff",
        "--email",
        email,
        "--password-env",
        "READER_PASSWORD",
        "--group",
        "read-only",
        env={"READER_PASSWORD": password},
    )
    page = contexts()
    _admin_sign_in(page, stack, email, password)
    expect(page.get_by_role("link", name="Book for a patient")).to_have_count(0)
    expect(page.get_by_role("link", name="The clinic's day")).to_be_visible()

    response = page.goto(stack.url("appointment_service") + "/admin/appointments/appointment/book/")

    assert response.status == 403
    day = page.goto(stack.url("appointment_service") + "/admin/appointments/appointment/day/")
    assert day.status == 200
