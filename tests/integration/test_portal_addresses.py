"""Through the portal, each browser is throttled by its own address, not the portal's."""

from __future__ import annotations

import random
import re

import pytest
import requests
from helpers import DEMO_PASSWORD
from stack import make_test_stack

LIMIT = 3


@pytest.fixture(scope="module")
def clinic(tmp_path_factory):
    """auth_service, user_service and the portal, behind one trusted proxy, with a low limit."""
    stack = make_test_stack(
        tmp_path_factory.mktemp("addresses"),
        ["auth_service", "user_service", "portal"],
        port_offset=1100,
    )
    stack.extra_env |= {"LOGIN_FAILURES_PER_ADDRESS": str(LIMIT), "TRUSTED_PROXY_COUNT": "1"}
    stack.start()
    yield stack
    stack.stop()


def _sign_in(stack, *, browser_address: str, email: str, password: str) -> requests.Response:
    """Sign in through the portal's form, as a browser whose proxy says ``browser_address``."""
    url = f"{stack.url('portal')}/sign-in"
    headers = {"X-Forwarded-For": browser_address, "Referer": url}
    with requests.Session() as browser:
        page = browser.get(url, headers=headers, timeout=10)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        return browser.post(
            url,
            data={"csrfmiddlewaretoken": token, "email": email, "password": password},
            headers=headers,
            timeout=15,
            allow_redirects=False,
        )


def _address() -> str:
    """A fresh address (198.18.0.0/15), so that counts left in a shared Redis do not matter."""
    return f"198.{random.randint(18, 19)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


def test_wrong_passwords_from_one_browser_lock_out_only_that_browser(clinic):
    guesser, other_browser = _address(), _address()
    guesses = [
        _sign_in(
            clinic,
            browser_address=guesser,
            email=f"guess{n}@example.com",
            password="not-the-password",
        )
        for n in range(LIMIT + 1)
    ]
    other = _sign_in(
        clinic, browser_address=other_browser, email="ana.lima@demo.clinic", password=DEMO_PASSWORD
    )

    assert [g.status_code for g in guesses] == [400] * LIMIT + [429]
    assert "You have tried to sign in too many times" in guesses[-1].text
    assert other.status_code == 302, other.text[:500]
