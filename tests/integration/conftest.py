"""Start the real services as processes (production settings, compose's variables) for HTTP tests.

On CI (TEST_POSTGRES_URL and TEST_REDIS_URL set) each service gets a fresh
PostgreSQL database and auth_service counts login failures in Redis, as in
compose.yaml; elsewhere each gets a SQLite file.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
# scripts/ for the stack, tests/ for helpers.py (shared by the integration and browser tests).
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests"))

from stack import make_test_stack  # noqa: E402


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    stack = make_test_stack(tmp_path_factory.mktemp("stack"))
    # The portal renews a person's access token once it is 10 s old (not 9.5 minutes), so
    # that the renewal race of test_portal.py happens within a test.
    stack.extra_env["TOKEN_REFRESH_MARGIN_SECONDS"] = "590"
    # schedule_service asks again whether a pending doctor is approved after 1 s (not 30 s),
    # so that test_doctor_approval.py sees an approval at once.
    stack.extra_env["DOCTOR_APPROVAL_RECHECK_SECONDS"] = "1"
    stack.start()
    yield stack
    stack.stop()


@pytest.fixture
def http():
    with requests.Session() as session:
        yield session


def unique_email(prefix: str = "it") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"
