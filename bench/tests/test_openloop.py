"""The open-loop generator's schedule and figures."""

import math

import openloop
import pytest


def test_schedule_is_evenly_spaced_at_the_rate():
    instants = openloop.schedule(4, 2.5)
    assert instants == [0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.25]


@pytest.mark.parametrize(("rate", "seconds"), [(0, 1), (1, 0), (-1, 1)])
def test_schedule_wants_a_positive_rate_and_time(rate, seconds):
    with pytest.raises(ValueError, match="positive"):
        openloop.schedule(rate, seconds)


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))
    assert openloop.percentile(values, 50) == 50
    assert openloop.percentile(values, 99) == 99
    assert openloop.percentile(values, 100) == 100
    assert openloop.percentile([7], 99) == 7
    assert math.isnan(openloop.percentile([], 50))


def test_summarize_leaves_the_warm_up_out_and_counts_from_the_schedule():
    # (scheduled instant, latency from that instant, status): the warm-up's slow answers and
    # its 500 are not counted; a late answer counts its whole wait.
    sent = [(0.0, 5.0, 500), (0.5, 2.0, 201)]
    sent += [(1.0 + n / 10, 0.010, 201) for n in range(19)] + [(2.9, 0.5, 409)]
    run = openloop.summarize(10, 1.0, 2.0, sent)
    assert run.requests == 20
    assert run.achieved_rate == 10
    assert run.p50_ms == pytest.approx(10)
    assert run.p99_ms == pytest.approx(500)
    assert run.statuses == {201: 19, 409: 1}
