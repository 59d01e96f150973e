"""Staff end a person's sign-ins in auth_service's admin: every service refuses their tokens soon.

A stack of its own (all five services, real processes), where each service process polls
auth_service's revocation list every second (REVOCATIONS_POLL_SECONDS=1, not 30).
"""

from __future__ import annotations

import datetime
import re
import time

import pytest
import requests
from conftest import unique_email
from helpers import PASSWORD, register, token_response
from stack import make_test_stack

NEW_PASSWORD = "a-brand-new-passphrase"
POLL_SECONDS = 1
WEBER = "2b2d6c70-9d5d-5544-a0f3-a2a8aee6ac4f"


@pytest.fixture(scope="module")
def accounts_stack(tmp_path_factory):
    stack = make_test_stack(
        tmp_path_factory.mktemp("accounts-stack"),
        ["auth_service", "user_service", "schedule_service", "appointment_service", "portal"],
        port_offset=1400,
    )
    stack.extra_env["REVOCATIONS_POLL_SECONDS"] = str(POLL_SECONDS)
    stack.start()
    yield stack
    stack.stop()


def _csrf(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def form_post(browser: requests.Session, url: str, data: dict, *, page_url: str | None = None):
    page = browser.get(page_url or url, timeout=10)
    assert page.status_code == 200, page.text[:300]
    return browser.post(
        url,
        data={"csrfmiddlewaretoken": _csrf(page.text), **data},
        headers={"Referer": page_url or url},
        timeout=15,
        allow_redirects=False,
    )


def register_patient(stack, http) -> tuple[str, str]:
    email = unique_email("pat")
    return email, register(stack, http, email=email, role="patient", full_name="Pat Ient")


def clinic_admin(stack) -> requests.Session:
    """A browser signed in to auth_service's own admin as a new clinic-admin."""
    email = unique_email("admin")
    stack.manage(
        "auth_service",
        "create_staff",
        "--email",
        email,
        "--password-env",
        "STAFF_PW",
        "--group",
        "clinic-admin",
        env={"STAFF_PW": PASSWORD},
    )
    browser = requests.Session()
    login = f"{stack.url('auth_service')}/admin/login/"
    answer = form_post(browser, login, {"username": email, "password": PASSWORD, "next": "/admin/"})
    assert answer.status_code == 302, answer.text[:500]
    return browser


def admin_action(stack, browser, action: str, user_id: str) -> requests.Response:
    users = f"{stack.url('auth_service')}/admin/accounts/user/"
    return form_post(browser, users, {"action": action, "_selected_action": user_id, "index": "0"})


def answers(stack, http, access: str) -> dict[str, int]:
    """What each API service answers to a request with ``access``."""
    headers = {"Authorization": f"Bearer {access}"}
    today = datetime.date.today().isoformat()
    urls = {
        "user_service": f"{stack.url('user_service')}/api/v1/profiles/me/",
        "schedule_service": f"{stack.url('schedule_service')}/api/v1/doctors/{WEBER}/slots/"
        f"?from={today}&to={today}",
        "appointment_service": f"{stack.url('appointment_service')}/api/v1/appointments/",
    }
    return {
        name: http.get(url, headers=headers, timeout=5).status_code for name, url in urls.items()
    }


def wait_until_refused_everywhere(stack, http, access: str, started: float) -> float:
    """Seconds from ``started`` until every service answers 401 to ``access`` (fails past 5 s).

    Each service runs two worker processes, each polling on its own: both must refuse.
    """
    deadline = started + POLL_SECONDS + 4
    while True:
        seen = [answers(stack, http, access) for _ in range(4)]
        if all(set(codes.values()) == {401} for codes in seen):
            return time.monotonic() - started
        assert time.monotonic() < deadline, seen
        time.sleep(0.1)


def test_a_deactivated_patients_token_is_refused_by_every_service_within_the_poll(
    accounts_stack, http
):
    stack = accounts_stack
    email, user_id = register_patient(stack, http)
    pair = token_response(stack, http, email).json()
    before = answers(stack, http, pair["access"])
    assert before == {"user_service": 200, "schedule_service": 200, "appointment_service": 200}
    portal = requests.Session()
    signed = form_post(
        portal, f"{stack.url('portal')}/sign-in", {"email": email, "password": PASSWORD}
    )
    assert signed.status_code == 302, signed.text[:300]
    assert portal.get(f"{stack.url('portal')}/appointments", timeout=10).status_code == 200
    admin = clinic_admin(stack)

    done = admin_action(stack, admin, "deactivate_accounts", user_id)
    started = time.monotonic()

    assert done.status_code == 302, done.text[:500]
    took = wait_until_refused_everywhere(stack, http, pair["access"], started)
    assert took < POLL_SECONDS + 3
    # Sign-in: the same 401 as a wrong password; refresh refused.
    refused, wrong = (
        token_response(stack, http, email),
        token_response(stack, http, email, "wrong-password-x"),
    )
    assert refused.status_code == wrong.status_code == 401
    assert refused.json()["detail"] == wrong.json()["detail"]
    refresh = http.post(
        f"{stack.url('auth_service')}/api/v1/auth/token/refresh",
        json={"refresh": pair["refresh"]},
        timeout=5,
    )
    assert refresh.status_code == 401
    # The portal's calls get 401 and its renewal is refused: the person is signed out.
    page = portal.get(f"{stack.url('portal')}/appointments", timeout=10, allow_redirects=False)
    assert page.status_code == 302
    assert page.headers["Location"].startswith("/sign-in")


def test_a_password_reset_ends_every_sign_in_and_the_portal_asks_for_a_new_password(
    accounts_stack, http
):
    stack = accounts_stack
    email, user_id = register_patient(stack, http)
    old = token_response(stack, http, email).json()
    admin = clinic_admin(stack)

    shown = admin_action(stack, admin, "reset_password", user_id)
    started = time.monotonic()

    assert shown.status_code == 200, shown.text[:500]
    temporary = re.search(r'id="temporary-password"[^>]*>([^<]+)<', shown.text).group(1)
    wait_until_refused_everywhere(stack, http, old["access"], started)
    refused = token_response(stack, http, email, temporary)
    assert refused.status_code == 403
    assert refused.json()["code"] == "password-change-required"

    portal = requests.Session()
    asked = form_post(
        portal, f"{stack.url('portal')}/sign-in", {"email": email, "password": temporary}
    )
    assert asked.status_code == 302
    assert asked.headers["Location"] == "/password/renew"
    renew_url = f"{stack.url('portal')}/password/renew"
    renewed = form_post(
        portal,
        renew_url,
        {"email": email, "temporary_password": temporary, "new_password": NEW_PASSWORD},
    )
    assert renewed.status_code == 302, renewed.text[:500]
    assert portal.get(f"{stack.url('portal')}/appointments", timeout=10).status_code == 200

    # The new password signs in over the API, and its token is not caught by the reset.
    fresh = token_response(stack, http, email, NEW_PASSWORD)
    assert fresh.status_code == 200
    time.sleep(POLL_SECONDS + 0.5)
    assert answers(stack, http, fresh.json()["access"]) == {
        "user_service": 200,
        "schedule_service": 200,
        "appointment_service": 200,
    }
    assert token_response(stack, http, email, temporary).status_code == 401
