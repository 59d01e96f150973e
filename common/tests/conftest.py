"""Fixtures of common's tests: the test signing key (common.testing) and a real local HTTP server."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from common.auth import get_key_provider
from common.http import default_token_provider
from common.request_id import set_request_id

pytest_plugins = ["common.testing"]


@dataclass
class Reply:
    """One scripted answer of ``LocalServer``."""

    status: int = 200
    json: Any = None
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Hit:
    """One request ``LocalServer`` received."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class LocalServer:
    """A real HTTP server on 127.0.0.1 (a random port) answering as a test scripts it.

    ``reply(path, *replies)`` queues answers for a path; the last one repeats.
    A reply may also be a callable taking the ``Hit`` and returning a ``Reply``.
    Unscripted paths get 404. Every request is recorded in ``hits``.
    """

    def __init__(self) -> None:
        self.hits: list[Hit] = []
        self._replies: dict[str, list[Reply | Callable[[Hit], Reply]]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        # A short poll interval makes stop() (shutdown) quick.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        self.running = True

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def reply(self, path: str, *replies: Reply | Callable[[Hit], Reply]) -> None:
        with self._lock:
            self._replies[path] = list(replies)

    def hits_to(self, path: str) -> list[Hit]:
        with self._lock:
            return [hit for hit in self.hits if hit.path == path]

    def stop(self) -> None:
        """Stop answering: later connections are refused, sleeping answers end."""
        if not self.running:
            return
        self.running = False
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def _next_reply(self, hit: Hit) -> Reply:
        with self._lock:
            self.hits.append(hit)
            queue = self._replies.get(hit.path)
            if not queue:
                return Reply(status=404, json={"detail": "not scripted"})
            reply = queue.pop(0) if len(queue) > 1 else queue[0]
        return reply(hit) if callable(reply) else reply

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                path, _, query = self.path.partition("?")
                hit = Hit(
                    method=self.command,
                    path=path,
                    query=query,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                reply = server._next_reply(hit)
                if reply.delay and server._stopping.wait(reply.delay):
                    return
                body = json.dumps(reply.json).encode() if reply.json is not None else reply.body
                try:
                    self.send_response(reply.status)
                    content_type = "application/json" if reply.json is not None else "text/plain"
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the client gave up (timeout): nothing to answer
                    pass

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

            def log_message(self, format, *args):  # noqa: A002 - quiet test output
                pass

        return Handler


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    server = LocalServer()
    yield server
    server.stop()


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
