"""Tests of common.logging: one JSON line per record, with the request id."""

import json
import logging
import logging.config

import pytest

from common.logging import logging_config


@pytest.fixture
def restore_logging():
    """Put the root logger and Django's loggers back as they were after dictConfig."""
    root = logging.getLogger()
    names = ("django.server", "django.request", "tests.logging")
    saved = (root.handlers[:], root.level, {n: logging.getLogger(n).level for n in names})
    yield
    for handler in root.handlers:
        if handler not in saved[0]:
            handler.close()
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)


def test_json_config_uses_the_json_formatter_with_the_service_name():
    config = logging_config(service="user_service", level="DEBUG")

    formatter = config["formatters"]["default"]
    assert formatter["()"] == "pythonjsonlogger.json.JsonFormatter"
    assert formatter["static_fields"] == {"service": "user_service"}
    assert "%(request_id)s" in formatter["format"]
    assert config["root"] == {"handlers": ["console"], "level": "DEBUG"}
    assert config["handlers"]["console"]["filters"] == ["request_id"]
    assert config["disable_existing_loggers"] is False


def test_plain_config_uses_a_text_format_with_the_request_id():
    config = logging_config(service="portal", json=False)

    formatter = config["formatters"]["default"]
    assert "()" not in formatter
    assert "portal" in formatter["format"]
    assert "[%(request_id)s]" in formatter["format"]


def test_json_config_writes_one_json_line_per_record(restore_logging, capsys, request_id):
    logging.config.dictConfig(logging_config(service="user_service"))
    request_id("log-req-1")

    logging.getLogger("tests.logging").warning("slot %s taken", 42)

    [line] = capsys.readouterr().err.strip().splitlines()
    record = json.loads(line)
    assert record["message"] == "slot 42 taken"
    assert record["level"] == "WARNING"
    assert record["logger"] == "tests.logging"
    assert record["service"] == "user_service"
    assert record["request_id"] == "log-req-1"
    assert "time" in record


def test_plain_config_writes_readable_lines(restore_logging, capsys, request_id):
    logging.config.dictConfig(logging_config(service="portal", json=False))
    request_id(None)

    logging.getLogger("tests.logging").error("hello")

    line = capsys.readouterr().err.strip()
    assert line.endswith("portal ERROR [-] tests.logging: hello")


def test_config_quiets_djangos_own_request_logging(restore_logging):
    logging.config.dictConfig(logging_config(service="portal"))

    assert logging.getLogger("django.server").level == logging.WARNING
    assert logging.getLogger("django.request").level == logging.ERROR
    assert logging.getLogger().level == logging.INFO
