"""Pages for everyone: home, help, register, sign in and out, time zone, errors and security."""

from __future__ import annotations

import datetime
import re
import uuid

import pytest
from django.test import Client

from common.testing import user_token
from portal.web import auth
from portal.web.tests.helpers import (
    PASSWORD,
    SERVICE_TOKEN,
    appointment_body,
    forget_requests,
    messages_of,
    page_text,
    paginated,
    problem_body,
    profile_body,
    sent,
    specialty_body,
)

pytestmark = pytest.mark.django_db

IN_A_WEEK = datetime.datetime.now(datetime.UTC).replace(microsecond=0) + datetime.timedelta(days=7)


def route_sign_in(api, role="patient", *, person_id=None, full_name="Ada Lovelace", zone=None):
    person_id = person_id or uuid.uuid4()
    access = user_token(person_id, role)
    api.route("POST", "/api/v1/auth/token", json={"access": access, "refresh": "refresh-1"})
    api.route(
        "GET",
        "/api/v1/profiles/me/",
        json={"id": str(person_id), "role": role, "full_name": full_name, "timezone": zone},
    )
    return person_id, access


# Home and help


def test_home_for_someone_signed_out_calls_no_api(client, api, settings):
    settings.PUBLIC_SERVICE_URLS = {
        "auth": "https://auth.clinic.example",
        "user": "https://users.clinic.example",
        "schedule": "https://schedule.clinic.example",
        "appointment": "https://appointments.clinic.example",
    }

    response = client.get("/")

    page = page_text(response)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "<h1>Book a doctor's appointment</h1>" in page
    assert 'href="/sign-in"' in page
    assert "Your next appointment" not in page
    assert "https://auth.clinic.example/api/docs/" in page
    assert "https://appointments.clinic.example/api/docs/" in page
    assert api.requests == []


def test_home_shows_the_next_appointment_with_the_doctors_name(signed_in_patient, api):
    doctor_id = uuid.uuid4()
    start = datetime.datetime(2030, 3, 4, 9, 30, tzinfo=datetime.UTC)
    body = appointment_body(
        patient_id=signed_in_patient.person_id, doctor_id=doctor_id, start=start
    )
    api.route("GET", "/api/v1/appointments/", json=paginated([body], count=3))
    api.route(
        "GET",
        "/internal/v1/profiles/",
        json=paginated([profile_body(doctor_id, full_name="Dr Who")]),
    )

    response = signed_in_patient.get("/")

    page = page_text(response)
    assert response.status_code == 200
    assert "Monday 4 March 2030 at 9:30am" in page
    assert "With Dr Who." in page
    assert f'href="/appointments/{body["id"]}"' in page
    assert "All 3 upcoming appointments" in page
    [listed] = sent(api, "GET", "/api/v1/appointments/")
    assert listed.params == {"status": "upcoming", "page_size": "1", "page": "1"}
    assert listed.bearer == signed_in_patient.access
    [names] = sent(api, "GET", "/internal/v1/profiles/")
    assert names.params == {"ids": str(doctor_id), "page_size": "100"}
    assert names.bearer == SERVICE_TOKEN


def test_home_without_an_upcoming_appointment_says_so_and_asks_no_names(signed_in_patient, api):
    api.route("GET", "/api/v1/appointments/", json=paginated([]))

    response = signed_in_patient.get("/")

    assert response.status_code == 200
    assert "You have no upcoming appointments." in page_text(response)
    assert sent(api, path="/internal/v1/profiles/") == []


def test_home_sends_a_doctor_to_their_day(signed_in_doctor, api):
    response = signed_in_doctor.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/doctor/day"
    assert api.requests == []


def test_help_page_names_the_clinic_phone_and_zone(client, settings):
    settings.CLINIC_PHONE = "020 7946 0000"
    settings.CLINIC_TIME_ZONE = "Europe/Dublin"

    response = client.get("/help")

    page = page_text(response)
    assert response.status_code == 200
    assert 'href="tel:02079460000"' in page
    assert "020 7946 0000" in page
    assert "(Europe/Dublin)" in page
    assert f"{settings.PUBLIC_SERVICE_URLS['schedule']}/api/docs/" in page


def test_pages_answer_get_only_where_they_only_show(client):
    assert client.post("/").status_code == 405
    assert client.post("/help").status_code == 405


def test_health(client):
    assert client.get("/healthz").json() == {"status": "ok", "service": "portal"}
    assert client.get("/readyz").status_code == 200


# Register


REGISTRATION = {
    "full_name": "Ada Lovelace",
    "email": "ada@example.com",
    "password": PASSWORD,
    "time_zone": "Asia/Tokyo",
}


def test_register_page_has_the_fields_and_no_browser_validation(client):
    response = client.get("/register")

    page = page_text(response)
    assert response.status_code == 200
    assert '<form method="post" novalidate>' in page
    assert 'name="full_name"' in page and 'name="email"' in page and 'name="password"' in page
    assert " required" not in page
    assert 'autocomplete="new-password"' in page


def test_register_creates_the_account_signs_in_and_goes_to_the_doctors(client, api):
    person_id, access = route_sign_in(api)
    api.route(
        "POST",
        "/api/v1/auth/register",
        status=201,
        json={"id": str(person_id), "email": "ada@example.com", "role": "patient"},
    )

    response = client.post("/register", REGISTRATION)

    assert response.status_code == 302
    assert response["Location"] == "/doctors"
    assert messages_of(response) == ["Your account is ready. You are signed in."]
    [register] = sent(api, "POST", "/api/v1/auth/register")
    assert register.json == {
        "email": "ada@example.com",
        "password": PASSWORD,
        "role": "patient",
        "full_name": "Ada Lovelace",
    }
    assert register.bearer is None
    [token] = sent(api, "POST", "/api/v1/auth/token")
    assert token.json == {"email": "ada@example.com", "password": PASSWORD}
    [me] = sent(api, "GET", "/api/v1/profiles/me/")
    assert me.bearer == access
    session = client.session
    assert session[auth.SESSION_KEY]["id"] == str(person_id)
    assert session[auth.SESSION_KEY]["role"] == "patient"
    assert session[auth.TIME_ZONE_KEY] == "Asia/Tokyo"


def test_register_with_a_taken_email_puts_the_message_on_the_email_field(client, api):
    api.route("POST", "/api/v1/auth/register", status=409, json=problem_body(409, "email-taken"))

    response = client.post("/register", REGISTRATION)

    page = page_text(response)
    assert response.status_code == 400
    assert (
        '<p class="error-message" id="id_email_error"><span class="vh">Error:</span> '
        "An account with this email address already exists. Sign in or reset your password.</p>"
    ) in page
    assert '<a href="#id_email">An account with this email address already exists.' in page
    assert 'id="id_password_error"><span class="vh">Error:</span> Enter your password again' in page
    assert PASSWORD not in page
    assert 'value="Ada Lovelace"' in page and 'value="ada@example.com"' in page
    assert sent(api, "POST", "/api/v1/auth/token") == []
    assert auth.SESSION_KEY not in client.session


@pytest.mark.parametrize(
    ("code", "sentence"),
    [
        ("password_too_short", "Password must be at least 10 characters"),
        ("password_too_common", "This password is too common. Choose another"),
        ("password_entirely_numeric", "Password cannot be only numbers"),
        ("password_too_similar", "Password is too similar to your email address"),
    ],
)
def test_register_with_a_weak_password_says_why_next_to_the_password(client, api, code, sentence):
    api.route(
        "POST",
        "/api/v1/auth/register",
        status=400,
        json=problem_body(
            400,
            "validation-error",
            errors=[{"field": "password", "code": code, "detail": "Django's own words."}],
        ),
    )

    response = client.post("/register", {**REGISTRATION, "password": "weak"})

    page = page_text(response)
    assert response.status_code == 400
    assert f'id="id_password_error"><span class="vh">Error:</span> {sentence}</p>' in page
    assert "Django&#x27;s own words." not in page
    assert "Enter your password again" not in page
    assert 'value="weak"' not in page
    assert auth.SESSION_KEY not in client.session


def test_register_form_errors_keep_the_other_answers_but_never_the_password(client, api):
    response = client.post(
        "/register",
        {"full_name": "Ada <b>Lovelace</b>", "email": "not-an-email", "password": "x" * 12},
    )

    page = page_text(response)
    assert response.status_code == 400
    assert "Error: Create an account" in page
    assert "Enter an email address in the correct format, like name@example.com" in page
    assert 'value="Ada &lt;b&gt;Lovelace&lt;/b&gt;"' in page
    assert 'value="not-an-email"' in page
    assert "Enter your password again" in page
    assert "x" * 12 not in page
    assert api.requests == []


def test_register_with_nothing_filled_in_says_what_is_missing(client, api):
    response = client.post("/register", {})

    page = page_text(response)
    assert response.status_code == 400
    for text in ("Enter your full name", "Enter your email address", "Enter a password"):
        assert text in page
    assert api.requests == []


def test_register_as_a_doctor_offers_the_specialties_from_one_cached_call(client, api):
    api.route(
        "GET",
        "/api/v1/specialties/",
        json=paginated([specialty_body(), specialty_body("dermatology", "Dermatology")]),
    )

    first = client.get("/register/doctor")
    second = client.get("/register/doctor")

    page = page_text(first)
    assert first.status_code == second.status_code == 200
    assert '<option value="cardiology">Cardiology</option>' in page
    assert '<option value="dermatology">Dermatology</option>' in page
    assert '<option value="Europe/London">London (UTC' in page
    [call] = sent(api, "GET", "/api/v1/specialties/")
    assert call.params == {"page_size": "100"}


def test_register_as_a_doctor_sends_the_doctors_details_and_says_what_happens_next(client, api):
    api.route("GET", "/api/v1/specialties/", json=paginated([specialty_body()]))
    person_id, _ = route_sign_in(api, "doctor", full_name="Dr Grace Hopper", zone="Europe/Paris")
    api.route(
        "POST",
        "/api/v1/auth/register",
        status=201,
        json={"id": str(person_id), "email": "grace@example.com", "role": "doctor"},
    )

    response = client.post(
        "/register/doctor",
        {
            "full_name": "Dr Grace Hopper",
            "email": "grace@example.com",
            "password": PASSWORD,
            "specialty": "cardiology",
            "timezone": "Europe/Paris",
            "bio": "Hearts.",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/doctor/availability"
    [message] = messages_of(response)
    assert message.startswith("Your account is ready. Clinic staff will check your details")
    [register] = sent(api, "POST", "/api/v1/auth/register")
    assert register.json == {
        "email": "grace@example.com",
        "password": PASSWORD,
        "role": "doctor",
        "full_name": "Dr Grace Hopper",
        "specialty": "cardiology",
        "timezone": "Europe/Paris",
        "bio": "Hearts.",
    }
    assert client.session[auth.SESSION_KEY]["role"] == "doctor"


def test_register_as_a_doctor_needs_a_specialty_and_a_zone(client, api):
    api.route("GET", "/api/v1/specialties/", json=paginated([specialty_body()]))

    response = client.post("/register/doctor", {**REGISTRATION, "specialty": "surgery"})

    page = page_text(response)
    assert response.status_code == 400
    assert "Select a time zone" in page
    assert "Select a valid choice" in page
    assert sent(api, "POST") == []


# Sign in and out


def test_sign_in_page(client):
    response = client.get("/sign-in?next=/appointments")

    page = page_text(response)
    assert response.status_code == 200
    assert "Sign in to carry on." in page
    assert '<input type="hidden" name="next" value="/appointments">' in page
    assert 'autocomplete="current-password"' in page


def test_sign_in_goes_back_to_next_and_keeps_tokens_out_of_the_browser(client, api):
    person_id, access = route_sign_in(api, zone=None)

    response = client.post(
        "/sign-in?next=/appointments%3Fstatus%3Dcancelled",
        {"email": "ada@example.com", "password": PASSWORD, "time_zone": "Asia/Kolkata"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/appointments?status=cancelled"
    data = client.session[auth.SESSION_KEY]
    assert data["id"] == str(person_id)
    assert data["access"] == access
    assert data["refresh"] == "refresh-1"
    assert data["email"] == "ada@example.com"
    assert data["full_name"] == "Ada Lovelace"
    assert client.session[auth.TIME_ZONE_KEY] == "Asia/Kolkata"
    cookies = "; ".join(f"{c.key}={c.value}" for c in response.cookies.values())
    assert access not in cookies and "refresh-1" not in cookies


def test_sign_in_starts_a_new_session(client, api):
    route_sign_in(api)
    client.get("/sign-in")
    session = client.session
    session["probe"] = "x"
    session.save()
    before = client.cookies["clinic_session"].value

    client.post("/sign-in", {"email": "ada@example.com", "password": PASSWORD})

    assert client.cookies["clinic_session"].value != before


def test_sign_in_when_already_signed_in_goes_on(signed_in_patient):
    response = signed_in_patient.get("/sign-in?next=/doctors")

    assert response.status_code == 302
    assert response["Location"] == "/doctors"


def test_sign_in_with_wrong_details_says_so_and_asks_for_the_password_again(client, api):
    api.route(
        "POST", "/api/v1/auth/token", status=401, json=problem_body(401, "invalid-credentials")
    )

    response = client.post(
        "/sign-in", {"email": "ada@example.com", "password": "wrong password", "next": "/doctors"}
    )

    page = page_text(response)
    assert response.status_code == 400
    assert "<li>The email address or password is not correct</li>" in page
    assert "Enter your password again" in page
    assert 'value="ada@example.com"' in page
    assert "wrong password" not in page
    assert '<input type="hidden" name="next" value="/doctors">' in page
    assert sent(api, "GET", "/api/v1/profiles/me/") == []
    assert auth.SESSION_KEY not in client.session


def test_sign_in_too_often_is_429_with_a_plain_sentence(client, api):
    api.route("POST", "/api/v1/auth/token", status=429, json=problem_body(429, "throttled"))

    response = client.post("/sign-in", {"email": "ada@example.com", "password": PASSWORD})

    assert response.status_code == 429
    assert "You have tried to sign in too many times." in page_text(response)
    assert auth.SESSION_KEY not in client.session


def test_sign_in_with_empty_fields_calls_no_api(client, api):
    response = client.post("/sign-in", {"email": "", "password": ""})

    page = page_text(response)
    assert response.status_code == 400
    assert "Enter your email address" in page
    assert "Enter your password" in page
    assert api.requests == []


@pytest.mark.parametrize(
    "evil",
    [
        "https://evil.example",
        "//evil.example/x",
        "https://evil.example/appointments",
        "/\\evil.example",
        "javascript:alert(1)",
    ],
)
def test_sign_in_ignores_a_next_address_on_another_site(client, api, evil):
    route_sign_in(api)

    response = client.post(
        "/sign-in", {"email": "ada@example.com", "password": PASSWORD, "next": evil}
    )

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_doctor_signing_in_lands_on_their_day(client, api):
    route_sign_in(api, "doctor", zone="Europe/Paris")

    response = client.post("/sign-in", {"email": "grace@example.com", "password": PASSWORD})

    assert response["Location"] == "/doctor/day"
    assert client.session[auth.SESSION_KEY]["time_zone"] == "Europe/Paris"


def test_sign_out_is_post_only(signed_in_patient, api):
    response = signed_in_patient.get("/sign-out")

    assert response.status_code == 405
    assert auth.SESSION_KEY in signed_in_patient.session
    assert api.requests == []


def test_sign_out_revokes_the_refresh_token_and_ends_the_session(signed_in_patient, api):
    api.route("POST", "/api/v1/auth/logout", status=204)

    response = signed_in_patient.post("/sign-out")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert messages_of(response) == ["You have signed out."]
    [logout] = sent(api, "POST", "/api/v1/auth/logout")
    assert logout.json == {"refresh": signed_in_patient.refresh}
    assert auth.SESSION_KEY not in signed_in_patient.session


def test_sign_out_still_signs_out_when_auth_service_is_down(signed_in_patient, api):
    api.route("POST", "/api/v1/auth/logout", status=503)

    response = signed_in_patient.post("/sign-out")

    assert response.status_code == 302
    assert auth.SESSION_KEY not in signed_in_patient.session


def test_sign_out_keeps_the_chosen_time_zone(sign_in, api):
    patient = sign_in(browser_zone="Asia/Tokyo")
    api.route("POST", "/api/v1/auth/logout", status=204)

    patient.post("/sign-out")

    assert patient.session[auth.TIME_ZONE_KEY] == "Asia/Tokyo"


def test_sign_out_without_a_session_revokes_nothing(client, api):
    response = client.post("/sign-out")

    assert response.status_code == 302
    assert api.requests == []


# Time zone


def test_time_zone_page_preselects_the_zone_in_use(client):
    session = client.session
    session[auth.TIME_ZONE_KEY] = "Asia/Tokyo"
    session.save()

    response = client.get("/settings/time-zone?next=/doctors")

    page = page_text(response)
    assert response.status_code == 200
    assert '<option value="Asia/Tokyo" selected>Tokyo (UTC+9)</option>' in page
    assert '<a href="/doctors">Back without changing</a>' in page


def test_time_zone_page_offers_a_detected_zone_missing_from_the_list(client):
    session = client.session
    session[auth.TIME_ZONE_KEY] = "Asia/Kathmandu"
    session.save()

    page = page_text(client.get("/settings/time-zone"))

    assert '<option value="Asia/Kathmandu" selected>Kathmandu (UTC+5:45)</option>' in page


def test_choosing_a_time_zone_keeps_it_and_goes_back(client):
    response = client.post(
        "/settings/time-zone", {"time_zone": "America/Sao_Paulo", "next": "/doctors?q=heart"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/doctors?q=heart"
    assert client.session[auth.TIME_ZONE_KEY] == "America/Sao_Paulo"
    assert messages_of(response) == ["Times are now shown in Sao Paulo time (UTC-3)."]


def test_choosing_a_detected_zone_not_in_the_list_is_accepted(client):
    response = client.post("/settings/time-zone", {"time_zone": "Pacific/Chatham"})

    assert response.status_code == 302
    assert client.session[auth.TIME_ZONE_KEY] == "Pacific/Chatham"


@pytest.mark.parametrize("value", ["Mars/Olympus_Mons", "", "<script>"])
def test_choosing_an_unknown_time_zone_changes_nothing(client, value):
    response = client.post("/settings/time-zone", {"time_zone": value})

    page = page_text(response)
    assert response.status_code == 400
    assert "Select a time zone" in page
    assert "<script>" not in page.split("<main", 1)[1]
    assert auth.TIME_ZONE_KEY not in client.session


@pytest.mark.parametrize("evil", ["https://evil.example/", "//evil.example", "javascript:alert(1)"])
def test_time_zone_ignores_a_next_address_on_another_site(client, evil):
    response = client.post("/settings/time-zone", {"time_zone": "UTC", "next": evil})

    assert response["Location"] == "/"
    page = page_text(client.get("/settings/time-zone", {"next": evil}))
    assert evil not in page
    assert '<a href="/">Back without changing</a>' in page


# Errors


def test_unknown_address_is_the_404_page(client):
    response = client.get("/no-such-page")

    page = page_text(response)
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in page
    assert 'href="/doctors"' in page


def test_form_sent_without_its_csrf_token_is_the_expired_form_page(api):
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(
        "/sign-in", {"email": "ada@example.com", "password": PASSWORD, "next": "/doctors"}
    )

    page = page_text(response)
    assert response.status_code == 403
    assert "<h1>This form has expired</h1>" in page
    assert "Nothing was sent." in page
    assert api.requests == []


def test_form_sent_with_its_csrf_token_passes(api):
    browser = Client(enforce_csrf_checks=True)
    route_sign_in(api)
    page = page_text(browser.get("/sign-in"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    response = browser.post(
        "/sign-in", {"email": "ada@example.com", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 302


def test_server_error_page_is_calm(rf):
    from django.contrib.sessions.backends.cache import SessionStore

    from portal.web.views import errors

    request = rf.get("/")
    request.session = SessionStore()
    response = errors.server_error(request)

    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in page_text(response)


def test_a_service_that_is_down_gives_the_503_page(signed_in_patient, api):
    api.stop()

    response = signed_in_patient.get("/appointments", HTTP_X_REQUEST_ID="req-0123456789")

    page = page_text(response)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Sorry, booking is not working right now" in page
    assert "Reference: <code>req-0123</code>" in page
    assert "Traceback" not in page and "ConnectionError" not in page
    assert "not saved" not in page  # only a page was asked for: nothing was sent
    assert auth.SESSION_KEY in signed_in_patient.session


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_service_answering_5xx_gives_the_503_page(signed_in_patient, api, status):
    api.route("GET", "/api/v1/appointments/", status=status, json={"detail": "boom at line 42"})

    response = signed_in_patient.get("/appointments")

    page = page_text(response)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    reference = response["X-Request-ID"][:8]
    assert f"Reference: <code>{reference}</code>" in page
    assert "boom" not in page


def test_a_service_giving_an_unusable_answer_gives_the_503_page(signed_in_patient, api):
    api.route("GET", "/api/v1/appointments/", json={"results": "not a list"})

    response = signed_in_patient.get("/appointments")

    assert response.status_code == 503


def test_a_page_for_signed_in_people_sends_others_to_sign_in(client, api):
    response = client.get("/appointments?status=cancelled")

    assert response.status_code == 302
    assert response["Location"] == "/sign-in?next=%2Fappointments%3Fstatus%3Dcancelled"
    assert api.requests == []
    page = page_text(client.get(response["Location"]))
    assert "Sign in to carry on." in page
    assert "signed out after a period of inactivity" not in page


# An ended sign-in, and the token renewed on the way


def test_an_expired_sign_in_mid_form_keeps_the_answers_for_after_signing_in(sign_in, api):
    patient = sign_in(lifetime=-60)
    slot_id = uuid.uuid4()
    api.route("POST", "/api/v1/auth/token/refresh", status=401, json=problem_body(401, "x"))

    response = patient.post(
        f"/book/{slot_id}",
        {"reason": "Knee pain", "password": "never-kept", "idempotency_key": str(uuid.uuid4())},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/sign-in?next=%2Fbook%2F{slot_id}&reason=expired"
    [refresh] = sent(api, "POST", "/api/v1/auth/token/refresh")
    assert refresh.json == {"refresh": patient.refresh}
    assert sent(api, path=f"/api/v1/slots/{slot_id}/") == []
    assert sent(api, path="/api/v1/appointments/") == []
    session = patient.session
    assert auth.SESSION_KEY not in session
    kept = session[auth.PENDING_KEY][f"/book/{slot_id}"]
    assert kept["reason"] == ["Knee pain"]
    assert "password" not in kept and "csrfmiddlewaretoken" not in kept

    page = page_text(patient.get(response["Location"]))
    assert "You were signed out after a period of inactivity." in page

    # Signing in again goes back to the form, refilled.
    person_id = uuid.uuid4()
    route_sign_in(api, person_id=person_id)
    back = patient.post(response["Location"], {"email": "ada@example.com", "password": PASSWORD})
    assert back["Location"] == f"/book/{slot_id}"
    doctor_id = uuid.uuid4()
    api.route(
        "GET",
        f"/api/v1/slots/{slot_id}/",
        json={
            "id": str(slot_id),
            "doctor_id": str(doctor_id),
            "start": "2030-03-04T09:00:00Z",
            "end": "2030-03-04T09:30:00Z",
            "bookable": True,
        },
    )
    api.route(
        "GET",
        f"/api/v1/doctors/{doctor_id}/",
        json={
            "id": str(doctor_id),
            "full_name": "Dr Who",
            "specialty": specialty_body(),
            "bio": "",
            "timezone": "Europe/London",
        },
    )
    refilled = page_text(patient.get(f"/book/{slot_id}"))
    assert ">\nKnee pain</textarea>" in refilled
    assert "never-kept" not in refilled
    # Once only.
    assert ">\nKnee pain</textarea>" not in page_text(patient.get(f"/book/{slot_id}"))


def test_a_token_refused_twice_ends_the_sign_in(signed_in_patient, api):
    api.route("GET", "/api/v1/appointments/", status=401, json=problem_body(401, "x"))
    new_access = user_token(signed_in_patient.person_id, "patient")
    api.route(
        "POST", "/api/v1/auth/token/refresh", json={"access": new_access, "refresh": "refresh-2"}
    )

    response = signed_in_patient.get("/appointments")

    assert response.status_code == 302
    assert response["Location"] == "/sign-in?next=%2Fappointments&reason=expired"
    assert [c.bearer for c in sent(api, "GET", "/api/v1/appointments/")] == [
        signed_in_patient.access,
        new_access,
    ]
    assert auth.SESSION_KEY not in signed_in_patient.session


def test_a_token_refused_once_is_renewed_and_the_call_repeated(signed_in_patient, api):
    new_access = user_token(signed_in_patient.person_id, "patient")
    api.route(
        "POST", "/api/v1/auth/token/refresh", json={"access": new_access, "refresh": "refresh-2"}
    )
    api.route("GET", "/api/v1/appointments/", json=paginated([]))
    api.route("GET", "/api/v1/appointments/", status=401, json=problem_body(401, "x"), times=1)

    response = signed_in_patient.get("/appointments")

    assert response.status_code == 200
    assert [c.bearer for c in sent(api, "GET", "/api/v1/appointments/")] == [
        signed_in_patient.access,
        new_access,
    ]
    [refresh] = sent(api, "POST", "/api/v1/auth/token/refresh")
    assert refresh.json == {"refresh": signed_in_patient.refresh}
    assert signed_in_patient.session[auth.SESSION_KEY]["access"] == new_access


def test_an_access_token_about_to_expire_is_renewed_once_before_the_call(sign_in, api):
    patient = sign_in(lifetime=10)
    new_access = user_token(patient.person_id, "patient", lifetime=600)
    api.route(
        "POST", "/api/v1/auth/token/refresh", json={"access": new_access, "refresh": "refresh-2"}
    )
    api.route("GET", "/api/v1/appointments/", json=paginated([]))

    first = patient.get("/appointments")
    second = patient.get("/appointments?status=completed")

    assert first.status_code == second.status_code == 200
    [refresh] = sent(api, "POST", "/api/v1/auth/token/refresh")
    assert refresh.json == {"refresh": patient.refresh}
    assert [c.bearer for c in sent(api, "GET", "/api/v1/appointments/")] == [new_access] * 2
    data = patient.session[auth.SESSION_KEY]
    assert (data["access"], data["refresh"]) == (new_access, "refresh-2")


# Security


def test_pages_carry_the_security_headers(client):
    response = client.get("/")

    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "form-action 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_pages_have_no_inline_script_or_style(client):
    page = page_text(client.get("/register"))

    assert re.search(r"<script(?![^>]*\bsrc=)", page) is None
    assert "<style" not in page
    assert " style=" not in page
    assert re.search(r"\son[a-z]+=", page) is None


def test_session_cookie_is_httponly_and_samesite_lax_and_holds_no_token(client, api):
    person_id, access = route_sign_in(api)

    response = client.post("/sign-in", {"email": "ada@example.com", "password": PASSWORD})

    cookie = response.cookies["clinic_session"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    for morsel in response.cookies.values():
        assert access not in morsel.value and "refresh-1" not in morsel.value
    forget_requests(api)
    api.route("GET", "/api/v1/appointments/", json=paginated([]))
    page = page_text(client.get("/"))
    assert access not in page and "refresh-1" not in page
    assert "Ada Lovelace" in page


def test_the_signed_in_persons_name_is_escaped(sign_in, api):
    patient = sign_in(full_name="<script>alert(1)</script>")
    api.route("GET", "/api/v1/appointments/", json=paginated([]))

    page = page_text(patient.get("/"))

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_home_page_shows_an_upcoming_time_in_the_chosen_zone(sign_in, api):
    patient = sign_in(browser_zone="Asia/Kolkata")
    doctor_id = uuid.uuid4()
    start = datetime.datetime(2030, 3, 4, 4, 0, tzinfo=datetime.UTC)
    api.route(
        "GET",
        "/api/v1/appointments/",
        json=paginated(
            [appointment_body(patient_id=patient.person_id, doctor_id=doctor_id, start=start)]
        ),
    )
    api.route("GET", "/internal/v1/profiles/", json=paginated([]))

    page = page_text(patient.get("/"))

    assert "Monday 4 March 2030 at 9:30am" in page
    assert "Times are in Kolkata time (UTC+5:30)." in page
    assert "With your doctor." in page


def test_a_database_fault_gives_the_503_page_without_touching_the_session(rf):
    """The sessions live in the database: the page is drawn without them, no one signed in."""
    from django.db import OperationalError

    from common.db import RETRYABLE_ATTRIBUTE
    from portal.web.views import errors

    class BrokenSession:
        def __getattr__(self, name):
            raise AssertionError("the session was read")

    request = rf.get("/appointments")
    request.session = BrokenSession()
    try:
        raise OperationalError("the database system is shutting down")
    except OperationalError:
        response = errors.server_error(request)

    page = page_text(response)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Sorry, booking is not working right now" in page
    assert "Sign out" not in page
    assert getattr(response, RETRYABLE_ATTRIBUTE) is False
