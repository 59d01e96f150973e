"""Tests of common.permissions: roles on user endpoints, scopes on internal endpoints."""

import uuid

import pytest
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from common.auth import ServicePrincipal
from common.permissions import HasServiceScope

ROLE_VIEWS = {"/patient-only": "patient", "/doctor-only": "doctor", "/staff-only": "staff"}


@pytest.mark.parametrize(("path", "role"), ROLE_VIEWS.items())
def test_role_view_lets_its_role_in(make_client, path, role):
    client = make_client(role)

    response = client.get(path)

    assert response.status_code == 200, response.content
    assert response.json() == {"id": str(client.user_id), "role": role}


@pytest.mark.parametrize(
    ("path", "role"),
    [
        (path, other)
        for path, role in ROLE_VIEWS.items()
        for other in ROLE_VIEWS.values()
        if other != role
    ],
)
def test_role_view_refuses_other_roles_with_403_problem(make_client, path, role):
    response = make_client(role).get(path)

    assert response.status_code == 403, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "permission-denied"
    assert body["detail"] == f"This endpoint is for: {ROLE_VIEWS[path]}."


@pytest.mark.parametrize("path", ["/user-only", *ROLE_VIEWS])
def test_user_views_refuse_service_tokens_with_403(service_client, path):
    response = service_client("things:read things:write").get(path)

    assert response.status_code == 403, response.content
    assert response.json()["detail"] == "This endpoint needs a user's access token."


@pytest.mark.parametrize("role", ["patient", "doctor", "staff"])
def test_user_view_lets_every_known_role_in(make_client, role):
    assert make_client(role).get("/user-only").status_code == 200


def test_user_view_refuses_an_unknown_role(make_client):
    response = make_client("superhero").get("/user-only")

    assert response.status_code == 403


def test_make_client_uses_the_given_user_id(make_client):
    user_id = uuid.uuid4()

    response = make_client("patient", user_id=user_id).get("/user-only")

    assert response.json()["id"] == str(user_id)


def test_service_with_read_scope_may_get(service_client):
    response = service_client("things:read", client_id="schedule_service").get("/internal")

    assert response.status_code == 200, response.content
    assert response.json() == {"client_id": "schedule_service"}


def test_service_without_write_scope_may_not_post(service_client):
    response = service_client("things:read").post("/internal", {})

    assert response.status_code == 403, response.content
    assert response["Content-Type"] == "application/problem+json"


def test_service_with_write_scope_may_post(service_client):
    response = service_client("things:write").post("/internal", {})

    assert response.status_code == 201, response.content


def test_service_without_any_scope_is_refused(service_client):
    assert service_client("other:read").get("/internal").status_code == 403


def test_internal_view_refuses_user_tokens_with_403(make_client):
    response = make_client("staff").get("/internal")

    assert response.status_code == 403
    assert (
        response.json()["detail"] == "This endpoint needs a service token with the required scope."
    )


def test_internal_view_refuses_anonymous_requests_with_401(anon_client):
    assert anon_client.get("/internal").status_code == 401


def _has_scope(method: str, required_scopes, scopes: str) -> bool:
    request = Request(APIRequestFactory().generic(method, "/"))
    request.user = ServicePrincipal(client_id="tester", scopes=frozenset(scopes.split()), claims={})
    view = type("View", (), {"required_scopes": required_scopes})()
    return HasServiceScope().has_permission(request, view)


def test_scope_set_applies_to_every_method():
    assert _has_scope("DELETE", {"a"}, "a b")
    assert not _has_scope("GET", {"a", "c"}, "a b")


def test_scope_dict_falls_back_to_its_star_entry():
    required = {"GET": {"r"}, "*": {"w"}}

    assert _has_scope("GET", required, "r")
    assert not _has_scope("PUT", required, "r")
    assert _has_scope("PUT", required, "w")


def test_view_without_required_scopes_is_closed_to_every_service():
    request = Request(APIRequestFactory().get("/"))
    request.user = ServicePrincipal(client_id="tester", scopes=frozenset({"a", "b"}), claims={})

    assert not HasServiceScope().has_permission(request, object())
    assert not _has_scope("GET", {"POST": {"a"}}, "a b")
