"""Infrastructure of one's own for fault tests: a PostgreSQL cluster, a Redis server, load threads.

``PostgresCluster`` (scripts/pgcluster.py's, durability off) and ``RedisServer`` are throwaway servers on free ports
that a test may stop, start and abuse (``pg_terminate_backend``) without
touching anything shared. ``Load`` runs request loops in threads (one
``requests.Session`` each) and keeps every ``Answer`` with its timing, so a
test can sort answers by when they were asked relative to a fault.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pgcluster
import redis
import requests
from pgcluster import free_port

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"

PROBLEM_CONTENT_TYPE = "application/problem+json"


def wait_until(condition: Callable[[], Any], *, timeout: float, interval: float = 0.1, what=""):
    """Poll ``condition`` until it returns something truthy (returned); AssertionError at timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"not within {timeout:.1f}s: {what or condition}")
        time.sleep(interval)


class PostgresCluster(pgcluster.PostgresCluster):
    """scripts/pgcluster.py's cluster, with durability off: these tests stop and abuse it."""

    def __init__(self, *, port: int | None = None):
        super().__init__(port=port, settings={"fsync": "off", "synchronous_commit": "off"})


class RedisServer:
    """A ``redis-server`` of one's own: no persistence, 127.0.0.1 and a free port."""

    def __init__(self, log_dir: Path, *, port: int | None = None):
        self.port = port or free_port()
        self.log = log_dir / "redis.log"
        self._process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2)

    def start(self) -> None:
        """Start the server and return once it answers PING."""
        with open(self.log, "ab") as log:
            self._process = subprocess.Popen(
                [
                    REDIS_SERVER,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_until(self._answers, timeout=10, what=f"redis-server on {self.port} answers PING")

    def _answers(self) -> bool:
        if self._process is not None and self._process.poll() is not None:
            raise RuntimeError(f"redis-server exited with {self._process.returncode}: {self.log}")
        try:
            with self.client() as client:
                return bool(client.ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        """Stop the server (SIGTERM) and return once it has exited."""
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def key_count(self) -> int:
        with self.client() as client:
            return int(client.dbsize())


@dataclass(frozen=True)
class Answer:
    """One HTTP exchange: what was asked, the status (0: no answer at all) and when.

    ``headers`` has lower-case names.
    """

    label: str
    status: int
    started: float
    ended: float
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def took(self) -> float:
        return self.ended - self.started

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def problem(self) -> dict | None:
        """The problem document of the answer, None when it is no application/problem+json."""
        if not self.headers.get("content-type", "").startswith(PROBLEM_CONTENT_TYPE):
            return None
        try:
            body = json.loads(self.body)
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def __str__(self) -> str:
        return f"{self.label} -> {self.status} in {self.took:.2f}s: {self.body[:300]}"


def call(session: requests.Session, method: str, url: str, *, label: str = "", **kwargs) -> Answer:
    """Send one request (15 s timeout unless given) and return its ``Answer``; never raises."""
    kwargs.setdefault("timeout", 15)
    started = time.monotonic()
    try:
        response = session.request(method, url, **kwargs)
    except requests.RequestException as exc:
        return Answer(label or f"{method} {url}", 0, started, time.monotonic(), repr(exc))
    return Answer(
        label or f"{method} {url}",
        response.status_code,
        started,
        time.monotonic(),
        response.text[:4000],
        {name.lower(): value for name, value in response.headers.items()},
    )


def describe(answers: Iterable[Answer], *, unexpected: Iterable[Answer] = ()) -> str:
    """Status counts per label, and the first few unexpected answers: for assertion messages."""
    counts: dict[str, Counter] = {}
    for answer in answers:
        counts.setdefault(answer.label, Counter())[answer.status] += 1
    lines = [f"{label}: {dict(sorted(c.items()))}" for label, c in sorted(counts.items())]
    lines += [f"  unexpected: {answer}" for answer in list(unexpected)[:5]]
    return "\n".join(lines)


class Load:
    """``threads`` threads each calling ``step(session, index)`` in a loop until the block ends.

    ``step`` returns an ``Answer`` (kept) or None (that thread is done).
    ``pace`` is the least time between the starts of one thread's steps. An
    exception in a step is raised again when the ``with`` block ends.
    """

    def __init__(
        self,
        threads: int,
        step: Callable[[requests.Session, int], Answer | None],
        *,
        pace: float = 0.0,
    ):
        self.threads = threads
        self.step = step
        self.pace = pace
        self._answers: list[Answer] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._pool: ThreadPoolExecutor | None = None
        self._futures: list = []

    def __enter__(self) -> Load:
        self._pool = ThreadPoolExecutor(self.threads)
        self._futures = [self._pool.submit(self._run, index) for index in range(self.threads)]
        return self

    def _run(self, index: int) -> None:
        with requests.Session() as session:
            while not self._stop.is_set():
                began = time.monotonic()
                answer = self.step(session, index)
                if answer is None:
                    return
                with self._lock:
                    self._answers.append(answer)
                rest = self.pace - (time.monotonic() - began)
                if rest > 0:
                    self._stop.wait(rest)

    @property
    def answers(self) -> list[Answer]:
        with self._lock:
            return list(self._answers)

    def wait_for(self, condition: Callable[[list[Answer]], bool], *, timeout: float, what=""):
        """Poll until ``condition(answers so far)`` holds; AssertionError (with counts) if not."""
        try:
            wait_until(lambda: condition(self.answers), timeout=timeout, interval=0.05, what=what)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{describe(self.answers)}") from None

    def __exit__(self, exc_type, *exc) -> None:
        self._stop.set()
        errors = [f.exception() for f in self._futures]
        self._pool.shutdown()
        failed = [e for e in errors if e is not None]
        if failed and exc_type is None:
            raise failed[0]
