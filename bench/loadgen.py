"""A small closed-loop HTTP load generator: N keep-alive clients for a fixed time, bounded."""

from __future__ import annotations

import http.client
import json
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class Result:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    def line(self) -> str:
        return (
            f"{self.name:<44} {self.rps:8.0f} req/s   p50 {self.percentile(50):7.1f} ms   "
            f"p99 {self.percentile(99):7.1f} ms   errors {self.errors}"
        )


RequestFactory = Callable[[int, int], tuple[str, str, dict[str, str], bytes | None]]


def run(
    name: str,
    base_url: str,
    make_request: RequestFactory,
    *,
    clients: int = 8,
    seconds: float = 5.0,
    max_requests: int = 50_000,
    ok: Callable[[int], bool] = lambda status: 200 <= status < 300,
) -> Result:
    """Run ``clients`` threads, each sending ``make_request(client, n)`` back to back."""
    parts = urlsplit(base_url)
    latencies: list[float] = []
    counters = {"requests": 0, "errors": 0}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker(client: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        n = 0
        while time.monotonic() < stop_at:
            with lock:
                if counters["requests"] >= max_requests:
                    return
                counters["requests"] += 1
            method, path, headers, body = make_request(client, n)
            n += 1
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                good = ok(response.status)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
                good = False
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if not good:
                    counters["errors"] += 1
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Result(name, len(latencies), counters["errors"], time.monotonic() - started, latencies)


def json_body(data: dict) -> bytes:
    return json.dumps(data).encode()


def summary(results: list[Result]) -> str:
    return (
        "\n".join(r.line() for r in results)
        + f"\n(median of p50s: {statistics.median(r.percentile(50) for r in results):.1f} ms)"
    )
