"""A registration whose profile call times out: no active account, then reconciliation makes
account and profile agree (both, or neither), over HTTP between real processes.

user_service is frozen (SIGSTOP): auth_service's call is accepted and never answered in time
(SERVICE_HTTP_READ_TIMEOUT is 2 s), and user_service makes the profile once it thaws.
"""

from __future__ import annotations

import time

import pytest
from conftest import unique_email
from helpers import (
    DEMO_PASSWORD,
    DEMO_PATIENT,
    register_response,
    service_auth,
    sign_in,
    token_response,
)
from stack import make_test_stack

ANA_LIMA = "bf0c1aba-5b77-5a3f-99d5-e9ec6ff00f5e"  # demo/demo_data.json


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    # Ports of its own: offsets 100-800 are taken by other stacks (tests, bench, walkthroughs).
    stack = make_test_stack(
        tmp_path_factory.mktemp("registration"), ["auth_service", "user_service"], port_offset=900
    )
    stack.start()
    yield stack
    stack.stop()


def _register(stack, http, email):
    return register_response(
        stack, http, timeout=30, email=email, role="patient", full_name="Tim Eout"
    )


def _sign_in_status(stack, http, email) -> int:
    return token_response(stack, http, email).status_code


def _profile_status(stack, http, user_id) -> int:
    return http.get(
        f"{stack.url('user_service')}/internal/v1/profiles/{user_id}/",
        headers=service_auth(stack, http, audience="user_service"),
        timeout=10,
    ).status_code


def _registered_while_frozen(stack, http, email) -> str:
    """Register while user_service hangs; return the account id, once the late profile is made."""
    stack.freeze("user_service")
    try:
        started = time.monotonic()
        response = _register(stack, http, email)
        took = time.monotonic() - started
    finally:
        stack.thaw("user_service")
    assert response.status_code == 503, response.text
    assert response.json()["code"] == "dependency-unavailable"
    assert "could not be confirmed" in response.json()["detail"]
    assert took < 6, f"took {took:.1f}s"
    assert _sign_in_status(stack, http, email) == 401  # pending: no active account
    user_id = _account_id(stack, email)
    deadline = time.monotonic() + 15
    while _profile_status(stack, http, user_id) != 200:  # the timed-out call did make it
        assert time.monotonic() < deadline, "the late profile never appeared"
        time.sleep(0.3)
    return user_id


def _account_id(stack, email) -> str:
    """The id of the (pending) account of ``email``, read from auth_service's database."""
    out = stack.state_dir / f"{email}.id"
    stack.manage(
        "auth_service",
        "shell",
        "-c",
        "from pathlib import Path; from auth_service.accounts.models import User; "
        f"Path({str(out)!r}).write_text(str(User.objects.get(email={email!r}).id))",
    )
    return out.read_text()


def test_a_timed_out_registration_is_completed_by_reconciliation(stack, http):
    email = unique_email("timeout")
    user_id = _registered_while_frozen(stack, http, email)

    # A young registration is left alone.
    stack.manage("auth_service", "reconcile_registrations")
    assert _sign_in_status(stack, http, email) == 401
    assert _profile_status(stack, http, user_id) == 200

    stack.manage("auth_service", "reconcile_registrations", "--older-than", "0")
    auth = sign_in(stack, http, email)
    me = http.get(f"{stack.url('user_service')}/api/v1/profiles/me/", headers=auth, timeout=10)
    assert me.status_code == 200, me.text
    assert me.json()["id"] == user_id


def test_sending_the_registration_again_completes_it_at_once(stack, http):
    email = unique_email("again")
    user_id = _registered_while_frozen(stack, http, email)
    again = _register(stack, http, email)
    assert again.status_code == 201, again.text
    assert again.json()["id"] == user_id
    assert _sign_in_status(stack, http, email) == 200


def test_a_profile_whose_account_is_gone_is_deleted_by_reconciliation(stack, http):
    email = unique_email("orphan")
    user_id = _registered_while_frozen(stack, http, email)
    # The account goes (as the old registration code did on any failure): the profile is left.
    stack.manage(
        "auth_service",
        "shell",
        "-c",
        "from auth_service.accounts.models import User; "
        f"User.objects.filter(email={email!r}).delete()",
    )
    stack.manage("auth_service", "reconcile_registrations", "--older-than", "0")
    assert _profile_status(stack, http, user_id) == 404
    # Profiles of existing accounts stay; the email is free again.
    assert _profile_status(stack, http, ANA_LIMA) == 200
    assert sign_in(stack, http, DEMO_PATIENT, DEMO_PASSWORD)
    assert _register(stack, http, email).status_code == 201
