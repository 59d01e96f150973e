"""Sessions, CSRF and messages serve the admin only; the API answers bearer tokens without them."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from auth_service.accounts.services.sign_in import token_pair_issue
from auth_service.accounts.tests.factories import PASSWORD, UserFactory, staff_user
from common.testing import BearerClient

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
ME = "/api/v1/auth/me"
PASSWORD_CHANGE = "/api/v1/auth/password"


def signed_in_admin() -> Client:
    """A browser signed in to the admin through its form, CSRF token and all."""
    staff = staff_user("clinic-admin")
    client = Client(enforce_csrf_checks=True)
    client.get(LOGIN)
    response = client.post(
        LOGIN,
        {
            "username": staff.email,
            "password": PASSWORD,
            "next": "/admin/",
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )
    assert response.status_code == 302, response.content
    assert client.get("/admin/").status_code == 200
    return client


def access_token(user) -> str:
    return token_pair_issue(user=user).access


def with_token(client: Client, token: str) -> Client:
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def test_the_admin_signs_in_and_keeps_its_session_cookie():
    client = signed_in_admin()
    assert client.cookies["sessionid"].value


def test_the_admin_refuses_a_post_without_the_csrf_token():
    staff = staff_user("clinic-admin")
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": staff.email, "password": PASSWORD})
    assert response.status_code == 403
    assert "sessionid" not in client.cookies


def test_the_admin_keeps_its_messages():
    client = signed_in_admin()
    # An action with nothing selected: the admin says so in a message after its redirect.
    response = client.post(
        "/admin/accounts/user/",
        {
            "action": "delete_selected",
            "index": 0,
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
        follow=True,
    )
    assert response.redirect_chain, "the admin redirects after the action"
    assert b"Items must be selected in order to perform actions" in response.content


def test_an_api_answer_reads_no_session_and_sets_no_cookie():
    patient = UserFactory(role="patient")
    client = with_token(signed_in_admin(), access_token(patient))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(ME)
    assert response.status_code == 200
    assert not response.cookies, "no session (nor CSRF) cookie on an API answer"
    assert not [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]]
    assert not [q["sql"] for q in queries.captured_queries if "auth_permission" in q["sql"]]


def test_an_api_post_with_a_bearer_token_needs_no_csrf_token_even_beside_a_session():
    patient = UserFactory(role="patient")
    client = with_token(signed_in_admin(), access_token(patient))
    response = client.post(
        PASSWORD_CHANGE,
        {"old_password": PASSWORD, "new_password": "a-new-long-password-2026"},
        content_type="application/json",
    )
    assert response.status_code == 204, response.content


def test_an_api_post_without_any_cookie_needs_no_csrf_token():
    patient = UserFactory(role="patient")
    client = BearerClient(access_token(patient))
    client.handler.enforce_csrf_checks = True
    response = client.post(
        PASSWORD_CHANGE,
        {"old_password": PASSWORD, "new_password": "a-new-long-password-2026"},
        format="json",
    )
    assert response.status_code == 204, response.content


def test_me_reads_the_account_once_and_answers_as_before():
    patient = UserFactory(role="patient")
    client = BearerClient(access_token(patient))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(ME)
    assert response.json() == {"id": str(patient.id), "email": patient.email, "role": "patient"}
    assert len(queries.captured_queries) == 1, [q["sql"] for q in queries.captured_queries]


def test_me_still_refuses_a_revoked_sign_in_and_a_deactivated_account():
    patient = UserFactory(role="patient")
    client = BearerClient(access_token(patient))
    type(patient).objects.filter(pk=patient.pk).update(is_active=False)
    assert client.get(ME).status_code == 401
