"""common.sessions: the session, sign-in, messages and CSRF middleware act on the admin's paths only."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from common.conf import middleware
from common.sessions import uses_sessions
from common.testing import user_token

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/admin/", True),
        ("/admin/login/", True),
        ("/internal/schema/", True),
        ("/internal/docs/", True),
        ("/api/v1/things", False),
        ("/internal/v1/echo", False),
        ("/healthz", False),
        ("/administrator", False),
    ],
)
def test_which_paths_use_sessions(path, expected, settings):
    settings.SESSION_PATH_PREFIXES = ("/admin/", "/internal/schema/", "/internal/docs/")
    assert uses_sessions(RequestFactory().get(path)) is expected


def test_an_api_request_beside_an_admin_session_makes_no_query_and_sets_no_cookie(admin_client):
    admin_client.defaults["HTTP_AUTHORIZATION"] = (
        f"Bearer {user_token(admin_client.staff_id, 'patient')}"
    )
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get("/user-only")
    assert response.status_code == 200
    assert queries.captured_queries == []
    assert not response.cookies
    assert not hasattr(response.wsgi_request, "session")


def test_the_admin_still_has_its_session_and_user(admin_client):
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    assert response.wsgi_request.user == admin_client.user
    assert response.wsgi_request.session.session_key


def test_the_services_use_the_admin_only_classes_and_the_portal_djangos():
    assert "common.sessions.AdminSessions" in settings.MIDDLEWARE
    assert "django.contrib.sessions.middleware.SessionMiddleware" not in middleware()
    every_path = middleware(sessions_on_every_path=True)
    assert {
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
    } <= set(every_path)
    assert len(every_path) == len(middleware())
