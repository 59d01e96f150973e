"""wrk's requests file and its output, as bench/lua/requests.lua writes and prints them."""

import json

import pytest
import wrk
from wrk import Request

OUTPUT = """Running 1s test @ http://127.0.0.1:8000
  2 threads and 32 connections
Requests/sec:   1234.00
BENCH-JSON {"requests": 2468, "duration_us": 2000000, "bytes": 1, "errors": {"connect": 0, "read": 2, "write": 0, "timeout": 1, "status": 5}, "latency_us": {"p50": 1500, "p90": 3000, "p99": 12500, "max": 20000, "mean": 2000.0}, "statuses": {"200": 2463, "500": 5}}
"""


def test_parse_reads_the_json_line():
    run = wrk.parse(OUTPUT)
    assert run.requests == 2468
    assert run.seconds == 2.0
    assert run.rps == 1234.0
    assert (run.p50_ms, run.p99_ms) == (1.5, 12.5)
    assert run.statuses == {200: 2463, 500: 5}
    # Errors that happened only; the non-2xx count is in the statuses.
    assert run.socket_errors == {"read": 2, "timeout": 1}


def test_parse_reads_a_run_without_answers():
    line = OUTPUT.splitlines()[-1].replace('"statuses": {"200": 2463, "500": 5}', '"statuses": {}')
    assert wrk.parse(line).statuses == {}


@pytest.mark.parametrize("output", ["Requests/sec: 1\n", OUTPUT + OUTPUT.splitlines()[-1]])
def test_parse_wants_exactly_one_json_line(output):
    with pytest.raises(ValueError, match="BENCH-JSON"):
        wrk.parse(output)


def test_a_request_is_one_tab_separated_line():
    request = Request(
        "POST", "/x", {"Authorization": "Bearer t", "Idempotency-Key": "k"}, '{"a": 1}'
    )
    assert request.line() == 'POST\t/x\t{"a": 1}\tAuthorization: Bearer t\tIdempotency-Key: k'
    assert Request("GET", "/").line() == "GET\t/\t"


def test_a_request_with_a_tab_or_line_break_is_refused():
    with pytest.raises(ValueError, match="a tab or a line break"):
        Request("POST", "/x", body=json.dumps({"a": "b"}, indent=1)).line()
    with pytest.raises(ValueError, match="a tab or a line break"):
        Request("GET", "/x", {"X": "a\tb"}).line()


def test_write_requests(tmp_path):
    path = tmp_path / "requests.txt"
    assert wrk.write_requests(path, [Request("GET", "/a"), Request("GET", "/b")]) == 2
    assert path.read_text() == "GET\t/a\t\nGET\t/b\t\n"
    with pytest.raises(ValueError, match="no requests"):
        wrk.write_requests(path, [])
