"""What goes wrong, in the browser: form errors, a time taken meanwhile, a service down, a 404."""

from __future__ import annotations

import re
import uuid

from conftest import (
    CARTER,
    axe_violations,
    serious,
    shot,
    sign_in,
    slot_id_of,
    title_of,
)
from playwright.sync_api import expect
from record_walkthroughs import first_free_time, later_week


def test_empty_sign_in_puts_the_error_summary_first_and_links_each_field(stack, page):
    page.goto(stack.url("portal") + "/sign-in")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Sign in").click()
    assert answer.value.status == 400

    expect(page).to_have_title(re.compile("^Error: Sign in – "))
    summary = page.locator("main > :first-child")
    expect(summary).to_have_class(re.compile(r"\berror-summary\b"))
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary.get_by_role("link")).to_have_text(
        ["Enter your email address", "Enter your password"]
    )
    email = page.get_by_label("Email address")
    expect(email).to_have_attribute("aria-invalid", "true")
    shot(page, "desktop-sign-in-errors")

    summary.get_by_role("link", name="Enter your email address").click()
    expect(email).to_be_focused()
    summary.get_by_role("link", name="Enter your password").click()
    expect(page.get_by_label("Password", exact=True)).to_be_focused()


def test_a_time_taken_meanwhile_offers_the_nearest_times_and_keeps_the_reason(stack, api, contexts):
    first = api.register(full_name="Alex First")
    second = api.token(api.register(full_name="Bea Second")["email"])
    page = contexts()
    sign_in(page, stack, first["email"])
    page.goto(stack.url("portal") + f"/doctors/{CARTER}")
    later_week(page)
    chosen = first_free_time(page)
    slot_id = slot_id_of(chosen)
    chosen.click()
    page.get_by_label("Reason for your appointment").fill("Cough for two weeks")

    api.book(second, slot_id, "Sore throat")  # someone else is quicker
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Book appointment").click()
    assert answer.value.status == 409

    expect(page).to_have_title(title_of("That time has just been booked"))
    expect(page.get_by_role("main")).to_contain_text("We kept your reason.")
    nearby = page.locator("main .slots a.slot")
    assert 1 <= nearby.count() <= 6
    expect(page.locator(f"main a[href$='{slot_id}']")).to_have_count(0)
    shot(page, "desktop-time-taken")

    nearby.first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check and book your appointment")
    expect(page.get_by_label("Reason for your appointment")).to_have_value("Cough for two weeks")
    page.get_by_role("button", name="Book appointment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Appointment booked")
    expect(page.locator(".summary-list")).to_contain_text("Cough for two weeks")


def test_a_service_down_shows_the_503_page_and_try_again_works_once_it_is_back(
    stack, api, contexts
):
    email = api.register(full_name="Chris Waiting")["email"]
    page = contexts(bypass_csp=True)  # for axe-core on the 503 page
    sign_in(page, stack, email)

    stack.stop_service("appointment_service")
    try:
        answer = page.goto(stack.url("portal") + "/appointments")
        assert answer.status == 503
        assert answer.headers.get("retry-after")
        expect(page).to_have_title(title_of("Sorry, booking is not working right now"))
        expect(page.get_by_role("main")).to_contain_text("Your appointments are safe.")
        shot(page, "desktop-503")
        worst = serious(axe_violations(page), page_label="service-down")
        assert not worst, worst
    finally:
        stack.start_service("appointment_service")

    with page.expect_navigation() as again:
        page.get_by_role("link", name="Try again").click()
    assert again.value.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("My appointments")


def test_another_patients_appointment_is_not_found(stack, api, page):
    owner = api.token(api.register(full_name="Olga Owner")["email"])
    slot = api.free_slots(owner, CARTER)[-1]
    appointment = api.book(owner, slot["id"], "A private matter")
    sign_in(page, stack, api.register(full_name="Ivan Other")["email"])

    base = stack.url("portal") + f"/appointments/{appointment['id']}"
    for path in ("", "/booked", "/reason", "/reschedule", "/cancel", "/calendar.ics"):
        answer = page.goto(base + path)
        assert answer.status == 404, path
        expect(page).to_have_title(title_of("Page not found"))
        expect(page.get_by_role("main")).not_to_contain_text("A private matter")
    shot(page, "desktop-404")
    answer = page.goto(stack.url("portal") + f"/appointments/{uuid.uuid4()}")
    assert answer.status == 404
