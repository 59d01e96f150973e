"""A patient's whole journey in the portal: at desktop and phone width, and with JavaScript off."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import (
    fits_width,
    register_patient,
    shot,
    slot_id_of,
    title_of,
    unique_email,
)
from playwright.sync_api import expect
from record_walkthroughs import first_free_time, later_week


def tiles_are_tall_enough(page) -> None:
    """Every time tile, day link and week link is at least 44 px high (WCAG 2.5.8, with room)."""
    targets = page.locator(".week .slot, .week .day-index a, .week .week-nav__link, main .button")
    for index in range(targets.count()):
        target = targets.nth(index)
        if not target.is_visible():
            continue
        box = target.bounding_box()
        assert box["height"] >= 44, f"{target.inner_text()!r} is {box['height']}px high"


def book_posts(page) -> list[str]:
    """The POSTs the page sends to a booking URL, as they happen."""
    sent: list[str] = []
    page.on(
        "request",
        lambda request: (
            sent.append(request.url)
            if request.method == "POST" and "/book/" in request.url
            else None
        ),
    )
    return sent


def download_calendar(page) -> str:
    with page.expect_download() as download:
        page.get_by_role("link", name="Add to calendar (.ics file)").click()
    assert download.value.suggested_filename.endswith(".ics")
    return Path(download.value.path()).read_text()


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_patient_registers_books_changes_and_cancels(stack, api, request, device):
    on_phone = device == "phone"
    page = request.getfixturevalue("phone" if on_phone else "page")

    def step(name: str) -> None:
        if on_phone:
            fits_width(page)
        shot(page, f"{device}-{name}")

    page.goto(stack.url("portal") + "/")
    expect(page).to_have_title(title_of("Book a doctor's appointment"))
    step("landing")

    email = unique_email("patient")
    register_patient(page, stack, full_name="Maya Fischer", email=email)

    # Find a doctor: by name at desktop, by specialty on the phone.
    if on_phone:
        page.get_by_label("Specialty").select_option(label="Cardiology")
    else:
        page.get_by_label("Name or keyword").fill("Weber")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results")).to_have_text(
        "1 doctor in Cardiology" if on_phone else "1 doctor for ‘Weber’"
    )
    step("find-a-doctor")
    page.get_by_role("link", name="Dr. Lena Weber").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Dr. Lena Weber")
    expect(page.get_by_role("heading", name=re.compile("^Free times, "))).to_be_visible()
    if on_phone:
        tiles_are_tall_enough(page)
    step("doctor-week")
    later_week(page)
    chosen = first_free_time(page)
    slot_id = slot_id_of(chosen)
    chosen.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check and book your appointment")
    expect(page.locator(".summary-list")).to_contain_text("Dr. Lena Weber, Cardiology")
    page.get_by_label("Reason for your appointment").fill("Chest pain when climbing stairs")
    step("confirm-booking")
    posts = book_posts(page)
    page.get_by_role("button", name="Book appointment").dblclick()

    expect(page.get_by_role("heading", level=1)).to_have_text("Appointment booked")
    assert len(posts) == 1, posts  # the second click was held back
    booked = api.appointments(api.token(email))
    assert [a["slot_id"] for a in booked] == [slot_id]
    step("booked")
    assert download_calendar(page).startswith("BEGIN:VCALENDAR")

    page.get_by_role("link", name="My appointments").first.click()
    expect(page.get_by_role("link", name="Upcoming")).to_have_attribute("aria-current", "page")
    expect(page.locator("#results")).to_have_text("1 upcoming appointment")
    expect(page.locator(".card")).to_contain_text("Dr. Lena Weber")
    step("my-appointments")
    page.locator(".card__title a").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Appointment on "))
    expect(page.locator(".tag")).to_have_text("Upcoming")
    expect(page.locator(".timeline")).to_contain_text("Booked")
    step("appointment")

    page.get_by_role("link", name="Change reason").click()
    expect(page.get_by_label("Reason for your appointment")).to_have_value(
        "Chest pain when climbing stairs"
    )
    page.get_by_label("Reason for your appointment").fill("Chest pain and short of breath")
    step("edit-reason")
    page.get_by_role("button", name="Save reason").click()
    expect(page.get_by_role("status")).to_have_text("Reason saved.")
    expect(page.locator(".summary-list")).to_contain_text("Chest pain and short of breath")

    page.get_by_role("link", name="Change time", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new time")
    current = page.locator(".week .slot--noted")
    expect(current).to_have_count(1)
    expect(current).to_contain_text("Your current appointment")
    expect(page.locator(".week a", has_text="Your current appointment")).to_have_count(0)
    step("reschedule")
    new_time = first_free_time(page)
    new_slot_id = slot_id_of(new_time)
    assert new_slot_id != slot_id
    new_time.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm new time")
    step("reschedule-confirm")
    page.get_by_role("button", name="Confirm new time").click()
    expect(page.get_by_role("status")).to_contain_text("Appointment moved to")
    assert [a["slot_id"] for a in api.appointments(api.token(email))] == [new_slot_id]

    page.get_by_role("link", name="Cancel appointment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel your appointment")
    page.get_by_label("Why are you cancelling? (optional)").fill("Feeling better")
    step("cancel")
    page.get_by_role("button", name="Yes, cancel appointment").click()
    expect(page.get_by_role("status")).to_contain_text("Appointment cancelled.")
    expect(page.locator(".tag")).to_have_text("Cancelled")
    expect(page.get_by_role("link", name="Change time", exact=True)).to_have_count(0)

    page.get_by_role("link", name="My appointments").first.click()
    page.get_by_role("link", name="Cancelled").click()
    expect(page.locator("#results")).to_have_text("1 cancelled appointment")
    expect(page.locator(".card")).to_contain_text("Dr. Lena Weber")
    step("my-appointments-cancelled")


def test_patient_books_changes_and_cancels_without_javascript(stack, api, no_js):
    page = no_js.new_page()
    email = unique_email("nojs")
    register_patient(page, stack, full_name="Jonas Berg", email=email)

    page.get_by_label("Specialty").select_option(label="Cardiology")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Dr. Lena Weber").click()
    # No JavaScript, so no browser time zone: the page says it shows the clinic's.
    expect(page.locator(".week")).to_contain_text("This is the clinic's time zone.")
    later_week(page)
    chosen = first_free_time(page)
    slot_id = slot_id_of(chosen)
    chosen.click()

    page.get_by_label("Reason for your appointment").fill("Short of breath at night")
    form = {
        name: page.locator(f"main form input[name={name}]").input_value()
        for name in ("csrfmiddlewaretoken", "idempotency_key")
    } | {"reason": "Short of breath at night"}
    book_url = page.url
    page.get_by_role("button", name="Book appointment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Appointment booked")
    booked_url = page.url

    # The same form sent again (back, then Book appointment again) books nothing more.
    again = page.request.post(book_url, form=form)
    assert again.ok, again.status
    assert again.url == booked_url
    appointments = api.appointments(api.token(email))
    assert [a["slot_id"] for a in appointments] == [slot_id]

    assert download_calendar(page).startswith("BEGIN:VCALENDAR")

    page.get_by_role("link", name="My appointments").first.click()
    page.locator(".card__title a").click()
    page.get_by_role("link", name="Change time", exact=True).click()
    expect(page.locator(".week .slot--noted")).to_contain_text("Your current appointment")
    first_free_time(page).click()
    page.get_by_role("button", name="Confirm new time").click()
    expect(page.get_by_role("status")).to_contain_text("Appointment moved to")

    page.get_by_role("link", name="Cancel appointment").click()
    page.get_by_role("button", name="Yes, cancel appointment").click()
    expect(page.get_by_role("status")).to_contain_text("Appointment cancelled.")
    page.get_by_role("link", name="My appointments").first.click()
    page.get_by_role("link", name="Cancelled").click()
    expect(page.locator("#results")).to_have_text("1 cancelled appointment")
    cancelled = api.appointments(api.token(email), status="cancelled")
    assert len(cancelled) == 1
