"""Tests of common.admin_sso and common.admin_session: staff sign in to /admin/ with their
auth_service account, and their admin session is re-checked."""

import hashlib
import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.checks import run_checks
from django.core.exceptions import MiddlewareNotUsed
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from common import admin_session, admin_sso
from common.admin_session import AdminSessionMiddleware
from common.admin_sso import SESSION_KEY, AuthServiceStaffBackend, admin_sign_in_attempt_begin
from common.testing import Reply, foreign_private_key, user_token

pytestmark = pytest.mark.django_db

SERVICE_TOKEN_PATH = "/api/v1/auth/service-token"
STAFF_TOKEN_PATH = "/internal/v1/auth/staff-token"
REFRESH_PATH = "/api/v1/auth/token/refresh"
LOGOUT_PATH = "/api/v1/auth/logout"
AUDIENCE = ["auth_service", "common_tests"]
PASSWORD = "pw"
LOGIN = "/admin/login/"
INDEX = "/admin/"


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def auth_server(local_server, fresh_token_provider):
    local_server.reply(
        SERVICE_TOKEN_PATH, Reply(json={"access_token": "svc-token", "expires_in": 300})
    )
    local_server.reply(LOGOUT_PATH, Reply(status=204, body=b""))
    with override_settings(AUTH_SERVICE_URL=local_server.url):
        yield local_server


STAFF_ID = uuid.UUID("5a7c1e3b-9d2f-4b8a-8c6e-1f0a2b3c4d5e")


def staff_pair(role="staff", groups=("clinic-admin",), refresh="refresh-1", sub=STAFF_ID, **kwargs):
    claims = {} if groups is None else {"groups": list(groups)}
    token = user_token(sub, role, aud=AUDIENCE, **claims, **kwargs)
    return Reply(json={"access": token, "refresh": refresh})


def answer_with_token(server, role="staff", groups=("clinic-admin",), **kwargs) -> None:
    server.reply(STAFF_TOKEN_PATH, staff_pair(role, groups, **kwargs))


def wrong_password() -> Reply:
    return Reply(status=401, json={"code": "invalid-credentials", "detail": "No."})


def sign_in(username="Ada@Clinic.example", password=PASSWORD, address="192.0.2.10", **meta):
    request = RequestFactory().post(LOGIN, REMOTE_ADDR=address, **meta)
    user = AuthServiceStaffBackend().authenticate(request, username=username, password=password)
    return user, request


def admin_post(client, username="ada@clinic.example", password=PASSWORD, address="192.0.2.10"):
    return client.post(
        LOGIN, {"username": username, "password": password, "next": INDEX}, REMOTE_ADDR=address
    )


# Sign-in --------------------------------------------------------------------------------


def test_clinic_admin_signs_in_as_a_local_superuser(auth_server, request_id):
    answer_with_token(auth_server)
    request_id("admin-login-1")

    user, request = sign_in()

    assert user is not None
    assert user.username == user.email == "ada@clinic.example"
    assert user.is_staff and user.is_superuser and user.is_active
    assert not user.has_usable_password()
    assert [g.name for g in user.groups.all()] == ["clinic-admin"]
    [hit] = auth_server.hits_to(STAFF_TOKEN_PATH)
    assert hit.method == "POST"
    assert hit.json() == {
        "email": "Ada@Clinic.example",
        "password": "pw",
        "client_address": "192.0.2.10",
    }
    assert hit.headers["authorization"] == "Bearer svc-token"
    assert hit.headers["x-request-id"] == "admin-login-1"
    [token_request] = auth_server.hits_to(SERVICE_TOKEN_PATH)
    assert b"audience=auth_service" in token_request.body
    # The public sign-in endpoint is never used by the admin.
    assert auth_server.hits_to("/api/v1/auth/token") == []


def test_front_desk_is_staff_with_its_group_permissions_not_a_superuser(auth_server):
    answer_with_token(auth_server, groups=["front-desk", "made-up"])

    user, _ = sign_in()

    assert user.is_staff and not user.is_superuser
    assert [g.name for g in user.groups.all()] == ["front-desk"]
    assert user.has_perm("auth.view_user")
    assert not user.has_perm("auth.change_user")


@override_settings(ADMIN_GROUP_PERMISSIONS={"front-desk": ["auth.change_user"]})
def test_group_permissions_come_from_settings(auth_server):
    Group.objects.filter(name="front-desk").delete()  # made again, from these settings
    answer_with_token(auth_server, groups=["front-desk"])

    user, _ = sign_in()

    assert user.has_perm("auth.change_user")
    assert not user.has_perm("auth.view_group")


def test_second_sign_in_reuses_the_local_user_and_applies_the_new_groups(auth_server):
    answer_with_token(auth_server)
    first, _ = sign_in()
    answer_with_token(auth_server, groups=["read-only"])

    second, _ = sign_in(username="ada@clinic.example")

    assert second.pk == first.pk
    assert get_user_model().objects.count() == 1
    assert second.is_staff and not second.is_superuser
    assert [g.name for g in second.groups.all()] == ["read-only"]


def test_sign_in_restores_a_local_password_to_unusable(auth_server):
    answer_with_token(auth_server)
    get_user_model().objects.create_user(username="ada@clinic.example", password="local-pw")

    user, _ = sign_in()

    assert not user.has_usable_password()


@pytest.mark.parametrize(
    ("role", "groups"),
    [
        pytest.param("patient", ["clinic-admin"], id="patient"),
        pytest.param("doctor", ["clinic-admin"], id="doctor"),
        pytest.param("staff", [], id="staff-without-group"),
        pytest.param("staff", ["made-up"], id="staff-with-unknown-group"),
        pytest.param("staff", None, id="staff-without-groups-claim"),
        pytest.param("staff", "clinic-admin", id="groups-not-a-list"),
    ],
)
def test_anyone_but_staff_with_a_known_group_is_refused(auth_server, role, groups):
    answer_with_token(auth_server, role=role, groups=groups)

    user, _ = sign_in()

    assert user is None
    assert not get_user_model().objects.exists()


def test_wrong_credentials_are_refused_once_without_retry(auth_server):
    auth_server.reply(STAFF_TOKEN_PATH, wrong_password())

    user, request = sign_in()

    assert user is None
    assert not get_user_model().objects.exists()
    assert len(auth_server.hits_to(STAFF_TOKEN_PATH)) == 1
    assert len(auth_server.hits_to(SERVICE_TOKEN_PATH)) == 1
    assert not hasattr(request, "_admin_sign_in_refusal")


def test_auth_service_down_refuses_sign_in_and_says_so(client, dead_url, fresh_token_provider):
    with override_settings(AUTH_SERVICE_URL=dead_url):
        response = admin_post(client)

    assert response.status_code == 200
    assert admin_sso.UNAVAILABLE_MESSAGE in response.content.decode()
    assert not get_user_model().objects.exists()


@pytest.mark.parametrize("status", [403, 404])
def test_auth_service_refusing_our_service_is_unavailable_not_a_wrong_password(
    client, auth_server, status
):
    auth_server.reply(STAFF_TOKEN_PATH, Reply(status=status, json={"code": "permission-denied"}))

    response = admin_post(client)

    assert admin_sso.UNAVAILABLE_MESSAGE in response.content.decode()
    for _ in range(25):
        admin_sso.AuthServiceStaffBackend().authenticate(
            RequestFactory().post(LOGIN, REMOTE_ADDR="192.0.2.10"), username="a", password="b"
        )
    assert not admin_sso.admin_sign_in_blocked(address="192.0.2.10")


def test_auth_service_throttling_is_shown_and_not_counted_here(client, auth_server):
    auth_server.reply(STAFF_TOKEN_PATH, Reply(status=429, json={"code": "throttled"}))

    response = admin_post(client)

    assert admin_sso.AUTH_THROTTLED_MESSAGE in response.content.decode()
    assert not admin_sso.admin_sign_in_blocked(address="192.0.2.10")


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"access": "garbage", "refresh": "r"}, id="garbage-token"),
        pytest.param({"refresh": "r"}, id="no-access"),
        pytest.param(None, id="not-json"),
    ],
)
def test_unusable_answer_from_auth_service_refuses_sign_in(auth_server, body):
    reply = Reply(json=body) if body is not None else Reply(body=b"<html>oops</html>")
    auth_server.reply(STAFF_TOKEN_PATH, reply)

    assert sign_in()[0] is None
    assert not get_user_model().objects.exists()


def test_answer_without_a_refresh_token_refuses_sign_in(auth_server):
    token = user_token(uuid.uuid4(), "staff", aud=AUDIENCE, groups=["clinic-admin"])
    auth_server.reply(STAFF_TOKEN_PATH, Reply(json={"access": token, "refresh": None}))

    assert sign_in()[0] is None


def test_staff_token_for_another_audience_is_refused(auth_server):
    token = user_token(uuid.uuid4(), "staff", aud="auth_service", groups=["clinic-admin"])
    auth_server.reply(STAFF_TOKEN_PATH, Reply(json={"access": token, "refresh": "r"}))

    assert sign_in()[0] is None


def test_staff_token_forged_with_another_key_is_refused(auth_server):
    answer_with_token(auth_server, key=foreign_private_key())

    assert sign_in()[0] is None


@pytest.mark.parametrize(("username", "password"), [("", "pw"), ("a@b.example", ""), (None, None)])
def test_missing_credentials_do_not_call_auth_service(auth_server, username, password):
    request = RequestFactory().post(LOGIN)
    backend = AuthServiceStaffBackend()
    assert backend.authenticate(request, username=username, password=password) is None
    assert backend.authenticate(None, username="a@b.example", password="pw") is None
    assert auth_server.hits == []


def test_an_address_that_is_no_ip_address_is_refused_without_a_call(auth_server):
    answer_with_token(auth_server)

    user, request = sign_in(address="unknown")

    assert user is None
    assert auth_server.hits == []
    assert request._admin_sign_in_refusal == admin_sso.UNAVAILABLE_MESSAGE


# Throttling per browser address ------------------------------------------------------


def test_25_wrong_passwords_lock_only_that_address(client, auth_server):
    auth_server.reply(STAFF_TOKEN_PATH, wrong_password())

    for attempt in range(25):
        response = admin_post(client, username=f"guess{attempt}@clinic.example", password="no")
        assert response.status_code == 200

    # Only the first 20 reached auth_service; the rest were refused here.
    assert len(auth_server.hits_to(STAFF_TOKEN_PATH)) == 20
    assert "Too many failed sign-in attempts from your address" in response.content.decode()
    # Even the right password is refused from that address now, without a call.
    answer_with_token(auth_server)
    locked = admin_post(client)
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert len(auth_server.hits_to(STAFF_TOKEN_PATH)) == 20
    assert not get_user_model().objects.exists()
    # A staff member elsewhere still signs in.
    other = admin_post(client, address="198.51.100.7")
    assert other.status_code == 302
    assert other["Location"] == INDEX
    assert auth_server.hits_to(STAFF_TOKEN_PATH)[-1].json()["client_address"] == "198.51.100.7"


@override_settings(TRUSTED_PROXY_COUNT=1, ADMIN_LOGIN_FAILURES_PER_ADDRESS=3)
def test_behind_a_trusted_proxy_the_forwarded_address_counts_and_is_sent(client, auth_server):
    auth_server.reply(STAFF_TOKEN_PATH, wrong_password())
    forwarded = {"HTTP_X_FORWARDED_FOR": "203.0.113.9, 10.0.0.1"}

    for _ in range(4):
        client.post(LOGIN, {"username": "a@b.example", "password": "x"}, **forwarded)

    hits = auth_server.hits_to(STAFF_TOKEN_PATH)
    assert len(hits) == 3
    assert {hit.json()["client_address"] for hit in hits} == {"10.0.0.1"}
    assert admin_sso.admin_sign_in_blocked(address="10.0.0.1")
    assert not admin_sso.admin_sign_in_blocked(address="127.0.0.1")


@override_settings(ADMIN_LOGIN_FAILURE_WINDOW_SECONDS=1)
def test_the_count_ends_with_its_window(monkeypatch):
    for _ in range(20):
        assert admin_sign_in_attempt_begin(address="192.0.2.55")
    assert admin_sso.admin_sign_in_blocked(address="192.0.2.55")
    assert not admin_sign_in_attempt_begin(address="192.0.2.55")

    later = time.time() + 1.1  # the cache's expiry reads the wall clock
    monkeypatch.setattr(time, "time", lambda: later)

    assert not admin_sso.admin_sign_in_blocked(address="192.0.2.55")
    assert admin_sign_in_attempt_begin(address="192.0.2.55")


def test_of_many_parallel_attempts_exactly_the_limit_get_through():
    barrier = threading.Barrier(16)
    allowed = []

    def attempt():
        barrier.wait(timeout=5)
        for _ in range(5):
            allowed.append(admin_sign_in_attempt_begin(address="192.0.2.77"))

    threads = [threading.Thread(target=attempt) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert len(allowed) == 80
    assert allowed.count(True) == 20


def test_a_good_password_gives_the_address_its_attempt_back(client, auth_server):
    answer_with_token(auth_server)
    for _ in range(30):
        assert admin_post(Client(), address="192.0.2.60").status_code == 302

    assert not admin_sso.admin_sign_in_blocked(address="192.0.2.60")


def test_the_count_is_per_service():
    for _ in range(20):
        admin_sign_in_attempt_begin(address="192.0.2.56")

    with override_settings(SERVICE_NAME="another_service"):
        assert not admin_sso.admin_sign_in_blocked(address="192.0.2.56")
    assert admin_sso.admin_sign_in_blocked(address="192.0.2.56")


# The admin session -------------------------------------------------------------------


@pytest.fixture
def signed_in(client, auth_server):
    """A browser signed in to the admin as a clinic-admin (refresh token ``refresh-1``)."""
    answer_with_token(auth_server)
    response = admin_post(client)
    assert response.status_code == 302, response.content
    return client


def session_of(client):
    return Session.objects.get(session_key=client.cookies["sessionid"].value)


def test_the_session_keeps_the_refresh_token_on_the_server_only(signed_in, settings):
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    data = session_of(signed_in).get_decoded()
    assert data[SESSION_KEY]["refresh"] == "refresh-1"
    for cookie in signed_in.cookies.values():
        assert "refresh-1" not in cookie.value
    # The cookie is the session's key, nothing more.
    assert Session.objects.filter(session_key=signed_in.cookies["sessionid"].value).exists()


def test_admin_pages_within_the_recheck_interval_do_not_call_auth_service(signed_in, auth_server):
    assert signed_in.get(INDEX).status_code == 200
    assert signed_in.get(INDEX).status_code == 200

    assert auth_server.hits_to(REFRESH_PATH) == []


def test_the_session_ends_after_an_idle_hour_and_slides_with_use(signed_in, settings):
    assert settings.SESSION_COOKIE_AGE == 3600
    session = session_of(signed_in)
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(minutes=5))

    signed_in.get(INDEX)

    slid = session_of(signed_in).expire_date - timezone.now()
    assert timedelta(minutes=59) < slid <= timedelta(hours=1)
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = signed_in.get(INDEX)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@override_settings(ADMIN_RECHECK_SECONDS=0)
def test_a_recheck_rotates_the_token_and_applies_the_current_groups(signed_in, auth_server):
    auth_server.reply(REFRESH_PATH, staff_pair(groups=["front-desk"], refresh="refresh-2"))

    response = signed_in.get(INDEX)

    assert response.status_code == 200
    [hit] = auth_server.hits_to(REFRESH_PATH)
    assert hit.json() == {"refresh": "refresh-1"}
    assert session_of(signed_in).get_decoded()[SESSION_KEY]["refresh"] == "refresh-2"
    user = get_user_model().objects.get()
    assert user.is_staff and not user.is_superuser
    assert [g.name for g in user.groups.all()] == ["front-desk"]


@override_settings(ADMIN_RECHECK_SECONDS=0)
def test_the_session_survives_its_rechecks(signed_in, auth_server):
    # A re-check must not change what the session's auth hash is made of (the password).
    for number in (2, 3, 4):
        auth_server.reply(REFRESH_PATH, staff_pair(refresh=f"refresh-{number}"))
        assert signed_in.get(INDEX).status_code == 200

    assert len(auth_server.hits_to(REFRESH_PATH)) == 3
    assert session_of(signed_in).get_decoded()[SESSION_KEY]["refresh"] == "refresh-4"


@override_settings(ADMIN_RECHECK_SECONDS=0)
def test_a_refused_token_ends_the_session_at_that_request(signed_in, auth_server):
    auth_server.reply(REFRESH_PATH, Reply(status=401, json={"code": "invalid-refresh-token"}))

    response = signed_in.get("/admin/auth/user/")

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/admin/auth/user/"
    assert "_auth_user_id" not in signed_in.session
    again = signed_in.get(INDEX)
    assert again.status_code == 302
    assert len(auth_server.hits_to(REFRESH_PATH)) == 1
    login_page = signed_in.get(again["Location"])
    assert "Your admin session has ended" in login_page.content.decode()


@override_settings(ADMIN_RECHECK_SECONDS=0)
@pytest.mark.parametrize(
    "pair",
    [
        pytest.param(staff_pair(groups=[], refresh="refresh-2"), id="no-group"),
        pytest.param(staff_pair(role="patient", refresh="refresh-2"), id="not-staff"),
        pytest.param(staff_pair(key=foreign_private_key(), refresh="refresh-2"), id="bad-token"),
    ],
)
def test_a_demoted_account_loses_access_at_that_request(signed_in, auth_server, pair):
    auth_server.reply(REFRESH_PATH, pair)

    response = signed_in.get(INDEX)

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    user = get_user_model().objects.get()
    assert not user.is_staff and not user.is_superuser
    assert not user.groups.exists()
    # The rotated token is revoked at auth_service.
    assert [hit.json() for hit in auth_server.hits_to(LOGOUT_PATH)] == [{"refresh": "refresh-2"}]


@override_settings(ADMIN_RECHECK_SECONDS=0)
def test_auth_service_unreachable_is_a_503_and_keeps_the_session(signed_in, auth_server):
    auth_server.reply(REFRESH_PATH, Reply(status=503, json={}))

    response = signed_in.get(INDEX)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert admin_sso.UNAVAILABLE_MESSAGE in response.content.decode()
    assert "_auth_user_id" in signed_in.session
    auth_server.reply(REFRESH_PATH, staff_pair(refresh="refresh-2"))
    assert signed_in.get(INDEX).status_code == 200


@override_settings(ADMIN_RECHECK_SECONDS=0)
def test_an_unusable_refresh_answer_is_a_503(signed_in, auth_server):
    auth_server.reply(REFRESH_PATH, Reply(body=b"<html>"))

    assert signed_in.get(INDEX).status_code == 503
    assert "_auth_user_id" in signed_in.session


@override_settings(ADMIN_RECHECK_SECONDS=0)
def test_concurrent_rechecks_rotate_the_token_once(signed_in, auth_server):
    auth_server.reply(REFRESH_PATH, Reply(**vars(staff_pair(refresh="refresh-2")) | {"delay": 0.3}))
    barrier = threading.Barrier(4)
    outcomes = []

    def rotate():
        barrier.wait(timeout=5)
        outcomes.append(admin_session._rotate("refresh-1"))

    threads = [threading.Thread(target=rotate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert len(auth_server.hits_to(REFRESH_PATH)) == 1
    assert {pair.refresh for pair in outcomes} == {"refresh-2"}
    assert len(outcomes) == 4


def test_a_session_without_a_kept_token_is_ended(signed_in):
    session = signed_in.session
    del session[SESSION_KEY]
    session.save()

    response = signed_in.get(INDEX)

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_signing_out_revokes_the_refresh_token(signed_in, auth_server):
    signed_in.post("/admin/logout/")

    assert [hit.json() for hit in auth_server.hits_to(LOGOUT_PATH)] == [{"refresh": "refresh-1"}]


def test_signing_out_with_auth_service_down_still_signs_out(signed_in, dead_url):
    with override_settings(AUTH_SERVICE_URL=dead_url):
        signed_in.post("/admin/logout/")

    assert signed_in.get(INDEX).status_code == 302


@override_settings(ADMIN_RECHECK_SECONDS=0)
def test_requests_outside_the_admin_are_not_rechecked(signed_in, auth_server):
    assert signed_in.get("/healthz").status_code == 200

    assert auth_server.hits_to(REFRESH_PATH) == []


def test_the_middleware_is_unused_without_the_sso_backend():
    with (
        override_settings(AUTHENTICATION_BACKENDS=["django.contrib.auth.backends.ModelBackend"]),
        pytest.raises(MiddlewareNotUsed),
    ):
        AdminSessionMiddleware(lambda request: None)


def test_a_cookie_session_engine_is_refused_by_a_system_check():
    with override_settings(SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies"):
        errors = [e for e in run_checks() if e.id == "common.E001"]
    assert len(errors) == 1
    assert not [e for e in run_checks() if e.id == "common.E001"]
    with override_settings(
        AUTHENTICATION_BACKENDS=["django.contrib.auth.backends.ModelBackend"],
        SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
    ):
        assert not [e for e in run_checks() if e.id == "common.E001"]


def test_a_recheck_waiting_on_another_that_never_answers_is_a_503(monkeypatch):
    from django.core.cache import cache

    from common.errors import ServiceUnavailable

    key = "admin-sso:rotated:" + hashlib.sha256(b"stuck").hexdigest()
    cache.set(key + ":lock", 1, timeout=30)  # another request is rotating, and hangs
    monkeypatch.setattr(admin_session, "HANDOFF_WAIT_SECONDS", 0.2)

    with pytest.raises(ServiceUnavailable):
        admin_session._rotate("stuck")


@override_settings(ROOT_URLCONF="tests.urls_without_admin")
def test_without_admin_urls_the_middleware_lets_every_request_through(client):
    assert admin_session._admin_paths() is None
    assert client.get("/healthz").status_code == 200


# Who the staff member is -----------------------------------------------------------


def staff_id_seen(client) -> str | None:
    return client.get("/admin-staff-id").json()["staff_id"]


def test_the_session_keeps_the_staff_members_id_from_the_token(signed_in):
    assert session_of(signed_in).get_decoded()[SESSION_KEY]["staff_id"] == str(STAFF_ID)
    assert staff_id_seen(signed_in) == str(STAFF_ID)


def test_no_staff_id_without_an_admin_session(admin_client, staff_admin_client):
    client = Client()
    assert staff_id_seen(client) is None
    user = get_user_model().objects.create_user(username="someone", password="x")
    client.force_login(user)  # a local sign-in, not the SSO's
    assert staff_id_seen(client) is None
    # The test fixtures sign in with an id, like the SSO.
    assert staff_id_seen(admin_client) == str(admin_client.staff_id)
    reader = staff_admin_client("read-only")
    assert staff_id_seen(reader) == str(reader.staff_id) != str(admin_client.staff_id)


def test_a_staff_token_whose_subject_is_no_uuid_is_refused(auth_server):
    answer_with_token(auth_server, sub="service:portal")

    assert sign_in()[0] is None
    assert not get_user_model().objects.exists()


@override_settings(ADMIN_RECHECK_SECONDS=0)
def test_a_recheck_keeps_the_staff_id_and_sets_one_a_session_lacked(signed_in, auth_server):
    session = signed_in.session
    session[SESSION_KEY] = {**session[SESSION_KEY], "staff_id": None}  # an older session
    session.save()
    assert staff_id_seen(signed_in) is None
    auth_server.reply(REFRESH_PATH, staff_pair(refresh="refresh-2"))

    assert signed_in.get(INDEX).status_code == 200

    assert session_of(signed_in).get_decoded()[SESSION_KEY]["staff_id"] == str(STAFF_ID)
    assert staff_id_seen(signed_in) == str(STAFF_ID)


@override_settings(ADMIN_RECHECK_SECONDS=0)
def test_a_recheck_whose_token_names_another_account_ends_the_session(signed_in, auth_server):
    auth_server.reply(REFRESH_PATH, staff_pair(refresh="refresh-2", sub=uuid.uuid4()))

    response = signed_in.get(INDEX)

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in signed_in.session
    assert staff_id_seen(signed_in) is None
    assert [hit.json() for hit in auth_server.hits_to(LOGOUT_PATH)] == [{"refresh": "refresh-2"}]


def test_the_test_fixtures_sign_in_like_the_sso(admin_client, staff_admin_client):
    assert admin_client.get(INDEX).status_code == 200
    assert admin_client.user.is_superuser

    reader = staff_admin_client("read-only")
    assert reader.get("/admin/auth/user/").status_code == 200
    assert reader.get("/admin/auth/user/add/").status_code == 403
    assert staff_admin_client().get(INDEX).status_code == 302
