"""An ended sign-in and a service that is down, whatever the page."""

from importlib import import_module

import pytest
from django.conf import settings
from django.test import RequestFactory

from common.errors import ServiceUnavailable
from common.request_id import set_request_id
from portal.web import auth
from portal.web.middleware import PortalErrorMiddleware, sign_in_url

pytestmark = pytest.mark.django_db


def request_for(method: str, path: str, data=None):
    factory = RequestFactory()
    request = factory.post(path, data or {}) if method == "POST" else factory.get(path)
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    return request


def middleware():
    return PortalErrorMiddleware(lambda request: None)


def test_sign_in_url():
    assert sign_in_url("/a?b=c") == "/sign-in?next=%2Fa%3Fb%3Dc"
    assert sign_in_url("/a", reason="expired") == "/sign-in?next=%2Fa&reason=expired"


def test_no_sign_in_on_a_page_goes_to_sign_in_and_back():
    request = request_for("GET", "/appointments?status=cancelled")

    response = middleware().process_exception(request, auth.SignInRequired())

    assert response.status_code == 302
    assert response["Location"] == "/sign-in?next=%2Fappointments%3Fstatus%3Dcancelled"
    assert auth.PENDING_KEY not in request.session


def test_an_ended_sign_in_on_a_form_keeps_the_answers_but_not_the_secrets():
    request = request_for(
        "POST",
        "/appointments/1/cancel",
        {"reason": "Better", "password": "pw", "csrfmiddlewaretoken": "t"},
    )
    request.session[auth.ENDED_KEY] = True

    response = middleware().process_exception(request, auth.SignInRequired())

    assert response["Location"] == "/sign-in?next=%2Fappointments%2F1%2Fcancel&reason=expired"
    assert request.session[auth.PENDING_KEY] == {"/appointments/1/cancel": {"reason": ["Better"]}}


def test_a_service_that_is_down_is_the_503_page_with_a_reference():
    set_request_id("abcdef0123456789")
    try:
        response = middleware().process_exception(
            request_for("GET", "/doctors"),
            ServiceUnavailable("The user service cannot be reached."),
        )
    finally:
        set_request_id(None)

    page = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Reference: <code>abcdef01</code>" in page
    assert "cannot be reached" not in page


def test_the_503_page_without_a_request_id_has_no_reference():
    response = middleware().process_exception(request_for("GET", "/"), ServiceUnavailable())

    assert "Reference" not in response.content.decode()


def test_other_errors_are_left_to_django():
    assert middleware().process_exception(request_for("GET", "/"), ValueError("x")) is None
