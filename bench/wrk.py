"""Closed-loop load with wrk: a requests file, one wrk run, its figures parsed.

bench/lua/requests.lua sends the lines of a requests file (``write_requests``)
and prints one ``BENCH-JSON {...}`` line when wrk is done; ``parse`` turns wrk's
output into a ``Run``.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

LUA = Path(__file__).resolve().parent / "lua" / "requests.lua"
MARKER = "BENCH-JSON "


@dataclass(frozen=True)
class Request:
    """One HTTP request of a requests file."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""

    def line(self) -> str:
        """The request as a line of bench/lua/requests.lua's file format."""
        fields = [self.method, self.path, self.body]
        fields += [f"{name}: {value}" for name, value in self.headers.items()]
        if any("\t" in f or "\n" in f for f in fields):
            raise ValueError(f"a tab or a line break in {fields}")
        return "\t".join(fields)


@dataclass(frozen=True)
class Run:
    """What one wrk run measured."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    statuses: dict[int, int]
    socket_errors: dict[str, int]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def write_requests(path: Path, requests: Iterable[Request]) -> int:
    """Write ``requests`` to ``path``, one a line; return how many."""
    lines = [r.line() for r in requests]
    if not lines:
        raise ValueError(f"no requests for {path}")
    path.write_text("\n".join(lines) + "\n")
    return len(lines)


def parse(output: str) -> Run:
    """The ``Run`` of wrk's output (the JSON line bench/lua/requests.lua prints)."""
    lines = [line for line in output.splitlines() if line.startswith(MARKER)]
    if len(lines) != 1:
        raise ValueError(f"wrk's output has {len(lines)} {MARKER.strip()} lines:\n{output}")
    data = json.loads(lines[0][len(MARKER) :])
    errors = {k: int(v) for k, v in data["errors"].items() if k != "status"}
    return Run(
        requests=int(data["requests"]),
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["latency_us"]["p50"] / 1000,
        p99_ms=data["latency_us"]["p99"] / 1000,
        statuses={int(k): int(v) for k, v in data["statuses"].items()},
        socket_errors={k: v for k, v in errors.items() if v},
    )


def run(
    url: str, requests_file: Path, *, seconds: float, clients: int = 32, threads: int = 2
) -> Run:
    """Run wrk (``threads`` threads, ``clients`` connections) for ``seconds`` on ``url``."""
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{clients}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        url,
        "--",
        str(requests_file),
        str(threads),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse(done.stdout)
