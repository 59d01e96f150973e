"""API tests of auth_service: registration, sign-in, refresh, logout, me, password, JWKS."""

import datetime
import uuid

import jwt
import pytest
from django.conf import settings

from auth_service.accounts.models import RefreshTokenRecord, User
from auth_service.accounts.tests.factories import PASSWORD, UserFactory
from common.testing import assert_problem, forged_tokens

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register"
TOKEN = "/api/v1/auth/token"
REFRESH = "/api/v1/auth/token/refresh"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/auth/me"
PASSWORD_URL = "/api/v1/auth/password"

DOCTOR = {
    "email": "Dr.Weber@Example.com",
    "password": "a-long-enough-passphrase",
    "role": "doctor",
    "full_name": "Dr. Lena Weber",
    "specialty": "cardiology",
    "timezone": "Europe/Berlin",
    "bio": "Cardiologist.",
}
PATIENT = {
    "email": "ana@example.com",
    "password": "a-long-enough-passphrase",
    "role": "patient",
    "full_name": "Ana Lima",
    "date_of_birth": "1990-04-01",
}


def claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def login(anon_client, email, password=PASSWORD):
    return anon_client.post(TOKEN, {"email": email, "password": password}, format="json")


# Registration


def test_register_doctor_creates_account_and_profile(anon_client, user_service):
    response = anon_client.post(REGISTER, DOCTOR, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["email"] == "dr.weber@example.com"
    assert body["role"] == "doctor"
    user = User.objects.get(pk=body["id"])
    assert user.is_active and user.state == "active"
    assert user.password.startswith("md5$") or user.check_password(DOCTOR["password"])
    [profile] = user_service.created
    assert profile["user_id"] == user.id
    assert profile["specialty"] == "cardiology"
    assert profile["timezone"] == "Europe/Berlin"


def test_register_patient_sends_patient_fields_only(anon_client, user_service):
    response = anon_client.post(REGISTER, {**PATIENT, "specialty": "cardiology"}, format="json")
    assert response.status_code == 201
    [profile] = user_service.created
    assert "specialty" not in profile
    assert profile["date_of_birth"] == "1990-04-01"


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short", "password_too_short"),
        ("password123", "password_too_common"),
        ("83920174659210", "password_entirely_numeric"),
        ("dr.weber@example.com", "password_too_similar"),
    ],
)
def test_register_names_why_a_password_is_refused(anon_client, user_service, password, code):
    response = anon_client.post(REGISTER, {**DOCTOR, "password": password}, format="json")

    assert_problem(response, 400, "validation-error")
    assert {"field": "password", "code": code} in [
        {"field": e["field"], "code": e["code"]} for e in response.json()["errors"]
    ]
    assert User.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"password": "short"}, "password"),
        ({"password": "password123"}, "password"),
        ({"password": "dr.weber@example.com"}, "password"),
        ({"role": "staff"}, "role"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": None}, "timezone"),
        ({"full_name": ""}, "full_name"),
        ({"full_name": ["x"]}, "full_name"),
        ({"date_of_birth": "1990-13-45"}, "date_of_birth"),
    ],
)
def test_register_refuses_bad_input_and_creates_nothing(anon_client, user_service, change, field):
    body = {**DOCTOR, **change}
    body = {k: v for k, v in body.items() if v is not None}
    response = anon_client.post(REGISTER, body, format="json")
    assert_problem(response, 400, "validation-error")
    assert response["Content-Type"] == "application/problem+json"
    assert field in {e["field"] for e in response.json()["errors"]}
    assert User.objects.count() == 0
    assert user_service.created == []


def test_register_doctor_needs_specialty_and_timezone(anon_client, user_service):
    body = {k: v for k, v in DOCTOR.items() if k not in ("specialty", "timezone")}
    response = anon_client.post(REGISTER, body, format="json")
    assert_problem(response, 400, "validation-error")
    assert {e["field"] for e in response.json()["errors"]} == {"specialty", "timezone"}


def test_register_duplicate_email_is_409_whatever_the_case(anon_client, user_service):
    assert anon_client.post(REGISTER, PATIENT, format="json").status_code == 201
    response = anon_client.post(REGISTER, {**PATIENT, "email": "ANA@example.com"}, format="json")
    assert_problem(response, 409, "email-taken")
    assert response.json()["code"] == "email-taken"
    assert User.objects.count() == 1


def test_register_ignores_read_only_fields(anon_client, user_service):
    forced_id = uuid.uuid4()
    response = anon_client.post(
        REGISTER, {**PATIENT, "id": str(forced_id), "is_staff": True, "state": "x"}, format="json"
    )
    assert response.status_code == 201
    user = User.objects.get()
    assert user.id != forced_id
    assert not user.is_staff


def test_register_when_user_service_refuses_profile_is_400_and_leaves_no_account(
    anon_client, user_service
):
    from auth_service.accounts.exceptions import ProfileRejected

    user_service.error = ProfileRejected(
        extra={
            "errors": [{"field": "specialty", "code": "invalid", "detail": "Unknown specialty."}]
        }
    )
    response = anon_client.post(REGISTER, DOCTOR, format="json")
    assert_problem(response, 400, "validation-error")
    assert response.json()["errors"][0]["field"] == "specialty"
    assert User.objects.count() == 0


def test_malformed_json_is_400_problem(anon_client):
    response = anon_client.post(REGISTER, data="{not json", content_type="application/json")
    assert_problem(response, 400, "bad-request")
    assert response["Content-Type"] == "application/problem+json"


def test_huge_body_is_413_and_nothing_is_created(anon_client, user_service):
    body = {**PATIENT, "full_name": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    response = anon_client.post(REGISTER, body, format="json")
    assert_problem(response, 413, "payload-too-large")
    assert User.objects.count() == 0


def test_form_body_is_refused_on_json_endpoints(anon_client, user_service):
    from urllib.parse import urlencode

    response = anon_client.post(
        REGISTER, urlencode(PATIENT), content_type="application/x-www-form-urlencoded"
    )
    assert_problem(response, 415, "unsupported-media-type")
    assert User.objects.count() == 0


# Sign-in


def test_login_returns_pair_with_contract_claims(anon_client, patient, signing_key):
    response = login(anon_client, patient.email)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    access, refresh = response.json()["access"], response.json()["refresh"]
    header = jwt.get_unverified_header(access)
    assert header == {"alg": "RS256", "kid": signing_key.kid, "typ": "JWT"}
    c = claims(access)
    assert c["sub"] == str(patient.id)
    assert c["role"] == "patient"
    assert c["token_type"] == "access"
    assert c["iss"] == settings.JWT_ISSUER
    assert set(c["aud"]) == set(settings.JWT_USER_AUDIENCE)
    assert c["exp"] - c["iat"] == 600
    assert {"jti"} <= set(c)
    r = claims(refresh)
    assert r["token_type"] == "refresh"
    assert r["aud"] == "auth_service"
    assert "fam" not in c
    assert RefreshTokenRecord.objects.filter(jti=r["jti"], user=patient).exists()


def test_login_email_is_case_insensitive(anon_client, patient):
    assert login(anon_client, patient.email.upper()).status_code == 200


def test_login_wrong_password_and_unknown_email_look_the_same(anon_client, patient):
    wrong = login(anon_client, patient.email, "wrong-password-here")
    unknown = login(anon_client, "nobody@example.com", "wrong-password-here")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]
    assert wrong.json()["code"] == unknown.json()["code"] == "invalid-credentials"


def test_login_inactive_account_is_refused(anon_client):
    user = UserFactory(is_active=False, state="pending")
    assert_problem(login(anon_client, user.email), 401, "invalid-credentials")


@pytest.mark.parametrize("body", [{}, {"email": "a@b.c"}, {"email": ["x"], "password": "y"}])
def test_login_bad_input_is_400(anon_client, body):
    response = anon_client.post(TOKEN, body, format="json")
    assert_problem(response, 400, "validation-error")
    assert response.json()["code"] == "validation-error"


def test_login_throttles_one_account_after_repeated_failures(anon_client, patient):
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        assert_problem(
            login(anon_client, patient.email, "wrong-password-here"), 401, "invalid-credentials"
        )
    response = login(anon_client, patient.email)  # even the right password now waits
    assert_problem(response, 429, "throttled")
    assert 0 < int(response["Retry-After"]) <= settings.LOGIN_FAILURE_WINDOW_SECONDS
    assert response.json()["code"] == "throttled"


def test_login_throttles_unknown_accounts_too(anon_client):
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        login(anon_client, "ghost@example.com", "wrong-password-here")
    assert_problem(login(anon_client, "ghost@example.com", "x"), 429, "throttled")


def test_login_throttles_one_address_across_accounts(anon_client, patient, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    for n in range(3):
        login(anon_client, f"guess{n}@example.com", "wrong-password-here")
    response = login(anon_client, patient.email)
    assert_problem(response, 429, "throttled")


def test_login_address_comes_from_forwarded_for_behind_trusted_proxy(
    anon_client, patient, settings
):
    settings.LOGIN_FAILURES_PER_ADDRESS = 2
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(2):
        anon_client.post(
            TOKEN,
            {"email": "x@example.com", "password": "nope"},
            format="json",
            HTTP_X_FORWARDED_FOR="9.9.9.9",
        )
    other = anon_client.post(
        TOKEN,
        {"email": patient.email, "password": PASSWORD},
        format="json",
        HTTP_X_FORWARDED_FOR="8.8.8.8",
    )
    assert other.status_code == 200


def test_successful_login_clears_account_failures(anon_client, patient):
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT - 1):
        login(anon_client, patient.email, "wrong-password-here")
    assert login(anon_client, patient.email).status_code == 200
    assert_problem(
        login(anon_client, patient.email, "wrong-password-here"), 401, "invalid-credentials"
    )


def test_login_refused_over_the_limit_never_reaches_the_password_check(
    anon_client, patient, monkeypatch
):
    from django.contrib.auth.backends import ModelBackend

    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        login(anon_client, patient.email, "wrong-password-here")
    checked = []
    monkeypatch.setattr(ModelBackend, "authenticate", lambda *args, **kw: checked.append(kw))
    response = login(anon_client, patient.email)
    assert_problem(response, 429, "throttled")
    assert checked == []


def test_good_sign_ins_give_their_address_slot_back(anon_client, patient, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    # A busy shared address: many good sign-ins are never charged.
    for _ in range(10):
        assert login(anon_client, patient.email).status_code == 200
    for n in range(3):
        assert_problem(
            login(anon_client, f"typo{n}@example.com", "wrong"), 401, "invalid-credentials"
        )
    assert_problem(login(anon_client, patient.email), 429, "throttled")


# Refresh and logout


def test_refresh_rotates_and_old_token_is_rejected_after(anon_client, patient, clock):
    first = login(anon_client, patient.email).json()
    second = anon_client.post(REFRESH, {"refresh": first["refresh"]}, format="json")
    assert second.status_code == 200
    assert second.json()["refresh"] != first["refresh"]
    assert claims(second.json()["refresh"])["fam"] == claims(first["refresh"])["fam"]
    clock.advance(seconds=settings.REFRESH_REUSE_GRACE_SECONDS + 1)
    again = anon_client.post(REFRESH, {"refresh": first["refresh"]}, format="json")
    assert_problem(again, 401, "invalid-refresh-token")
    assert again.json()["code"] == "invalid-refresh-token"


def test_refresh_reuse_revokes_the_whole_family(anon_client, patient, clock):
    first = login(anon_client, patient.email).json()
    second = anon_client.post(REFRESH, {"refresh": first["refresh"]}, format="json").json()
    clock.advance(seconds=settings.REFRESH_REUSE_GRACE_SECONDS + 1)
    assert_problem(
        anon_client.post(REFRESH, {"refresh": first["refresh"]}, format="json"),
        401,
        "invalid-refresh-token",
    )
    # The thief replayed the old token: the legitimate new one is dead too.
    assert_problem(
        anon_client.post(REFRESH, {"refresh": second["refresh"]}, format="json"),
        401,
        "invalid-refresh-token",
    )
    assert not RefreshTokenRecord.objects.filter(revoked_at__isnull=True).exists()


def test_refresh_does_not_touch_other_sessions(anon_client, patient, clock):
    laptop = login(anon_client, patient.email).json()
    phone = login(anon_client, patient.email).json()
    anon_client.post(REFRESH, {"refresh": laptop["refresh"]}, format="json")
    clock.advance(seconds=settings.REFRESH_REUSE_GRACE_SECONDS + 1)
    reuse = anon_client.post(REFRESH, {"refresh": laptop["refresh"]}, format="json")
    assert_problem(reuse, 401, "invalid-refresh-token")  # reuse on the laptop
    assert (
        anon_client.post(REFRESH, {"refresh": phone["refresh"]}, format="json").status_code == 200
    )


def test_refresh_refuses_access_token_and_forged_tokens(anon_client, patient):
    pair = login(anon_client, patient.email).json()
    assert_problem(
        anon_client.post(REFRESH, {"refresh": pair["access"]}, format="json"),
        401,
        "invalid-refresh-token",
    )
    for token in forged_tokens(patient.id).values():
        response = anon_client.post(REFRESH, {"refresh": token}, format="json")
        assert_problem(response, 401, "invalid-refresh-token")


def test_refresh_for_deactivated_account_is_refused(anon_client, patient):
    pair = login(anon_client, patient.email).json()
    User.objects.filter(pk=patient.pk).update(is_active=False)
    assert_problem(
        anon_client.post(REFRESH, {"refresh": pair["refresh"]}, format="json"),
        401,
        "invalid-refresh-token",
    )


def _rotate(anon_client, pair):
    return anon_client.post(REFRESH, {"refresh": pair["refresh"]}, format="json")


def test_a_refresh_token_sent_again_within_the_grace_window_gets_the_same_pair(
    anon_client, patient, clock
):
    assert settings.REFRESH_REUSE_GRACE_SECONDS == 5
    first = login(anon_client, patient.email).json()
    winner = _rotate(anon_client, first)
    clock.advance(seconds=4)
    late_tab = _rotate(anon_client, first)
    assert late_tab.status_code == 200
    assert late_tab["Cache-Control"] == "no-store"
    assert late_tab.json() == winner.json()
    assert not RefreshTokenRecord.objects.filter(revoked_at__isnull=False).exists()
    assert RefreshTokenRecord.objects.count() == 2  # no second successor was minted
    assert _rotate(anon_client, winner.json()).status_code == 200


def test_reuse_after_the_grace_window_revokes_the_family(anon_client, patient, clock):
    first = login(anon_client, patient.email).json()
    second = _rotate(anon_client, first).json()
    clock.advance(seconds=6)
    response = _rotate(anon_client, first)
    assert_problem(response, 401, "invalid-refresh-token")
    assert response.json()["code"] == "invalid-refresh-token"
    assert_problem(_rotate(anon_client, second), 401, "invalid-refresh-token")
    assert not RefreshTokenRecord.objects.filter(revoked_at__isnull=True).exists()


def test_only_the_immediate_predecessor_gets_grace(anon_client, patient):
    first = login(anon_client, patient.email).json()
    second = _rotate(anon_client, first).json()
    third = _rotate(anon_client, second).json()
    assert_problem(
        _rotate(anon_client, first), 401, "invalid-refresh-token"
    )  # replaced twice: reuse
    assert_problem(_rotate(anon_client, third), 401, "invalid-refresh-token")
    assert not RefreshTokenRecord.objects.filter(revoked_at__isnull=True).exists()


@pytest.mark.parametrize("how", ["logout", "password"])
def test_no_grace_after_the_sign_in_was_ended(anon_client, patient, how):
    first = login(anon_client, patient.email).json()
    second = _rotate(anon_client, first).json()
    if how == "logout":
        assert anon_client.post(LOGOUT, {"refresh": second["refresh"]}).status_code == 204
    else:
        anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {second['access']}")
        changed = anon_client.post(
            PASSWORD_URL, {"old_password": PASSWORD, "new_password": "another-long-passphrase"}
        )
        assert changed.status_code == 204
        anon_client.credentials()
    assert_problem(_rotate(anon_client, first), 401, "invalid-refresh-token")
    assert_problem(_rotate(anon_client, second), 401, "invalid-refresh-token")


def test_grace_zero_makes_every_reuse_revoke(anon_client, patient, settings):
    settings.REFRESH_REUSE_GRACE_SECONDS = 0
    first = login(anon_client, patient.email).json()
    second = _rotate(anon_client, first).json()
    assert_problem(_rotate(anon_client, first), 401, "invalid-refresh-token")
    assert_problem(_rotate(anon_client, second), 401, "invalid-refresh-token")


def test_grace_reuse_without_the_pair_in_the_cache_is_refused_and_revokes_nothing(
    anon_client, patient, monkeypatch
):
    from django.core.cache import cache

    from auth_service.accounts.services import sign_in

    monkeypatch.setattr(sign_in, "GRACE_WAIT_SECONDS", 0.1)
    first = login(anon_client, patient.email).json()
    second = _rotate(anon_client, first).json()
    cache.clear()  # the winner's pair is gone (e.g. Redis restarted)
    assert_problem(_rotate(anon_client, first), 401, "invalid-refresh-token")
    assert _rotate(anon_client, second).status_code == 200


def test_rotation_works_while_the_cache_is_down(anon_client, patient, monkeypatch):
    from django.core.cache import cache

    from auth_service.accounts.services import sign_in

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(sign_in, "GRACE_WAIT_SECONDS", 0.1)
    first = login(anon_client, patient.email).json()
    monkeypatch.setattr(cache, "set", down)
    monkeypatch.setattr(cache, "get", down)
    second = _rotate(anon_client, first)
    assert second.status_code == 200
    assert_problem(
        _rotate(anon_client, first), 401, "invalid-refresh-token"
    )  # no grace, but no revocation
    assert _rotate(anon_client, second.json()).status_code == 200


def test_a_sign_in_lasts_at_most_the_absolute_lifetime_however_often_it_rotates(
    anon_client, patient, clock
):
    day = 24 * 3600
    assert settings.REFRESH_TOKEN_LIFETIME.days == 14
    assert settings.REFRESH_TOKEN_ABSOLUTE_LIFETIME.days == 30
    pair = login(anon_client, patient.email).json()
    signed_in = claims(pair["refresh"])["auth_time"]
    assert signed_in == claims(pair["refresh"])["iat"]
    assert claims(pair["refresh"])["exp"] == signed_in + 14 * day
    assert "auth_time" not in claims(pair["access"])
    for _ in range(2):  # rotated on day 13 and day 26, each inside its 14 days
        clock.advance(days=13)
        response = _rotate(anon_client, pair)
        assert response.status_code == 200, response.json()
        pair = response.json()
        assert claims(pair["refresh"])["auth_time"] == signed_in
    # Not day 26 + 14: the sign-in's 30 days cap it.
    assert claims(pair["refresh"])["exp"] == signed_in + 30 * day
    record = RefreshTokenRecord.objects.get(jti=claims(pair["refresh"])["jti"])
    assert record.expires_at.timestamp() == signed_in + 30 * day

    clock.advance(days=3, hours=23)  # day 29, 23:00
    response = _rotate(anon_client, pair)
    assert response.status_code == 200
    pair = response.json()
    assert claims(pair["refresh"])["exp"] == signed_in + 30 * day

    clock.advance(hours=1, seconds=1)  # one second past day 30 (inside the exp leeway)
    response = _rotate(anon_client, pair)
    assert_problem(response, 401, "invalid-refresh-token")
    assert response.json()["code"] == "invalid-refresh-token"
    last = RefreshTokenRecord.objects.get(jti=claims(pair["refresh"])["jti"])
    assert last.used_at is None and last.revoked_at is None  # refused, nothing changed


def test_a_shortened_absolute_lifetime_ends_older_sign_ins_at_their_next_rotation(
    anon_client, patient, clock, settings
):
    pair = login(anon_client, patient.email).json()  # exp: 14 days
    settings.REFRESH_TOKEN_ABSOLUTE_LIFETIME = datetime.timedelta(days=1)
    clock.advance(days=2)
    response = _rotate(anon_client, pair)
    assert_problem(response, 401, "invalid-refresh-token")
    assert "sign in again" in response.json()["detail"]
    record = RefreshTokenRecord.objects.get(jti=claims(pair["refresh"])["jti"])
    assert record.used_at is None and record.revoked_at is None


def test_an_absolute_lifetime_shorter_than_a_token_caps_the_first_one(
    anon_client, patient, settings
):
    settings.REFRESH_TOKEN_ABSOLUTE_LIFETIME = datetime.timedelta(hours=1)
    refresh = claims(login(anon_client, patient.email).json()["refresh"])
    assert refresh["exp"] == refresh["auth_time"] + 3600


def test_an_older_refresh_token_without_auth_time_counts_from_its_family_first_record(
    anon_client, patient, clock, settings
):
    from auth_service.accounts.tokens import token_backend

    pair = login(anon_client, patient.email).json()
    legacy = {k: v for k, v in claims(pair["refresh"]).items() if k not in ("auth_time", "iss")}
    legacy_token = token_backend().encode(legacy)
    settings.REFRESH_TOKEN_ABSOLUTE_LIFETIME = datetime.timedelta(hours=1)
    clock.advance(minutes=59)
    rotated = _rotate(anon_client, {"refresh": legacy_token})
    assert rotated.status_code == 200
    first = RefreshTokenRecord.objects.order_by("created_at").first()
    assert claims(rotated.json()["refresh"])["auth_time"] == int(first.created_at.timestamp())
    clock.advance(minutes=2)
    assert_problem(_rotate(anon_client, rotated.json()), 401, "invalid-refresh-token")


def test_logout_revokes_refresh_token_and_is_idempotent(anon_client, patient):
    pair = login(anon_client, patient.email).json()
    assert anon_client.post(LOGOUT, {"refresh": pair["refresh"]}, format="json").status_code == 204
    assert anon_client.post(LOGOUT, {"refresh": pair["refresh"]}, format="json").status_code == 204
    assert_problem(
        anon_client.post(REFRESH, {"refresh": pair["refresh"]}, format="json"),
        401,
        "invalid-refresh-token",
    )


def test_logout_with_garbage_is_401(anon_client):
    assert_problem(
        anon_client.post(LOGOUT, {"refresh": "garbage"}, format="json"),
        401,
        "invalid-refresh-token",
    )


# Me and password


def test_me_returns_the_account(anon_client, patient):
    access = login(anon_client, patient.email).json()["access"]
    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    response = anon_client.get(ME)
    assert response.status_code == 200
    assert response.json() == {"id": str(patient.id), "email": patient.email, "role": "patient"}


def test_me_without_token_is_401_with_bearer_challenge(anon_client):
    response = anon_client.get(ME)
    assert_problem(response, 401, "not-authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("kind", list(forged_tokens(uuid.uuid4())))
def test_me_refuses_forged_tokens(anon_client, patient, kind):
    token = forged_tokens(patient.id)[kind]
    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert_problem(anon_client.get(ME), 401, "not-authenticated")


def test_me_refuses_a_real_token_signed_by_another_key(anon_client, patient):
    # common.testing's key is not one of auth_service's keys.
    from common.testing import user_token

    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {user_token(patient.id, 'patient')}")
    assert_problem(anon_client.get(ME), 401, "not-authenticated")


def test_me_for_deleted_account_is_404(anon_client, patient):
    access = login(anon_client, patient.email).json()["access"]
    patient.delete()
    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    assert_problem(anon_client.get(ME), 404, "not-found")


def test_service_token_is_403_on_user_endpoints(anon_client):
    from auth_service.accounts.services.service_accounts import service_token_mint

    token = service_token_mint(client_id="x", audience="auth_service", scopes=["a"]).access_token
    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert_problem(anon_client.get(ME), 403, "permission-denied")


def test_password_change_revokes_refresh_tokens(anon_client, patient):
    pair = login(anon_client, patient.email).json()
    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    response = anon_client.post(
        PASSWORD_URL,
        {"old_password": PASSWORD, "new_password": "another-long-passphrase"},
        format="json",
    )
    assert response.status_code == 204
    patient.refresh_from_db()
    assert patient.check_password("another-long-passphrase")
    assert_problem(
        anon_client.post(REFRESH, {"refresh": pair["refresh"]}, format="json"),
        401,
        "invalid-refresh-token",
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"old_password": "wrong-one-here", "new_password": "another-long-passphrase"},
            "old_password",
        ),
        ({"old_password": PASSWORD, "new_password": "short"}, "new_password"),
        ({"old_password": PASSWORD}, "new_password"),
    ],
)
def test_password_change_refuses_bad_input_and_changes_nothing(anon_client, patient, body, field):
    pair = login(anon_client, patient.email).json()
    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    response = anon_client.post(PASSWORD_URL, body, format="json")
    assert_problem(response, 400, "validation-error")
    assert field in {e["field"] for e in response.json()["errors"]}
    patient.refresh_from_db()
    assert patient.check_password(PASSWORD)
    assert RefreshTokenRecord.objects.filter(revoked_at__isnull=True).count() == 1


def _change_password(anon_client, old, new="another-long-passphrase"):
    return anon_client.post(PASSWORD_URL, {"old_password": old, "new_password": new}, format="json")


def test_password_change_wrong_old_passwords_are_throttled_like_sign_in(anon_client, patient):
    pair = login(anon_client, patient.email).json()
    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        assert_problem(_change_password(anon_client, "wrong-one-here"), 400, "validation-error")
    refused = _change_password(anon_client, PASSWORD)  # even the right one now waits
    assert_problem(refused, 429, "throttled")
    assert refused.json()["code"] == "throttled"
    assert 0 < int(refused["Retry-After"]) <= settings.LOGIN_FAILURE_WINDOW_SECONDS
    patient.refresh_from_db()
    assert patient.check_password(PASSWORD)
    assert RefreshTokenRecord.objects.filter(revoked_at__isnull=True).count() == 1
    # The same counter as sign-in: the account is locked there too.
    anon_client.credentials()
    assert_problem(login(anon_client, patient.email), 429, "throttled")


def test_password_change_is_refused_after_failed_sign_ins(anon_client, patient):
    pair = login(anon_client, patient.email).json()
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        login(anon_client, patient.email, "wrong-password-here")
    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    assert_problem(_change_password(anon_client, PASSWORD), 429, "throttled")
    patient.refresh_from_db()
    assert patient.check_password(PASSWORD)


def test_password_change_wrong_old_passwords_count_for_the_address(anon_client, patient, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 2
    pair = login(anon_client, patient.email).json()
    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    for _ in range(2):
        assert_problem(_change_password(anon_client, "wrong-one-here"), 400, "validation-error")
    anon_client.credentials()
    assert_problem(login(anon_client, "someone-else@example.com", "x"), 429, "throttled")


def test_a_right_old_password_clears_the_account_count(anon_client, patient):
    pair = login(anon_client, patient.email).json()
    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT - 1):
        _change_password(anon_client, "wrong-one-here")
    assert _change_password(anon_client, PASSWORD).status_code == 204
    anon_client.credentials()
    assert login(anon_client, patient.email, "another-long-passphrase").status_code == 200


# Keys, docs, health


def test_jwks_publishes_the_public_key_only(anon_client, signing_key):
    response = anon_client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert "max-age" in response["Cache-Control"]
    [key] = response.json()["keys"]
    assert key["kid"] == signing_key.kid
    assert key["alg"] == "RS256"
    assert key["use"] == "sig"
    assert "d" not in key and "p" not in key
