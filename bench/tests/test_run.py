"""bench/run.py's options: worker overrides and the cases a run needs."""

import argparse

import pytest
import run


def test_worker_overrides():
    assert run.worker_args("portal=sync") == ("portal", ("--worker-class", "sync"))
    assert run.worker_args("appointment_service=gthread:4") == (
        "appointment_service",
        ("--worker-class", "gthread", "--threads", "4"),
    )


@pytest.mark.parametrize(
    "value", ["nobody=sync", "portal=gevent", "portal=gthread:", "portal=gthread:0", "portal"]
)
def test_worker_overrides_refused(value):
    with pytest.raises(argparse.ArgumentTypeError, match="service|expected"):
        run.worker_args(value)


def test_chosen_cases_add_what_a_figure_is_relative_to():
    assert run.chosen_cases(["me"]) == ["reference", "me"]
    assert run.chosen_cases(["book_open"]) == ["reference", "book", "book_open"]
    assert run.chosen_cases(["slots_past_holds", "storm"]) == [
        "reference",
        "slots",
        "slots_past_holds",
        "storm",
    ]


def test_defaults_and_unknown_cases():
    args = run.parse_args([])
    assert (args.seconds, args.warmup, args.worker, args.json) == (10, 3, [], None)
    assert args.cases[0] == "reference" and "portal_week" in args.cases
    with pytest.raises(SystemExit):
        run.parse_args(["--cases", "me,nothing"])
