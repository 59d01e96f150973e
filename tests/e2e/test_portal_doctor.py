"""A doctor's pages, with JavaScript off: hours, time off, free times, the day, marking."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

from conftest import HADDAD, shot, sign_in, title_of
from helpers import DEMO_PASSWORD
from playwright.sync_api import expect

HADDAD_EMAIL = "omar.haddad@demo.clinic"
LONDON = ZoneInfo("Europe/London")  # Dr. Haddad's zone, the one his pages show


def test_doctor_sets_hours_and_time_off_then_sees_free_times_and_the_day(stack, api, no_js):
    patient = api.register(full_name="Tom Baker")
    auth = api.token(patient["email"])
    soon = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=2)
    slot = next(
        s
        for s in api.free_slots(auth, HADDAD)
        if datetime.datetime.fromisoformat(s["start"]) > soon
    )
    api.book(auth, slot["id"], "Migraine follow-up")
    booked_day = datetime.datetime.fromisoformat(slot["start"]).astimezone(LONDON).date()
    day_off = booked_day + datetime.timedelta(days=7)

    page = no_js.new_page()
    sign_in(page, stack, HADDAD_EMAIL, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile("/doctor/day$"))
    expect(page).to_have_title(re.compile("^My day: "))

    # Weekly hours: one refused for overlapping, then Saturday mornings.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Weekly hours").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Weekly hours")
    page.get_by_label("Day", exact=True).select_option(label="Monday")
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("End time").fill("11:00")
    page.get_by_role("button", name="Save hours").click()
    expect(page).to_have_title(re.compile("^Error: Weekly hours"))
    expect(page.locator(".error-summary")).to_contain_text(
        "These hours overlap Monday 9am to midday"
    )

    page.get_by_label("Day", exact=True).select_option(label="Saturday")
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("End time").fill("12:00")
    page.get_by_label("Appointment length").select_option(label="20 minutes")
    page.get_by_role("button", name="Save hours").click()
    expect(page.get_by_role("status")).to_have_text("Hours added: Saturday 10am to midday.")
    saturday = page.locator(".summary-list__row", has=page.locator("dt", has_text="Saturday"))
    expect(saturday).to_contain_text("10am to midday, 20-minute appointments")
    shot(page, "doctor-journey-weekly-hours")

    # Time off: a whole day, a week after the booked appointment.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Time off").click()
    page.get_by_label("First day").fill(day_off.isoformat())
    page.get_by_label("Last day").fill(day_off.isoformat())
    page.get_by_label("Private note (optional)").fill("Conference")
    page.get_by_role("button", name="Add time off").click()
    expect(page.get_by_role("status")).to_contain_text("Time off added on")
    expect(page.get_by_role("main")).to_contain_text("Conference")
    expect(page.get_by_role("button", name=re.compile("^Remove time off on "))).to_have_count(1)
    shot(page, "doctor-journey-time-off")

    # My free times: the booked time is labelled, never a link; the day off has none.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My free times").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My free times")
    page.goto(stack.url("portal") + f"/doctor/slots?week={booked_day.isoformat()}")
    booked = page.locator(f"#d-{booked_day.isoformat()} .slot--noted")
    expect(booked).to_have_count(1)
    expect(booked).to_contain_text("Booked")
    expect(page.locator(".week a.slot")).to_have_count(0)
    shot(page, "doctor-journey-free-times")
    page.goto(stack.url("portal") + f"/doctor/slots?week={day_off.isoformat()}")
    expect(page.locator(f"#d-{day_off.isoformat()}")).to_contain_text("No free times")

    # The day of the appointment: the patient, the reason, and when it can be marked.
    page.goto(stack.url("portal") + f"/doctor/day?date={booked_day.isoformat()}")
    card = page.locator(".card", has_text="Tom Baker")
    expect(card).to_contain_text("Migraine follow-up")
    expect(card.locator(".tag")).to_have_text("Upcoming")
    expect(card).to_contain_text("You can mark it once it has started.")
    expect(card.get_by_role("button", name=re.compile("^Mark as"))).to_have_count(0)
    shot(page, "doctor-journey-day")
    card.get_by_role("link").click()
    expect(page.locator(".summary-list")).to_contain_text("Tom Baker")
    expect(page.get_by_role("main")).to_contain_text("once it has started")

    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Coming appointments").click()
    expect(page).to_have_title(title_of("Coming appointments"))
    expect(page.locator(".card", has_text="Tom Baker")).to_have_count(1)


def test_doctor_marks_a_started_appointment_completed(stack, no_js, started_appointment):
    page = no_js.new_page()
    sign_in(page, stack, started_appointment.doctor_email)
    expect(page).to_have_url(re.compile("/doctor/day$"))
    card = page.locator(".card", has_text=started_appointment.patient_name)
    expect(card.locator(".tag")).to_have_text("Upcoming")
    card.get_by_role("button", name=re.compile("^Mark as completed")).click()

    expect(page.get_by_role("status")).to_have_text(
        re.compile(f"Marked {started_appointment.patient_name}'s .+ appointment as completed.")
    )
    expect(card.locator(".tag")).to_have_text("Completed")
    expect(card.get_by_role("button", name=re.compile("^Mark as no-show instead"))).to_be_visible()
