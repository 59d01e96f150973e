"""A real HTTP server on 127.0.0.1 that answers as a test scripts it, for testing clients."""

from __future__ import annotations

import dataclasses
import http.server
import json
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs


@dataclasses.dataclass
class Reply:
    """One scripted answer: JSON (``json``) or raw bytes (``body``), after ``delay`` seconds."""

    status: int = 200
    json: Any = None
    body: bytes = b""
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    delay: float = 0.0
    content_type: str = "text/plain"

    def encoded(self) -> tuple[bytes, str]:
        """The bytes to send and their content type."""
        if self.json is not None:
            return json.dumps(self.json).encode(), "application/json"
        return self.body, self.content_type


@dataclasses.dataclass
class Hit:
    """One request the server received (header names in lower case)."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclasses.dataclass
class _Answer:
    query: dict[str, str]
    reply: Reply
    times: int | None  # None: every matching request


NOT_FOUND = Reply(status=404, json={"detail": "no route"})


class StubServer:
    """A real HTTP server on 127.0.0.1 (a random port) that answers from a script.

    Two ways to script it. ``route("POST", "/path", status=201, json={...},
    delay=0.0)`` sets a lasting answer for a method and path;
    ``query={"page_size": "1"}`` makes it answer only requests whose query has
    those parameters and ``times=1`` only that many requests (such routes win
    over plain ones, the latest first); ``body=b"..."`` with ``content_type``
    answers raw bytes instead of JSON. ``reply(path, *replies)`` queues
    ``Reply`` answers for a path whatever the method (the last one repeats; a
    reply may also be a callable taking the ``Hit`` and returning a ``Reply``);
    a queued path wins over routes. Anything else gets 404.

    ``requests`` records ``(method, path, headers, body)``, ``queries`` the
    query string and ``hits`` a ``Hit`` of each request. ``stop()`` refuses
    later connections and ends answers still waiting out their delay.
    """

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Reply] = {}
        self.query_routes: dict[tuple[str, str], list[_Answer]] = {}
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self.queries: list[str] = []
        self.hits: list[Hit] = []
        self.running = True
        self._replies: dict[str, list[Reply | Callable[[Hit], Reply]]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        # A short poll interval makes stop() (shutdown) quick.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def route(
        self,
        method: str,
        path: str,
        *,
        status: int = 200,
        json: Any = None,
        delay: float = 0.0,
        query: dict[str, Any] | None = None,
        times: int | None = None,
        body: bytes | None = None,
        content_type: str = "application/octet-stream",
    ) -> None:
        if body is not None:
            reply = Reply(status, body=body, content_type=content_type, delay=delay)
        else:
            reply = Reply(status, json=json if json is not None else {}, delay=delay)
        with self._lock:
            if query or times is not None:
                wanted = {k: str(v) for k, v in (query or {}).items()}
                answers = self.query_routes.setdefault((method, path), [])
                answers.insert(0, _Answer(wanted, reply, times))
            else:
                self.routes[(method, path)] = reply

    def reply(self, path: str, *replies: Reply | Callable[[Hit], Reply]) -> None:
        with self._lock:
            self._replies[path] = list(replies)

    def hits_to(self, path: str) -> list[Hit]:
        with self._lock:
            return [hit for hit in self.hits if hit.path == path]

    def stop(self) -> None:
        if not self.running:
            return
        self.running = False
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def answer(self, hit: Hit, raw_headers: dict[str, str]) -> Reply:
        """Record ``hit`` and pick its answer: a queued reply, a route, or 404."""
        with self._lock:
            self.requests.append((hit.method, hit.path, raw_headers, hit.body))
            self.queries.append(hit.query)
            self.hits.append(hit)
            queue = self._replies.get(hit.path)
            reply = self._queued(queue) if queue else self._routed(hit)
        return reply(hit) if callable(reply) else reply

    @staticmethod
    def _queued(queue: list[Reply | Callable[[Hit], Reply]]) -> Reply | Callable[[Hit], Reply]:
        """The next queued reply; the last one repeats."""
        return queue.pop(0) if len(queue) > 1 else queue[0]

    def _routed(self, hit: Hit) -> Reply:
        params = {k: v[-1] for k, v in parse_qs(hit.query, keep_blank_values=True).items()}
        for answer in self.query_routes.get((hit.method, hit.path), []):
            if answer.times == 0:
                continue
            if all(params.get(k) == v for k, v in answer.query.items()):
                if answer.times is not None:
                    answer.times -= 1
                return answer.reply
        return self.routes.get((hit.method, hit.path), NOT_FOUND)

    def wait_unless_stopped(self, delay: float) -> bool:
        """Wait ``delay`` seconds; False when the server was stopped meanwhile."""
        return not (delay and self._stopping.wait(delay))


def _handler_for(stub: StubServer) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            path, _, query = self.path.partition("?")
            raw_headers = dict(self.headers)
            hit = Hit(
                method=self.command,
                path=path,
                query=query,
                headers={k.lower(): v for k, v in raw_headers.items()},
                body=self.rfile.read(length) if length else b"",
            )
            reply = stub.answer(hit, raw_headers)
            if not stub.wait_unless_stopped(reply.delay):
                return
            data, content_type = reply.encoded()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the client gave up (timeout): nothing to answer
                pass

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        def log_message(self, *args: Any) -> None:
            pass

    return Handler
