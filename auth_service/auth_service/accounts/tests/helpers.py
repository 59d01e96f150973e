"""Assertions shared by the tests."""

from __future__ import annotations

from typing import Any

from common.errors import PROBLEM_CONTENT_TYPE


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    """Assert ``response`` is an RFC 9457 problem with ``status`` and ``code``; return its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail", "code", "request_id"} <= set(body)
    assert body["code"] == code, body
    return body
