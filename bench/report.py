"""The figures of a benchmark run: ratios to the reference, the issue's targets, the table."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

# The targets, as ratios of req/s to the reference's (closed loop, 32 clients).
RATIO_TARGETS = {"book": 0.04, "slots": 0.10, "search": 0.15, "me": 0.25, "reserve": 0.10}
OPEN_P99_TARGET_MS = 100.0
PAST_HOLDS_SLOWDOWN = 1.2


@dataclass
class Figure:
    """One case's figures. ``queries`` is per request, per service database."""

    case: str
    mode: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    statuses: dict[int, int]
    queries: dict[str, float] = field(default_factory=dict)
    ratio: float = math.nan
    target: str = ""
    met: bool | None = None
    unexpected: int = 0
    note: str = ""

    @property
    def queries_total(self) -> float:
        return sum(self.queries.values())


def add_ratios(figures: list[Figure]) -> None:
    """Set every figure's ratio: its req/s over the reference's (NaN without a reference)."""
    reference = next((f for f in figures if f.case == "reference"), None)
    for figure in figures:
        if reference is not None and reference.rps > 0:
            figure.ratio = figure.rps / reference.rps


def evaluate(figures: list[Figure]) -> None:
    """Set ``target`` and ``met`` of the figures the issue sets a target for."""
    by_case = {f.case: f for f in figures}
    for case, wanted in RATIO_TARGETS.items():
        if case in by_case:
            figure = by_case[case]
            figure.target = f"ratio >= {wanted:.2f}"
            figure.met = figure.ratio >= wanted
    if "book_open" in by_case:
        figure = by_case["book_open"]
        figure.target = f"p99 < {OPEN_P99_TARGET_MS:.0f} ms"
        figure.met = figure.p99_ms < OPEN_P99_TARGET_MS
    if "slots_past_holds" in by_case and "slots" in by_case:
        figure, base = by_case["slots_past_holds"], by_case["slots"]
        figure.target = f"req/s within {PAST_HOLDS_SLOWDOWN}x of slots"
        figure.met = figure.rps * PAST_HOLDS_SLOWDOWN >= base.rps
    if "storm" in by_case:
        figure = by_case["storm"]
        figure.target = "0 double bookings, every loser 409"
        figure.met = figure.note.startswith("0 double bookings") and figure.unexpected == 0


def queries_text(figure: Figure) -> str:
    """Statements per request: the total, then per service database."""
    if not figure.queries:
        return "-"
    parts = ", ".join(
        f"{name.removesuffix('_service')} {n:.1f}" for name, n in figure.queries.items()
    )
    return f"{figure.queries_total:.1f} ({parts})"


def table(figures: list[Figure]) -> str:
    """The figures as one text table."""
    header = (
        "case",
        "mode",
        "req/s",
        "p50 ms",
        "p99 ms",
        "ratio",
        "queries/request",
        "target",
        "met",
    )
    rows = [header]
    for f in figures:
        met = "-" if f.met is None else ("met" if f.met else "NOT MET")
        rows.append(
            (
                f.case,
                f.mode,
                f"{f.rps:.1f}",
                f"{f.p50_ms:.1f}",
                f"{f.p99_ms:.1f}",
                "-" if math.isnan(f.ratio) else f"{f.ratio:.4f}",
                queries_text(f),
                f.target or "-",
                met,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"{f.case}: {f.note}" for f in figures if f.note]
    notes += [
        f"{f.case}: {f.unexpected} unexpected answers, statuses {dict(sorted(f.statuses.items()))}"
        for f in figures
        if f.unexpected
    ]
    return "\n".join(lines + ([""] + notes if notes else []))


def write_json(path: Path, figures: list[Figure], meta: dict) -> None:
    """Every figure, and what the run was (``meta``), as JSON."""
    data = {"meta": meta, "figures": [asdict(f) for f in figures]}
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
