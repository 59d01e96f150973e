"""A password the clinic reset: sign-in asks for a new one, chosen on the portal's own form."""

from __future__ import annotations

import uuid

import pytest

from common.testing import user_token
from portal.web import auth
from portal.web.tests.helpers import (
    PASSWORD,
    SERVICE_TOKEN,
    messages_of,
    page_text,
    problem_body,
    sent,
)

pytestmark = pytest.mark.django_db

RENEW_API = "/api/v1/auth/password/renew"
TOKEN_API = "/api/v1/auth/token"
TEMPORARY = "k7qm-x3fp-w9cz"
NEW = "a brand new passphrase"
RENEWAL = {
    "email": "ada@example.com",
    "temporary_password": TEMPORARY,
    "new_password": NEW,
    "time_zone": "Asia/Tokyo",
}


def route_profile(api, role="patient"):
    person_id = uuid.uuid4()
    api.route(
        "GET",
        "/api/v1/profiles/me/",
        json={"id": str(person_id), "role": role, "full_name": "Ada Lovelace", "timezone": None},
    )
    return person_id


def test_a_temporary_password_at_sign_in_leads_to_the_choose_a_new_password_form(client, api):
    api.route("POST", TOKEN_API, status=403, json=problem_body(403, "password-change-required"))

    response = client.post(
        "/sign-in?next=/appointments", {"email": "ada@example.com", "password": TEMPORARY}
    )

    assert response.status_code == 302
    assert response["Location"] == "/password/renew?next=%2Fappointments"
    assert auth.SESSION_KEY not in client.session
    assert sent(api, "GET", "/api/v1/profiles/me/") == []

    page_response = client.get(response["Location"])

    page = page_text(page_response)
    assert page_response.status_code == 200
    assert "<h1>Choose a new password</h1>" in page
    assert "The clinic has reset your password." in page
    assert 'value="ada@example.com"' in page
    assert TEMPORARY not in page
    assert '<input type="hidden" name="next" value="/appointments">' in page
    assert 'autocomplete="new-password"' in page
    assert " required" not in page


def test_choosing_a_new_password_sets_it_and_signs_in(client, api):
    api.route("POST", RENEW_API, status=204)
    access = user_token(uuid.uuid4(), "patient")
    api.route("POST", TOKEN_API, json={"access": access, "refresh": "refresh-1"})
    route_profile(api)

    response = client.post("/password/renew?next=/appointments", RENEWAL)

    assert response.status_code == 302
    assert response["Location"] == "/appointments"
    assert messages_of(response) == ["Your new password is set. You are signed in."]
    [renew] = sent(api, "POST", RENEW_API)
    assert renew.json == {
        "email": "ada@example.com",
        "temporary_password": TEMPORARY,
        "new_password": NEW,
    }
    assert renew.headers["X-Forwarder-Token"] == SERVICE_TOKEN
    assert renew.headers["X-Client-Address"] == "127.0.0.1"
    [token] = sent(api, "POST", TOKEN_API)
    assert token.json == {"email": "ada@example.com", "password": NEW}
    assert client.session[auth.SESSION_KEY]["access"] == access
    assert client.session[auth.TIME_ZONE_KEY] == "Asia/Tokyo"


def test_a_wrong_temporary_password_says_so_and_echoes_no_password(client, api):
    api.route("POST", RENEW_API, status=401, json=problem_body(401, "invalid-credentials"))

    response = client.post("/password/renew", RENEWAL)

    page = page_text(response)
    assert response.status_code == 400
    assert "<li>The email address or temporary password is not correct</li>" in page
    assert TEMPORARY not in page and NEW not in page
    assert 'value="ada@example.com"' in page
    assert sent(api, "POST", TOKEN_API) == []
    assert auth.SESSION_KEY not in client.session


@pytest.mark.parametrize(
    ("code", "sentence"),
    [
        ("password_too_short", "Password must be at least 10 characters"),
        ("password-unchanged", "Choose a new password, not the temporary one"),
    ],
)
def test_a_new_password_the_rules_refuse_is_explained_next_to_it(client, api, code, sentence):
    api.route(
        "POST",
        RENEW_API,
        status=400,
        json=problem_body(
            400,
            "validation-error",
            errors=[{"field": "new_password", "code": code, "detail": "API words"}],
        ),
    )

    response = client.post("/password/renew", RENEWAL)

    page = page_text(response)
    assert response.status_code == 400
    assert f'id="id_new_password_error"><span class="vh">Error:</span> {sentence}' in page
    assert sent(api, "POST", TOKEN_API) == []


def test_too_many_tries_is_429_with_a_plain_sentence(client, api):
    api.route("POST", RENEW_API, status=429, json=problem_body(429, "throttled"))

    response = client.post("/password/renew", RENEWAL)

    assert response.status_code == 429
    assert "You have tried to sign in too many times." in page_text(response)


def test_empty_fields_call_no_api(client, api):
    response = client.post("/password/renew", {"email": "", "time_zone": ""})

    page = page_text(response)
    assert response.status_code == 400
    assert "Enter your email address" in page
    assert "Enter the temporary password the clinic gave you" in page
    assert "Enter a new password" in page
    assert api.requests == []


def test_a_new_password_set_but_no_sign_in_sends_the_person_to_sign_in(client, api):
    api.route("POST", RENEW_API, status=204)
    api.route("POST", TOKEN_API, json={"access": "a", "refresh": "r"})
    api.route("GET", "/api/v1/profiles/me/", status=404, json=problem_body(404, "not-found"))

    response = client.post("/password/renew?next=/doctors", RENEWAL)

    assert response.status_code == 302
    assert response["Location"] == "/sign-in?next=%2Fdoctors"
    assert messages_of(response) == ["Your new password is set. Sign in with it."]
    assert auth.SESSION_KEY not in client.session


def test_the_sign_in_page_offers_the_form_and_it_ignores_a_next_on_another_site(client, api):
    api.route("POST", RENEW_API, status=204)
    api.route(
        "POST", TOKEN_API, json={"access": user_token(uuid.uuid4(), "patient"), "refresh": "r"}
    )
    route_profile(api)

    assert 'href="/password/renew"' in page_text(client.get("/sign-in"))
    response = client.post("/password/renew?next=https://evil.example", RENEWAL)

    assert response["Location"] == "/"


def test_the_page_answers_get_and_post_only(client):
    assert client.put("/password/renew").status_code == 405
    assert client.get("/password/renew").status_code == 200


def test_a_kept_form_never_keeps_the_passwords():
    assert {"temporary_password", "new_password", "password"} <= auth.UNKEPT_FIELDS


def test_wrong_details_at_sign_in_still_say_so(client, api):
    api.route("POST", TOKEN_API, status=401, json=problem_body(401, "invalid-credentials"))

    response = client.post("/sign-in", {"email": "ada@example.com", "password": PASSWORD})

    assert response.status_code == 400
    assert "The email address or password is not correct" in page_text(response)
