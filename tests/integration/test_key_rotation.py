"""Rotating the signing key while auth_service and user_service run: no restart, no refused request.

The README's steps, run as separate processes against the running services'
key folder: ``signing_keys generate``, wait, ``signing_keys activate``, and at
last ``signing_keys retire``. Meanwhile a client keeps signing in, rotating
and calling both services; not one of its requests may be refused.
"""

from __future__ import annotations

import re
import subprocess
import threading
import time

import jwt
import pytest
import requests
from helpers import DEMO_PASSWORD, DEMO_PATIENT, access_token, token_pair, token_response
from stack import PYTHON, ROOT, make_test_stack

# user_service refetches the JWKS on an unknown kid at most every 10 s
# (common.auth.JWKSClient): a key published longer ago than that is safe to sign with.
ACTIVATE_AFTER = 12


@pytest.fixture(scope="module")
def rotation_stack(tmp_path_factory):
    stack = make_test_stack(
        tmp_path_factory.mktemp("stack"), ["auth_service", "user_service"], port_offset=800
    )
    stack.start()
    yield stack
    stack.stop()


def signing_keys(stack, *args: str) -> subprocess.CompletedProcess:
    """``manage.py signing_keys ...`` in a process of its own, on the services' key folder."""
    return subprocess.run(
        [PYTHON, "manage.py", "signing_keys", *args],
        cwd=ROOT / "auth_service",
        env={**stack.env("auth_service"), "JWT_KEY_ACTIVATE_AFTER_SECONDS": str(ACTIVATE_AFTER)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def kid_of(token: str) -> str:
    return jwt.get_unverified_header(token)["kid"]


def published(stack, http) -> set[str]:
    response = http.get(f"{stack.url('auth_service')}/.well-known/jwks.json", timeout=5)
    assert response.status_code == 200
    return {key["kid"] for key in response.json()["keys"]}


def accepted_everywhere(stack, http, access: str) -> list[tuple[str, int]]:
    """Use an access token on both services; return the (service, status) of each call."""
    headers = {"Authorization": f"Bearer {access}"}
    me = http.get(f"{stack.url('auth_service')}/api/v1/auth/me", headers=headers, timeout=10)
    profile = http.get(
        f"{stack.url('user_service')}/api/v1/profiles/me/", headers=headers, timeout=10
    )
    return [("auth_service", me.status_code), ("user_service", profile.status_code)]


class Traffic(threading.Thread):
    """A client that signs in, calls both services and rotates its refresh token, nonstop."""

    def __init__(self, stack):
        super().__init__(daemon=True)
        self.stack = stack
        self.halt = threading.Event()
        self.calls = 0
        self.refused: list[tuple[str, int, str]] = []
        self.kids: set[str] = set()

    def note(self, what: str, response) -> None:
        self.calls += 1
        if response.status_code != 200:
            self.refused.append((what, response.status_code, response.text[:200]))

    def run(self) -> None:
        url = self.stack.url
        with requests.Session() as http:
            while not self.halt.is_set():
                try:
                    signed_in = token_response(self.stack, http, DEMO_PATIENT, DEMO_PASSWORD)
                    self.note("sign-in", signed_in)
                    if signed_in.status_code != 200:
                        continue
                    pair = signed_in.json()
                    rotated = http.post(
                        f"{url('auth_service')}/api/v1/auth/token/refresh",
                        json={"refresh": pair["refresh"]},
                        timeout=10,
                    )
                    self.note("refresh", rotated)
                    for access in (pair["access"], rotated.json().get("access")):
                        if not access:
                            continue
                        self.kids.add(kid_of(access))
                        headers = {"Authorization": f"Bearer {access}"}
                        for service, path in (
                            ("auth_service", "/api/v1/auth/me"),
                            ("user_service", "/api/v1/profiles/me/"),
                        ):
                            self.note(
                                service, http.get(url(service) + path, headers=headers, timeout=10)
                            )
                except requests.RequestException as exc:  # a refused connection is a failure too
                    self.refused.append(("connection", 0, str(exc)))


def wait_for(condition, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def every_worker(condition, *, answers: int = 6):
    """A condition that holds only when ``answers`` calls in a row say so.

    Each gunicorn worker of auth_service looks at the key folder on its own
    (at most a second apart), so one answer speaks for one worker only.
    """
    return lambda: all(condition() for _ in range(answers))


def test_the_signing_key_rotates_without_restart_and_no_request_is_refused(rotation_stack, http):
    stack = rotation_stack
    pids = {service: process.pid for service, process in stack.processes.items()}
    before = token_pair(stack, http, DEMO_PATIENT, DEMO_PASSWORD)
    old = kid_of(before["access"])
    assert published(stack, http) == {old}
    assert accepted_everywhere(stack, http, before["access"]) == [
        ("auth_service", 200),
        ("user_service", 200),
    ]
    traffic = Traffic(stack)
    traffic.start()
    try:
        # 1. Generate: the running auth_service publishes the new key, and signs nothing with it.
        generated = signing_keys(stack, "generate")
        assert generated.returncode == 0, generated.stderr
        new = re.search(r"Generated key (\S+)", generated.stdout).group(1)
        wait_for(
            every_worker(lambda: new in published(stack, http)),
            timeout=10,
            what="the new key in JWKS",
        )
        published_at = time.monotonic()
        assert published(stack, http) == {old, new}
        assert kid_of(access_token(stack, http, DEMO_PATIENT, DEMO_PASSWORD)) == old

        # 2. Activate: refused while other services may not know the key yet ...
        early = signing_keys(stack, "activate", "--", new)
        assert early.returncode != 0
        assert "Try again in" in early.stderr
        assert kid_of(access_token(stack, http, DEMO_PATIENT, DEMO_PASSWORD)) == old
        # ... and taken once it has been published long enough.
        time.sleep(max(0.0, ACTIVATE_AFTER + 1 - (time.monotonic() - published_at)))
        activated = signing_keys(stack, "activate", "--", new)
        assert activated.returncode == 0, activated.stderr
        wait_for(
            every_worker(
                lambda: kid_of(access_token(stack, http, DEMO_PATIENT, DEMO_PASSWORD)) == new
            ),
            timeout=10,
            what="tokens signed with the new key",
        )
        after = token_pair(stack, http, DEMO_PATIENT, DEMO_PASSWORD)
        # New tokens are accepted by the other service at once, and so are the old ones.
        assert accepted_everywhere(stack, http, after["access"]) == [
            ("auth_service", 200),
            ("user_service", 200),
        ]
        assert accepted_everywhere(stack, http, before["access"]) == [
            ("auth_service", 200),
            ("user_service", 200),
        ]
        rotated = http.post(
            f"{stack.url('auth_service')}/api/v1/auth/token/refresh",
            json={"refresh": before["refresh"]},
            timeout=10,
        )
        assert rotated.status_code == 200, rotated.text
        assert kid_of(rotated.json()["refresh"]) == new
        time.sleep(2)  # more traffic on the new key
    finally:
        traffic.halt.set()
        traffic.join(timeout=30)
    assert traffic.refused == [], traffic.refused
    assert traffic.calls > 20
    assert traffic.kids == {old, new}

    # 3. Retire the old key (once its tokens have expired): no longer published.
    listed = signing_keys(stack, "list")
    assert f"{new}  active" in listed.stdout and f"{old}  published" in listed.stdout
    retired = signing_keys(stack, "retire", "--", old)
    assert retired.returncode == 0, retired.stderr
    wait_for(
        every_worker(lambda: published(stack, http) == {new}), timeout=10, what="the old key to go"
    )
    assert accepted_everywhere(stack, http, after["access"])[0] == ("auth_service", 200)

    # All of it without a restart.
    assert {service: process.pid for service, process in stack.processes.items()} == pids
    assert all(process.poll() is None for process in stack.processes.values())
