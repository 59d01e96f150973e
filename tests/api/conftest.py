"""One stack for the API contract tests: the Postman collection (newman) and the fuzzer.

The services start as processes with production settings and compose's variables, as for
tests/integration (on CI each gets a fresh PostgreSQL database, and Redis is the cache).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
# scripts/ for the stack, tests/ for helpers.py (shared with the integration tests).
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests"))

from stack import make_test_stack  # noqa: E402


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    stack = make_test_stack(tmp_path_factory.mktemp("stack"))
    # Every request of a run comes from 127.0.0.1: rate limits must not answer 429 in the
    # middle of a contract test (their 429s are tested in tests/integration).
    stack.extra_env.update(
        {
            "THROTTLE_BOOKING": "100000/hour",
            "THROTTLE_RESCHEDULE": "100000/hour",
            "THROTTLE_CANCEL": "100000/hour",
            "THROTTLE_SERVICE_TOKEN": "100000/minute",
        }
    )
    stack.start()
    yield stack
    stack.stop()


@pytest.fixture
def http():
    with requests.Session() as session:
        yield session
