"""Ratios to the reference, the issue's targets and the table."""

import json
import math

import report
from report import Figure


def figure(case, rps, **kw):
    values = {
        "mode": "closed, 32 clients",
        "p50_ms": 1.0,
        "p99_ms": 2.0,
        "requests": 10,
        "statuses": {200: 10},
    }
    return Figure(case=case, rps=rps, **{**values, **kw})


def test_ratios_are_to_the_reference():
    figures = [figure("reference", 8000), figure("me", 2000)]
    report.add_ratios(figures)
    assert [f.ratio for f in figures] == [1.0, 0.25]


def test_no_reference_no_ratio():
    figures = [figure("me", 2000)]
    report.add_ratios(figures)
    assert math.isnan(figures[0].ratio)


def test_targets_met_and_not():
    figures = [
        figure("reference", 1000),
        figure("me", 250),  # exactly the target
        figure("search", 149),
        figure("book", 40),
        figure("book_open", 20, p99_ms=100.0),  # not under 100 ms
        figure("slots", 120),
        figure("slots_past_holds", 100),  # 1.2x slower: still within
        figure("reserve", 99),
        figure("list", 500),
    ]
    report.add_ratios(figures)
    report.evaluate(figures)
    met = {f.case: f.met for f in figures}
    assert met == {
        "reference": None,
        "me": True,
        "search": False,
        "book": True,
        "book_open": False,
        "slots": True,
        "slots_past_holds": True,
        "reserve": False,
        "list": None,
    }
    figures[6].rps = 99
    report.evaluate(figures)
    assert figures[6].met is False


def test_storm_target():
    won = figure("storm", 50, note="0 double bookings, 0 slots without a winner")
    double = figure("storm", 50, note="1 double bookings, 0 slots without a winner")
    lost_otherwise = figure("storm", 50, note="0 double bookings", unexpected=3)
    for f in (won, double, lost_otherwise):
        report.evaluate([f])
    assert (won.met, double.met, lost_otherwise.met) == (True, False, False)


def test_table_lists_every_case_with_queries_per_service(tmp_path):
    figures = [
        figure("reference", 1000),
        figure("book", 50, queries={"appointment_service": 7.0, "schedule_service": 4.5}),
    ]
    report.add_ratios(figures)
    report.evaluate(figures)
    text = report.table(figures)
    lines = text.splitlines()
    assert lines[0].split() == [
        "case",
        "mode",
        "req/s",
        "p50",
        "ms",
        "p99",
        "ms",
        "ratio",
        "queries/request",
        "target",
        "met",
    ]
    assert "11.5 (appointment 7.0, schedule 4.5)" in lines[3]
    assert "ratio >= 0.04" in lines[3] and "met" in lines[3]
    path = tmp_path / "bench.json"
    report.write_json(path, figures, {"seconds": 10})
    data = json.loads(path.read_text())
    assert data["meta"] == {"seconds": 10}
    assert [f["case"] for f in data["figures"]] == ["reference", "book"]


def test_table_names_unexpected_answers():
    figures = [figure("portal_week", 10, statuses={200: 78, 503: 20}, unexpected=20)]
    assert "portal_week: 20 unexpected answers, statuses {200: 78, 503: 20}" in report.table(
        figures
    )
