"""Open-loop load: requests sent at fixed instants, whatever the answers (no coordinated omission).

A schedule of instants at a fixed rate (``schedule``) is shared by enough
threads, each with its own keep-alive connection; a thread takes the next
instant, waits for it, sends, and the latency counts from the scheduled
instant, so a request that waited for a free thread counts that wait too.
The first ``warmup`` seconds are sent but not counted.
"""

from __future__ import annotations

import http.client
import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from wrk import Request


def schedule(rate: float, seconds: float) -> list[float]:
    """The send instants (seconds from the start) of ``rate`` requests a second for ``seconds``."""
    if rate <= 0 or seconds <= 0:
        raise ValueError("rate and seconds must be positive")
    return [n / rate for n in range(math.floor(rate * seconds))]


def percentile(values: Sequence[float], p: float) -> float:
    """The nearest-rank ``p``-th percentile of ``values`` (NaN when there are none)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class OpenRun:
    """What one open-loop run measured (the counted part, after the warm-up)."""

    rate: float
    achieved_rate: float
    requests: int
    p50_ms: float
    p99_ms: float
    statuses: dict[int, int]


def summarize(
    rate: float, warmup: float, seconds: float, sent: Sequence[tuple[float, float, int]]
) -> OpenRun:
    """``sent`` as (scheduled instant, latency in s, status) made into the counted figures."""
    counted = [(at, took, status) for at, took, status in sent if at >= warmup]
    latencies = [took * 1000 for _, took, _ in counted]
    return OpenRun(
        rate=rate,
        achieved_rate=len(counted) / seconds,
        requests=len(counted),
        p50_ms=percentile(latencies, 50),
        p99_ms=percentile(latencies, 99),
        statuses=dict(Counter(status for _, _, status in counted)),
    )


def run(
    host: str,
    port: int,
    make_request: Callable[[int], Request],
    *,
    rate: float,
    seconds: float,
    warmup: float,
    threads: int = 64,
) -> OpenRun:
    """Send ``make_request(n)`` at ``rate`` a second for ``warmup`` + ``seconds``; count the rest."""
    instants = schedule(rate, warmup + seconds)
    sent: list[tuple[float, float, int]] = []
    lock = threading.Lock()
    cursor = iter(range(len(instants)))
    start = time.monotonic() + 0.2

    def worker() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        while True:
            with lock:
                n = next(cursor, None)
            if n is None:
                break
            due = start + instants[n]
            time.sleep(max(0.0, due - time.monotonic()))
            status = send(conn, make_request(n))
            if status == 0:
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=30)
            with lock:
                sent.append((instants[n], time.monotonic() - due, status))
        conn.close()

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return summarize(rate, warmup, seconds, sent)


def send(conn: http.client.HTTPConnection, request: Request) -> int:
    """Send ``request`` on ``conn``; its status, 0 when the connection failed."""
    try:
        body = request.body.encode() if request.body else None
        conn.request(request.method, request.path, body=body, headers=request.headers)
        response = conn.getresponse()
        response.read()
        if response.will_close:
            conn.close()
        return response.status
    except (OSError, http.client.HTTPException):
        return 0
