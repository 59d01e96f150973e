"""Fixtures of common's tests: the test signing key (common.testing) and a real local HTTP server."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

from common.auth import get_key_provider
from common.http import default_token_provider
from common.request_id import set_request_id

if TYPE_CHECKING:
    from common.testing import StubServer

pytest_plugins = ["common.testing"]


@pytest.fixture
def local_server(stub_server: StubServer) -> StubServer:
    """A real local HTTP server the test scripts (``reply``) and reads (``hits``)."""
    return stub_server


@pytest.fixture
def dead_url() -> str:
    """The URL of a local port nobody listens on (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def fresh_key_provider() -> Iterator[None]:
    """Forget the process's cached key provider before and after a test that changes it."""
    get_key_provider.cache_clear()
    yield
    get_key_provider.cache_clear()


@pytest.fixture
def fresh_token_provider() -> Iterator[None]:
    """Forget the process's cached service-token provider before and after the test."""
    default_token_provider.cache_clear()
    yield
    default_token_provider.cache_clear()


@pytest.fixture
def request_id() -> Iterator[Callable[[str | None], None]]:
    """``request_id(value)`` binds a request id for the test; unbound afterwards."""
    yield set_request_id
    set_request_id(None)
