"""Registration while user_service is down leaves no account and answers 503 quickly."""

from __future__ import annotations

import time

import pytest
from conftest import unique_email
from helpers import register_response, token_response
from stack import make_test_stack


@pytest.fixture(scope="module")
def auth_only(tmp_path_factory):
    stack = make_test_stack(
        tmp_path_factory.mktemp("stack"), ["auth_service", "user_service"], port_offset=100
    )
    stack.start()
    yield stack
    stack.stop()


def test_registration_with_user_service_down_is_503_and_leaves_no_account(auth_only, http):
    stack = auth_only
    stack.stop_service("user_service")
    email = unique_email("down")
    body = {"email": email, "role": "patient", "full_name": "Down Time"}
    started = time.monotonic()
    response = register_response(stack, http, timeout=15, **body)
    elapsed = time.monotonic() - started
    assert response.status_code == 503, response.text
    assert response.json()["code"] == "dependency-unavailable"
    assert elapsed < 5, f"took {elapsed:.1f}s"
    login = token_response(stack, http, email)
    assert login.status_code == 401

    # user_service comes back: the same registration now succeeds (the email was not kept).
    stack.start_service("user_service")
    again = register_response(stack, http, timeout=15, **body)
    assert again.status_code == 201, again.text
