"""Staff in the admins of user_service and schedule_service, over HTTP between real processes.

A stack of its own: the session re-check every second, a trusted proxy in front of
every service (so each request can come from a browser address of its choosing) and
auth_service locking an address after 30 failures, every admin after 20 of its own.
"""

from __future__ import annotations

import secrets

import pytest
import requests
from conftest import unique_email
from helpers import PASSWORD, token_response, wait_for
from stack import make_test_stack

ADMIN_LIMIT = 20
AUTH_ADDRESS_LIMIT = 30


@pytest.fixture(scope="module")
def admin_stack(tmp_path_factory):
    stack = make_test_stack(
        tmp_path_factory.mktemp("admin-stack"),
        ["auth_service", "user_service", "schedule_service"],
        port_offset=10,
    )
    stack.extra_env.update(
        {
            "ADMIN_RECHECK_SECONDS": "1",
            "TRUSTED_PROXY_COUNT": "1",
            "LOGIN_FAILURES_PER_ADDRESS": str(AUTH_ADDRESS_LIMIT),
            "ADMIN_LOGIN_FAILURES_PER_ADDRESS": str(ADMIN_LIMIT),
        }
    )
    stack.start()
    yield stack
    stack.stop()


def browser_address() -> str:
    """A fresh documentation address (RFC 3849): counters in a shared Redis never collide."""
    return f"2001:db8:{secrets.randbelow(0xFFFF):x}::{secrets.randbelow(0xFFFF):x}"


def make_staff(stack, *groups: str) -> str:
    email = unique_email("staff")
    args = ["create_staff", "--email", email, "--password-env", "STAFF_PW"]
    for group in groups:
        args += ["--group", group]
    stack.manage("auth_service", *args, env={"STAFF_PW": PASSWORD})
    return email


def auth_shell(stack, code: str) -> None:
    stack.manage("auth_service", "shell", "-c", code)


def admin_sign_in(
    stack, http, service: str, email: str, password: str = PASSWORD, *, address: str
) -> requests.Response:
    login = f"{stack.url(service)}/admin/login/"
    headers = {"X-Forwarded-For": address, "Referer": login}
    http.get(login, headers=headers, timeout=5)
    return http.post(
        login,
        data={
            "username": email,
            "password": password,
            "csrfmiddlewaretoken": http.cookies["csrftoken"],
            "next": "/admin/",
        },
        headers=headers,
        timeout=10,
    )


def signed_in(response: requests.Response) -> bool:
    return response.url.endswith("/admin/") and "Staff tools" in response.text


def sent_to_login(response: requests.Response) -> bool:
    return bool(response.history) and "/admin/login/" in response.history[0].headers["Location"]


def test_a_disabled_staff_member_is_refused_at_the_next_request(admin_stack, http):
    email = make_staff(admin_stack, "front-desk")
    assert signed_in(admin_sign_in(admin_stack, http, "user_service", email, address="::1"))
    patients = f"{admin_stack.url('user_service')}/admin/profiles/patient/"
    assert http.get(patients, timeout=5).status_code == 200
    # The session cookie is a key; the refresh token stays on the server.
    assert all(len(c.value) < 100 for c in http.cookies)

    auth_shell(
        admin_stack,
        "from auth_service.accounts.models import User; "
        f"User.objects.filter(email='{email}').update(is_active=False)",
    )
    # Refused at the first request after the re-check interval (ADMIN_RECHECK_SECONDS).
    refused = wait_for(
        lambda: http.get(patients, timeout=5), sent_to_login, what="the disabled staff member"
    )
    assert sent_to_login(refused), refused.url
    assert "Your admin session has ended" in refused.text
    # Signed out for good: the next request is not let in either.
    assert sent_to_login(http.get(f"{admin_stack.url('user_service')}/admin/", timeout=5))
    # And the password no longer opens any admin.
    with requests.Session() as other:
        again = admin_sign_in(admin_stack, other, "schedule_service", email, address="::1")
        assert not signed_in(again)


def test_group_changes_reach_an_open_session_at_the_next_recheck(admin_stack, http):
    email = make_staff(admin_stack, "front-desk")
    assert signed_in(admin_sign_in(admin_stack, http, "user_service", email, address="::1"))
    add_specialty = f"{admin_stack.url('user_service')}/admin/profiles/specialty/add/"
    assert http.get(add_specialty, timeout=5).status_code == 403

    set_groups = (
        "from auth_service.accounts.services import staff; "
        "from auth_service.accounts.models import User; "
        f"staff.staff_groups_set(user=User.objects.get(email='{email}'), groups={{groups}})"
    )
    auth_shell(admin_stack, set_groups.format(groups=["clinic-admin"]))
    promoted = wait_for(
        lambda: http.get(add_specialty, timeout=5),
        lambda response: response.status_code != 403,
        what="the promotion",
    )
    assert promoted.status_code == 200

    auth_shell(admin_stack, set_groups.format(groups=[]))
    wait_for(lambda: http.get(add_specialty, timeout=5), sent_to_login, what="no group: no admin")


def test_25_wrong_passwords_lock_only_that_address_in_that_admin(admin_stack, http):
    email = make_staff(admin_stack, "clinic-admin")
    attacker = browser_address()
    for _ in range(25):
        response = admin_sign_in(
            admin_stack, http, "user_service", unique_email("guess"), "wrong", address=attacker
        )
        assert not signed_in(response)
    assert "Too many failed sign-in attempts from your address" in response.text

    # The right password from that address is refused by user_service's admin ...
    with requests.Session() as same_place:
        locked = admin_sign_in(admin_stack, same_place, "user_service", email, address=attacker)
        assert not signed_in(locked)
        assert "Too many failed sign-in attempts from your address" in locked.text
    # ... not from another address, and not in another service's admin (auth_service counted
    # only the 20 attempts that reached it, fewer than its own limit for the address).
    with requests.Session() as elsewhere:
        assert signed_in(
            admin_sign_in(admin_stack, elsewhere, "user_service", email, address=browser_address())
        )
    with requests.Session() as other_admin:
        assert signed_in(
            admin_sign_in(admin_stack, other_admin, "schedule_service", email, address=attacker)
        )


def test_auth_service_counts_the_browsers_address_not_the_admins(admin_stack, http):
    email = make_staff(admin_stack, "read-only")
    browser = browser_address()
    # Half the address limit of auth_service through each admin: neither admin's own count
    # reaches its limit, but auth_service saw all of them come from one browser.
    for service in ("user_service", "schedule_service"):
        for _ in range(AUTH_ADDRESS_LIMIT // 2):
            admin_sign_in(admin_stack, http, service, unique_email("guess"), "x", address=browser)

    with requests.Session() as same_browser:
        locked = admin_sign_in(admin_stack, same_browser, "user_service", email, address=browser)
    assert not signed_in(locked)
    assert "for this account or from your address" in locked.text
    # Every admin talks to auth_service from 127.0.0.1: that address is not locked.
    with requests.Session() as other_browser:
        assert signed_in(
            admin_sign_in(
                admin_stack, other_browser, "user_service", email, address=browser_address()
            )
        )


def test_the_staff_endpoint_takes_service_tokens_with_the_scope_only(admin_stack, http):
    url = f"{admin_stack.url('auth_service')}/internal/v1/auth/staff-token"
    email = make_staff(admin_stack, "clinic-admin")
    body = {"email": email, "password": PASSWORD, "client_address": "192.0.2.1"}
    pair = token_response(admin_stack, http, email).json()
    secrets_file = admin_stack.secrets()
    other_audience_token = http.post(
        f"{admin_stack.url('auth_service')}/api/v1/auth/service-token",
        data={
            "grant_type": "client_credentials",
            "client_id": "schedule_service",
            "client_secret": secrets_file["schedule_service_client_secret"],
            "audience": "user_service",
        },
        timeout=10,
    ).json()["access_token"]

    as_user = http.post(url, json=body, headers=bearer(pair["access"]), timeout=10)
    wrong_audience = http.post(url, json=body, headers=bearer(other_audience_token), timeout=10)
    # schedule_service's account holds only profiles:read for user_service.
    no_scope = http.post(
        f"{admin_stack.url('auth_service')}/api/v1/auth/service-token",
        data={
            "grant_type": "client_credentials",
            "client_id": "schedule_service",
            "client_secret": secrets_file["schedule_service_client_secret"],
            "audience": "user_service",
            "scope": "staff:sign-in",
        },
        timeout=10,
    )

    # appointment_service's admin names people: profiles:read on user_service, nothing more.
    names = http.post(
        f"{admin_stack.url('auth_service')}/api/v1/auth/service-token",
        data={
            "grant_type": "client_credentials",
            "client_id": "appointment_service",
            "client_secret": secrets_file["appointment_service_client_secret"],
            "audience": "user_service",
        },
        timeout=10,
    )
    # user_service never calls schedule_service: its account holds no grant there.
    no_audience = http.post(
        f"{admin_stack.url('auth_service')}/api/v1/auth/service-token",
        data={
            "grant_type": "client_credentials",
            "client_id": "user_service",
            "client_secret": secrets_file["user_service_client_secret"],
            "audience": "schedule_service",
        },
        timeout=10,
    )

    assert names.status_code == 200, names.text
    assert names.json()["scope"] == "profiles:read"
    assert no_audience.status_code == 400
    assert no_audience.json()["code"] == "invalid-target"
    assert as_user.status_code == 403
    assert wrong_audience.status_code == 401
    assert no_scope.status_code == 400
    assert no_scope.json()["code"] == "invalid-scope"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
