"""The signed-in person in the server-side session."""

from __future__ import annotations

import time
import uuid
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.test import RequestFactory

from common.testing import user_token
from portal.web import auth


@pytest.fixture
def request_():
    request = RequestFactory().get("/")
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    return request


def sign_in(request, *, role="patient", person_id=None, lifetime=600, **extra):
    person_id = person_id or uuid.uuid4()
    person = auth.sign_in(
        request,
        access=user_token(person_id, role, lifetime=lifetime),
        refresh="refresh-1",
        email="ada@example.com",
        full_name="Ada Lovelace",
        time_zone=extra.get("time_zone"),
    )
    return person_id, person


def test_sign_in_keeps_who_and_until_when_in_a_new_session(request_):
    request_.session["probe"] = 1
    request_.session.save()
    old_key = request_.session.session_key

    person_id, person = sign_in(request_, role="doctor", time_zone="Europe/Paris")

    assert request_.session.session_key != old_key
    data = request_.session[auth.SESSION_KEY]
    assert data["id"] == str(person_id)
    assert data["role"] == "doctor"
    assert data["refresh"] == "refresh-1"
    assert abs(data["expires_at"] - (time.time() + 600)) < 5
    assert person == auth.Person(
        id=person_id,
        role="doctor",
        email="ada@example.com",
        full_name="Ada Lovelace",
        time_zone="Europe/Paris",
    )
    assert person.is_doctor and not person.is_patient


def test_sign_in_keeps_forms_and_the_zone_of_before_and_forgets_the_ended_note(request_):
    auth.keep_pending_form(request_, path="/book/1", data={"reason": ["Knee"]})
    request_.session[auth.TIME_ZONE_KEY] = "Asia/Tokyo"
    request_.session[auth.ENDED_KEY] = True

    sign_in(request_)

    assert request_.session[auth.PENDING_KEY] == {"/book/1": {"reason": ["Knee"]}}
    assert request_.session[auth.TIME_ZONE_KEY] == "Asia/Tokyo"
    assert auth.ENDED_KEY not in request_.session


def test_sign_out_returns_the_refresh_token_and_keeps_only_the_zone(request_):
    sign_in(request_)
    request_.session[auth.TIME_ZONE_KEY] = "Asia/Tokyo"
    auth.keep_pending_form(request_, path="/x", data={"a": ["b"]})

    refresh = auth.sign_out(request_)

    assert refresh == "refresh-1"
    assert dict(request_.session) == {auth.TIME_ZONE_KEY: "Asia/Tokyo"}
    assert auth.current_person(request_) is None


def test_sign_out_without_a_sign_in(request_):
    assert auth.sign_out(request_) is None
    assert dict(request_.session) == {}


def test_ending_a_sign_in_leaves_a_note(request_):
    sign_in(request_)

    auth.end_sign_in(request_)

    assert auth.current_person(request_) is None
    assert request_.session[auth.ENDED_KEY] is True


def test_current_person_without_a_sign_in(request_):
    assert auth.current_person(request_) is None


def test_a_live_access_token_is_used_as_it_is(request_):
    sign_in(request_)
    calls = []

    token = auth.access_token(request_, refresh=calls.append)

    assert token == request_.session[auth.SESSION_KEY]["access"]
    assert calls == []


def test_an_access_token_near_its_end_is_renewed(request_):
    person_id, _ = sign_in(request_, lifetime=settings.TOKEN_REFRESH_MARGIN_SECONDS - 5)
    fresh = user_token(person_id, "patient", lifetime=900)
    calls = []

    def refresh(token):
        calls.append(token)
        return SimpleNamespace(access=fresh, refresh="refresh-2")

    token = auth.access_token(request_, refresh=refresh)

    assert token == fresh
    assert calls == ["refresh-1"]
    data = request_.session[auth.SESSION_KEY]
    assert (data["access"], data["refresh"]) == (fresh, "refresh-2")
    assert abs(data["expires_at"] - (time.time() + 900)) < 5
    assert auth.access_token(request_, refresh=refresh) == fresh
    assert calls == ["refresh-1"]


def test_a_forced_renewal_renews_a_live_token(request_):
    person_id, _ = sign_in(request_)
    fresh = user_token(person_id, "patient")

    token = auth.access_token(
        request_, refresh=lambda t: SimpleNamespace(access=fresh, refresh="r2"), force=True
    )

    assert token == fresh


def test_a_refused_renewal_ends_the_sign_in(request_):
    sign_in(request_, lifetime=-10)

    with pytest.raises(auth.SignInRequired):
        auth.access_token(request_, refresh=lambda token: None)

    assert auth.current_person(request_) is None
    assert request_.session[auth.ENDED_KEY] is True


def test_no_sign_in_no_token(request_):
    with pytest.raises(auth.SignInRequired):
        auth.access_token(request_, refresh=lambda token: None)


def test_a_kept_form_leaves_out_secrets_and_comes_back_once(request_):
    auth.keep_pending_form(
        request_,
        path="/appointments/1/reason",
        data={
            "reason": ["Knee"],
            "choices": ["a", "b"],
            "password": ["secret"],
            "old_password": ["old"],
            "new_password": ["new"],
            "csrfmiddlewaretoken": ["tok"],
        },
    )

    assert auth.pop_pending_form(request_, path="/elsewhere") is None
    kept = auth.pop_pending_form(request_, path="/appointments/1/reason")
    assert kept == {"reason": "Knee", "choices": ["a", "b"]}
    assert auth.pop_pending_form(request_, path="/appointments/1/reason") is None
