"""The portal against the real services: forms over HTTP, one booking per form, renewal races."""

from __future__ import annotations

import re
import threading
import time

import requests
from conftest import unique_email
from helpers import DEMO_PASSWORD, DEMO_PATIENT, PASSWORD, appointments, assert_no_orphans, sign_in

WEBER = "2b2d6c70-9d5d-5544-a0f3-a2a8aee6ac4f"


def _csrf(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def _form_post(browser: requests.Session, url: str, data: dict) -> requests.Response:
    page = browser.get(url, timeout=10)
    assert page.status_code == 200, page.text[:300]
    return browser.post(
        url,
        data={"csrfmiddlewaretoken": _csrf(page.text), **data},
        headers={"Referer": url},
        timeout=15,
        allow_redirects=False,
    )


def _portal_sign_in(stack, email: str) -> requests.Session:
    browser = requests.Session()
    answer = _form_post(
        browser, f"{stack.url('portal')}/sign-in", {"email": email, "password": DEMO_PASSWORD}
    )
    assert answer.status_code == 302, answer.text[:300]
    return browser


def test_a_patient_registers_and_books_once_however_often_the_form_is_sent(stack, http):
    portal = stack.url("portal")
    browser = requests.Session()
    email = unique_email("portal")
    created = _form_post(
        browser,
        f"{portal}/register",
        {"full_name": "Pat Portal", "email": email, "password": PASSWORD},
    )
    assert created.status_code == 302, created.text[:500]

    week = browser.get(f"{portal}/doctors/{WEBER}", timeout=10).text
    if "/book/" not in week:  # late in the week: the next one has times
        next_week = re.search(r'href="(\?week=[0-9-]+)#slots">Next week', week).group(1)
        week = browser.get(f"{portal}/doctors/{WEBER}{next_week}", timeout=10).text
    slot_path = re.search(r'href="(/book/[0-9a-f-]+)"', week).group(1)
    form_page = browser.get(portal + slot_path, timeout=10).text
    form = {
        "csrfmiddlewaretoken": _csrf(form_page),
        "idempotency_key": re.search(r'name="idempotency_key" value="([^"]+)"', form_page).group(1),
        "reason": "Palpitations at night",
    }

    # The same rendered form sent three times at once, and once more later.
    answers: list[requests.Response] = []

    def send() -> None:
        answers.append(
            browser.post(
                portal + slot_path,
                data=form,
                headers={"Referer": portal + slot_path},
                timeout=20,
                allow_redirects=False,
            )
        )

    threads = [threading.Thread(target=send) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    send()

    locations = {a.headers.get("Location") for a in answers if a.status_code == 302}
    assert len(locations) == 1, [(a.status_code, a.text[:200]) for a in answers]
    booked = browser.get(portal + locations.pop(), timeout=10)
    assert "Appointment booked" in booked.text
    headers = sign_in(stack, http, email)
    mine = appointments(stack, http, headers, status="upcoming")
    assert [a["reason"] for a in mine] == ["Palpitations at night"]
    weber = sign_in(stack, http, "lena.weber@demo.clinic", DEMO_PASSWORD)
    assert_no_orphans(stack, http, WEBER, weber)


def test_requests_renewing_one_sign_in_at_once_keep_it_alive(stack):
    """auth_service ends a sign-in whose refresh token is used twice; the portal must not."""
    browser = _portal_sign_in(stack, "chloe.martin@demo.clinic")
    portal = stack.url("portal")
    time.sleep(11)  # the access token is now inside the renewal margin (see conftest)

    answers: list[int] = []
    barrier = threading.Barrier(6)

    def load() -> None:
        barrier.wait()
        answers.append(
            browser.get(f"{portal}/appointments", timeout=20, allow_redirects=False).status_code
        )

    threads = [threading.Thread(target=load) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == [200] * 6
    again = browser.get(f"{portal}/appointments", timeout=10, allow_redirects=False)
    assert again.status_code == 200  # still signed in: the token family was not revoked


def test_another_patients_appointment_is_not_found_in_the_portal(stack, http):
    headers = sign_in(stack, http, DEMO_PATIENT, DEMO_PASSWORD)
    slots = http.get(
        f"{stack.url('schedule_service')}/api/v1/doctors/{WEBER}/slots/",
        params={"page_size": 50},
        headers=headers,
        timeout=10,
    ).json()["results"]
    booked = http.post(
        f"{stack.url('appointment_service')}/api/v1/appointments/",
        json={"slot_id": slots[-1]["id"], "reason": "Private matter"},
        headers=headers,
        timeout=15,
    )
    assert booked.status_code == 201, booked.text
    other = _portal_sign_in(stack, "ben.okafor@demo.clinic")

    page = other.get(f"{stack.url('portal')}/appointments/{booked.json()['id']}", timeout=10)

    assert page.status_code == 404
    assert "Private matter" not in page.text
