"""What a person sees: the portal, Swagger UI with a real token, and the admin with the staff account."""

from __future__ import annotations

import re

import requests
from conftest import shot
from helpers import DEMO_PASSWORD, DEMO_PATIENT, DEMO_STAFF, access_token, sign_in
from playwright.sync_api import expect


def test_portal_landing_page(stack, page):
    page.goto(stack.url("portal") + "/")
    expect(page).to_have_title("Book a doctor's appointment – Clinic booking")
    expect(page.get_by_role("heading", level=1)).to_have_text("Book a doctor's appointment")
    expect(page.get_by_role("main").get_by_role("link", name="Find a doctor")).to_be_visible()
    expect(page.get_by_role("link", name="Doctors and profiles API")).to_have_attribute(
        "href", stack.url("user_service") + "/api/docs/"
    )
    shot(page, "portal-home")


def test_swagger_ui_authorize_and_try_me(stack, page):
    token = access_token(stack, requests, DEMO_PATIENT, DEMO_PASSWORD)
    failed = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto(stack.url("auth_service") + "/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible(timeout=15000)
    assert not failed, failed  # every asset came from the service itself

    page.get_by_role("button", name=re.compile("Authorize")).first.click()
    page.locator(".modal-ux input[type=text]").first.fill(token)
    page.locator(".modal-ux .auth-btn-wrapper button.authorize").click()
    expect(page.locator(".modal-ux")).to_contain_text("Authorized")
    page.locator(".modal-ux button.btn-done").click()

    me = page.locator(".opblock", has=page.locator("[data-path='/api/v1/auth/me']"))
    me.locator(".opblock-summary").click()
    me.get_by_role("button", name="Try it out").click()
    me.get_by_role("button", name="Execute").click()
    expect(me.locator(".live-responses-table tbody .response-col_status").first).to_have_text(
        "200", timeout=10000
    )
    expect(me.locator(".live-responses-table .highlight-code").first).to_contain_text(DEMO_PATIENT)
    shot(page, "swagger-auth-me")


def test_staff_signs_in_to_the_user_service_admin_and_finds_a_doctor(stack, page):
    page.goto(stack.url("user_service") + "/admin/")
    page.get_by_label("Username").fill(DEMO_STAFF)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Staff tools")).to_be_visible()
    page.get_by_role("link", name="Doctors").first.click()
    page.locator("#searchbar").fill("Weber")
    page.locator("#searchbar").press("Enter")
    expect(page.locator("#result_list")).to_contain_text("Dr. Lena Weber")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    shot(page, "admin-doctors-search")


def test_patient_credentials_do_not_open_the_admin(stack, page):
    page.goto(stack.url("auth_service") + "/admin/")
    page.get_by_label("Email").fill(DEMO_PATIENT)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".errornote")).to_be_visible()
    shot(page, "admin-refused")


def test_staff_sees_an_appointments_history_in_the_admin(stack, page):
    patient = sign_in(stack, requests, "chloe.martin@demo.clinic", DEMO_PASSWORD)
    weber = "2b2d6c70-9d5d-5544-a0f3-a2a8aee6ac4f"
    slots = requests.get(
        f"{stack.url('schedule_service')}/api/v1/doctors/{weber}/slots/",
        params={"page_size": 5},
        headers=patient,
        timeout=10,
    ).json()["results"]
    booked = requests.post(
        f"{stack.url('appointment_service')}/api/v1/appointments/",
        json={"slot_id": slots[0]["id"], "reason": "Palpitations"},
        headers=patient,
        timeout=15,
    )
    assert booked.status_code == 201, booked.text
    appointment_id = booked.json()["id"]
    requests.post(
        f"{stack.url('appointment_service')}/api/v1/appointments/{appointment_id}/cancel",
        json={"reason": "Back from holiday later"},
        headers=patient,
        timeout=15,
    ).raise_for_status()

    page.goto(stack.url("appointment_service") + "/admin/")
    page.get_by_label("Username").fill(DEMO_STAFF)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(
        stack.url("appointment_service")
        + f"/admin/appointments/appointment/{appointment_id}/change/"
    )
    history = page.locator(".inline-group")
    # A booking writes one history row, "Booked"; the cancellation another.
    expect(history).to_contain_text("Booked")
    expect(history).to_contain_text("Cancelled")
    expect(history).not_to_contain_text("Created")
    shot(page, "admin-appointment-history")
