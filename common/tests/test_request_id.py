"""Tests of common.request_id: ids taken or made, echoed, and written on every log record."""

import logging
import re

import pytest

from common.request_id import RequestIdFilter, get_request_id, set_request_id

GENERATED = re.compile(r"^[0-9a-f]{32}$")


class Recorder(logging.Handler):
    """Keeps the records it handles, after the request-id filter has run."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.addFilter(RequestIdFilter())

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def recorder():
    handler = Recorder()
    loggers = [logging.getLogger(name) for name in ("common.access", "tests.views")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.INFO)
    yield handler
    for lg, level in zip(loggers, levels, strict=True):
        lg.removeHandler(handler)
        lg.setLevel(level)


@pytest.mark.parametrize(
    "value", ["abc-123", "a.b_c:d-e", "x" * 128, "3f2a9c4e5b6d4e0f8a1b2c3d4e5f6a7b"]
)
def test_valid_incoming_request_id_is_echoed(client, value):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=value)

    assert response["X-Request-ID"] == value


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("x" * 129, id="too-long"),
        pytest.param("has space", id="space"),
        pytest.param("semi;colon", id="semicolon"),
        pytest.param('{"json": 1}', id="json"),
        pytest.param("id\nforged log line", id="newline-inside"),
        pytest.param("trailing-newline\n", id="trailing-newline"),
        pytest.param("", id="empty"),
    ],
)
def test_invalid_incoming_request_id_is_replaced_with_a_generated_one(client, value):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=value)

    assert response.status_code == 200
    assert GENERATED.match(response["X-Request-ID"])


def test_missing_request_id_is_generated_and_differs_per_request(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]

    assert GENERATED.match(first)
    assert GENERATED.match(second)
    assert first != second


def test_request_id_is_unbound_after_the_request(client):
    set_request_id(None)

    client.get("/healthz", HTTP_X_REQUEST_ID="gone-after")

    assert get_request_id() is None


def test_log_records_inside_a_request_carry_its_request_id(client, recorder):
    client.get("/logging", HTTP_X_REQUEST_ID="view-log-1")

    record = next(r for r in recorder.records if r.name == "tests.views")
    assert record.getMessage() == "inside the view"
    assert record.request_id == "view-log-1"


def test_log_records_outside_a_request_get_a_dash(recorder):
    set_request_id(None)

    logging.getLogger("tests.views").warning("no request here")

    assert recorder.records[-1].request_id == "-"


def test_set_request_id_binds_the_id_for_later_records(recorder, request_id):
    request_id("from-a-command")

    logging.getLogger("tests.views").warning("in a command")

    assert get_request_id() == "from-a-command"
    assert recorder.records[-1].request_id == "from-a-command"


def test_access_line_is_logged_with_status_and_duration(client, recorder):
    client.get("/problem", HTTP_X_REQUEST_ID="access-1")

    [record] = [r for r in recorder.records if r.name == "common.access"]
    assert record.getMessage() == "GET /problem 409"
    assert record.method == "GET"
    assert record.path == "/problem"
    assert record.status == 409
    assert isinstance(record.duration_ms, float)
    assert record.duration_ms >= 0
    assert record.request_id == "access-1"
