"""wrk and bench/lua/requests.lua for one second against the reference app (a few seconds)."""

import shutil
import urllib.request

import pytest
import run
import wrk
from wrk import Request

pytestmark = pytest.mark.skipif(
    shutil.which("wrk") is None, reason="wrk is not installed (make bench installs it)"
)


@pytest.fixture
def reference(tmp_path):
    """The reference app, started as ``make bench`` starts it (one worker: answers in order)."""
    process, url = run.start_reference(tmp_path, workers=1)
    with urllib.request.urlopen(url + "/", timeout=5) as answer:  # noqa: S310
        assert answer.read() == b'{"status": "ok"}'
    yield url
    process.terminate()
    process.wait(timeout=10)


def test_wrk_counts_the_statuses_of_each_request(reference, tmp_path):
    path = tmp_path / "requests.txt"
    wrk.write_requests(path, [Request("GET", "/"), Request("GET", "/missing", {"X-Case": "smoke"})])
    run = wrk.run(reference, path, seconds=1, clients=4)
    assert run.requests > 10
    assert set(run.statuses) == {200, 404}
    assert sum(run.statuses.values()) == run.requests
    assert abs(run.statuses[200] - run.statuses[404]) <= 4
    assert 0 < run.p50_ms <= run.p99_ms
    assert not run.socket_errors


def test_one_request_is_sent_by_every_thread(reference, tmp_path):
    path = tmp_path / "one.txt"
    wrk.write_requests(path, [Request("GET", "/")])
    run = wrk.run(reference, path, seconds=1, clients=4, threads=2)
    assert run.requests > 10 and set(run.statuses) == {200}
