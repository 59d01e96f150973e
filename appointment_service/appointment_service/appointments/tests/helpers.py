"""Assertions shared by the tests."""

from common.errors import PROBLEM_CONTENT_TYPE


def assert_problem(response, status: int, code: str | None = None) -> dict:
    """Assert ``response`` is an RFC 9457 problem with ``status`` (and ``code``); return its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail", "code", "request_id"} <= set(body)
    if code is not None:
        assert body["code"] == code, body
    return body


def error_fields(body: dict) -> set[str]:
    """The field names of a problem's ``errors``."""
    return {error["field"] for error in body.get("errors", [])}
