"""Project-level wiring: health, schema and docs, error handlers."""

import pytest

from common.testing import ProjectChecks, assert_problem


class TestProject(ProjectChecks):
    service = "appointment_service"
    public_paths = {
        "/api/v1/appointments/",
        "/api/v1/appointments/{id}/",
        "/api/v1/appointments/{id}/reschedule",
        "/api/v1/appointments/{id}/cancel",
        "/api/v1/appointments/{id}/complete",
        "/api/v1/appointments/{id}/history",
        "/api/v1/appointments/{id}/ics",
    }


@pytest.mark.django_db
def test_unexpected_errors_are_a_bare_500(make_client, monkeypatch):
    from appointment_service.appointments import selectors

    def crash(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(selectors, "appointment_list_for_user", crash)
    response = make_client("patient").get("/api/v1/appointments/")
    body = assert_problem(response, 500)
    assert "secret" not in response.content.decode()
    assert body["code"] == "server-error"
