"""Assertions on RFC 9457 problem answers, as every service's API tests make them."""

from __future__ import annotations

from typing import Any

from common.errors import PROBLEM_CONTENT_TYPE


def assert_problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """Assert ``response`` is an RFC 9457 problem with ``status`` (and ``code``); return its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail", "code", "request_id"} <= set(body)
    if code is not None:
        assert body["code"] == code, body
    return body


def error_fields(body: dict[str, Any]) -> set[str]:
    """The field names of a problem's ``errors``."""
    return {error["field"] for error in body.get("errors", [])}
