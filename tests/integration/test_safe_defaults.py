"""Safe defaults, seen from outside: unknown routes, the two schemas, placeholder secrets."""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests
from conftest import ROOT
from stack import make_test_stack

API_SERVICES = ("auth_service", "user_service", "schedule_service", "appointment_service")
TECHNICAL_MARKERS = (b"urlpatterns", b"Django", b"Traceback", b"DEBUG")


@pytest.fixture(scope="module")
def debug_stack(tmp_path_factory):
    """auth_service and user_service as processes with DJANGO_DEBUG=1, as a developer runs them."""
    stack = make_test_stack(
        tmp_path_factory.mktemp("debug-stack"), ["auth_service", "user_service"], port_offset=1000
    )
    stack.extra_env["DJANGO_DEBUG"] = "true"
    stack.start()
    yield stack
    stack.stop()


def assert_problem_404(response: requests.Response) -> None:
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "No resource lives at this address."
    for marker in TECHNICAL_MARKERS:
        assert marker not in response.content


@pytest.mark.parametrize("service", API_SERVICES)
@pytest.mark.parametrize("path", ["/no/such/route", "/api/v1/nothing-here/", "/api/v2/"])
def test_unknown_routes_are_a_problem_404(stack, http, service, path):
    assert_problem_404(http.get(stack.url(service) + path, timeout=10))


@pytest.mark.parametrize("service", ["auth_service", "user_service"])
def test_unknown_routes_are_a_problem_404_with_debug_on(debug_stack, http, service):
    assert_problem_404(http.get(debug_stack.url(service) + "/no/such/route", timeout=10))
    assert_problem_404(http.get(debug_stack.url(service) + "/api/v1/nothing-here/", timeout=10))


@pytest.mark.parametrize("service", API_SERVICES)
def test_public_schema_shows_no_internal_endpoint_and_the_internal_one_is_for_staff(
    stack, http, service
):
    public = http.get(stack.url(service) + "/api/schema/?format=json", timeout=10)
    internal = http.get(stack.url(service) + "/internal/schema/?format=json", timeout=10)

    assert public.status_code == 200
    assert not [path for path in public.json()["paths"] if path.startswith("/internal/")]
    assert internal.status_code == 403
    assert b"/internal/v1/" not in internal.content


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DJANGO_SECRET_KEY", "change-me-user-service-django-secret-key-0000000000000000"),
        ("SERVICE_CLIENT_SECRET", "change-me-schedule-service-client-secret"),
    ],
)
def test_a_placeholder_secret_stops_the_service_and_names_the_variable(stack, variable, value):
    env = {**stack.env("user_service"), variable: value}

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT / "user_service",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert f"{variable} still holds the change-me placeholder" in result.stderr
