"""Register, sign in, list doctors, tokens and admin sign-in, over HTTP between real processes."""

from __future__ import annotations

import json
import time
import uuid

import jwt
import pytest
from conftest import unique_email
from helpers import (
    DEMO_PASSWORD,
    DEMO_PATIENT,
    DEMO_STAFF,
    access_token,
    approve,
    register_response,
    sign_in,
    token_pair,
)


def test_register_sign_in_and_find_the_doctor(stack, http):
    doctor_email, patient_email = unique_email("doc"), unique_email("pat")
    doctor = register_response(
        stack,
        http,
        email=doctor_email,
        role="doctor",
        full_name="Dr. Integration Zed",
        specialty="neurology",
        timezone="America/New_York",
        bio="Seen over HTTP.",
    )
    assert doctor.status_code == 201, doctor.text
    approve(stack, http, doctor.json()["id"])  # a new doctor is listed once staff approve
    patient = register_response(
        stack, http, email=patient_email, role="patient", full_name="Pat Ient"
    )
    assert patient.status_code == 201, patient.text

    auth = sign_in(stack, http, patient_email)
    me = http.get(f"{stack.url('auth_service')}/api/v1/auth/me", headers=auth, timeout=5)
    assert me.json() == {"id": patient.json()["id"], "email": patient_email, "role": "patient"}

    found = http.get(
        f"{stack.url('user_service')}/api/v1/doctors/",
        params={"search": "Integration Zed"},
        headers=auth,
        timeout=5,
    )
    assert found.status_code == 200, found.text
    [row] = found.json()["results"]
    assert row["id"] == doctor.json()["id"]
    assert row["specialty"]["slug"] == "neurology"
    assert row["timezone"] == "America/New_York"

    profile = http.get(f"{stack.url('user_service')}/api/v1/profiles/me/", headers=auth, timeout=5)
    assert profile.status_code == 200
    assert profile.json()["full_name"] == "Pat Ient"


def test_unknown_specialty_is_refused_by_user_service_and_no_account_is_left(stack, http):
    email = unique_email("doc")
    response = register_response(
        stack,
        http,
        email=email,
        role="doctor",
        full_name="Dr. Nobody",
        specialty="astrology",
        timezone="Europe/Paris",
    )
    assert response.status_code == 400, response.text
    assert "specialty" in {e["field"] for e in response.json()["errors"]}
    again = register_response(
        stack,
        http,
        email=email,
        role="doctor",
        full_name="Dr. Nobody",
        specialty="cardiology",
        timezone="Europe/Paris",
    )
    assert again.status_code == 201, again.text


def test_request_id_is_passed_downstream_and_logged(stack, http):
    request_id = f"it-{time.time_ns()}"
    response = register_response(
        stack,
        http,
        headers={"X-Request-ID": request_id},
        email=unique_email(),
        role="patient",
        full_name="Trace Me",
    )
    assert response.status_code == 201
    assert response.headers["X-Request-ID"] == request_id
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        lines = (stack.state_dir / "user_service.log").read_text().splitlines()
        records = [json.loads(line) for line in lines if line.startswith("{")]
        if any(
            r.get("request_id") == request_id and r.get("path") == "/internal/v1/profiles/"
            for r in records
        ):
            return
        time.sleep(0.1)
    pytest.fail("user_service never logged the request id it was given")


def test_refresh_rotation_and_reuse_over_http(stack, http):
    pair = token_pair(stack, http, DEMO_PATIENT, DEMO_PASSWORD)
    url = stack.url("auth_service")

    def rotate(token):
        return http.post(f"{url}/api/v1/auth/token/refresh", json={"refresh": token}, timeout=5)

    rotated = rotate(pair["refresh"])
    assert rotated.status_code == 200
    again = rotate(rotated.json()["refresh"])
    assert again.status_code == 200
    # The first token was replaced twice: sending it now is reuse, whatever the grace window.
    reused = rotate(pair["refresh"])
    assert reused.status_code == 401
    assert rotate(again.json()["refresh"]).status_code == 401


def test_two_tabs_refreshing_at_once_keep_the_sign_in(stack, http):
    import concurrent.futures

    import requests

    pair = token_pair(stack, http, DEMO_PATIENT, DEMO_PASSWORD)
    url = f"{stack.url('auth_service')}/api/v1/auth/token/refresh"

    def tab(_):
        with requests.Session() as session:
            return session.post(url, json={"refresh": pair["refresh"]}, timeout=10)

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        first, second = pool.map(tab, range(2))
    assert (first.status_code, second.status_code) == (200, 200), (first.text, second.text)
    assert first.json()["refresh"] == second.json()["refresh"]
    nxt = http.post(url, json={"refresh": first.json()["refresh"]}, timeout=5)
    assert nxt.status_code == 200, nxt.text
    me = http.get(
        f"{stack.url('auth_service')}/api/v1/auth/me",
        headers={"Authorization": f"Bearer {nxt.json()['access']}"},
        timeout=5,
    )
    assert me.status_code == 200


def test_logout_over_http_ends_the_sign_in(stack, http):
    pair = token_pair(stack, http, DEMO_PATIENT, DEMO_PASSWORD)
    url = stack.url("auth_service")
    out = http.post(f"{url}/api/v1/auth/logout", json={"refresh": pair["refresh"]}, timeout=5)
    assert out.status_code == 204
    dead = http.post(
        f"{url}/api/v1/auth/token/refresh", json={"refresh": pair["refresh"]}, timeout=5
    )
    assert dead.status_code == 401


def test_service_token_reaches_internal_api_and_user_token_does_not(stack, http):
    secrets = stack.secrets()
    token = http.post(
        f"{stack.url('auth_service')}/api/v1/auth/service-token",
        data={
            "grant_type": "client_credentials",
            "client_id": "schedule_service",
            "client_secret": secrets["schedule_service_client_secret"],
            "audience": "user_service",
        },
        timeout=5,
    )
    assert token.status_code == 200, token.text
    claims = jwt.decode(token.json()["access_token"], options={"verify_signature": False})
    assert claims["aud"] == "user_service"
    user_access = access_token(stack, http, DEMO_PATIENT, DEMO_PASSWORD)
    user_id = jwt.decode(user_access, options={"verify_signature": False})["sub"]
    internal = f"{stack.url('user_service')}/internal/v1/profiles/{user_id}/"
    ok = http.get(
        internal, headers={"Authorization": f"Bearer {token.json()['access_token']}"}, timeout=5
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["full_name"] == "Ana Lima"
    refused = http.get(internal, headers={"Authorization": f"Bearer {user_access}"}, timeout=5)
    assert refused.status_code == 403
    # A service token is no good on user endpoints either.
    on_public = http.get(
        f"{stack.url('user_service')}/api/v1/doctors/",
        headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        timeout=5,
    )
    assert on_public.status_code == 403


def test_the_portal_reads_many_profiles_in_one_call_with_its_own_account(stack, http):
    def service_token(audience):
        return http.post(
            f"{stack.url('auth_service')}/api/v1/auth/service-token",
            data={
                "grant_type": "client_credentials",
                "client_id": "portal",
                "client_secret": stack.secrets()["portal_client_secret"],
                "audience": audience,
            },
            timeout=5,
        )

    token = service_token("user_service")
    assert token.status_code == 200, token.text
    assert token.json()["scope"] == "profiles:read"
    # The portal's account reaches user_service only.
    assert service_token("schedule_service").status_code != 200
    patient = access_token(stack, http, DEMO_PATIENT, DEMO_PASSWORD)
    patient_id = jwt.decode(patient, options={"verify_signature": False})["sub"]
    lena_weber = "2b2d6c70-9d5d-5544-a0f3-a2a8aee6ac4f"  # demo/demo_data.json
    batch = f"{stack.url('user_service')}/internal/v1/profiles/"
    params = {"ids": f"{lena_weber},{patient_id},{uuid.uuid4()}"}
    response = http.get(
        batch,
        params=params,
        headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        timeout=5,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == 2 and body["next"] is None
    assert [(p["user_id"], p["role"]) for p in body["results"]] == [
        (lena_weber, "doctor"),
        (patient_id, "patient"),
    ]
    assert body["results"][1]["full_name"] == "Ana Lima"
    # Not with the person's own token.
    refused = http.get(
        batch, params=params, headers={"Authorization": f"Bearer {patient}"}, timeout=5
    )
    assert refused.status_code == 403


def test_forged_tokens_get_401_on_every_service(stack, http):
    from cryptography.hazmat.primitives.asymmetric import rsa

    real = access_token(stack, http, DEMO_PATIENT, DEMO_PASSWORD)
    claims = jwt.decode(real, options={"verify_signature": False})
    kid = jwt.get_unverified_header(real)["kid"]
    foreign = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    forged = {
        "foreign-key": jwt.encode(claims, foreign, algorithm="RS256", headers={"kid": kid}),
        "expired": jwt.encode(
            {**claims, "exp": now - 60}, foreign, algorithm="RS256", headers={"kid": kid}
        ),
        "alg-none": jwt.utils.base64url_encode(b'{"alg":"none","typ":"JWT"}').decode()
        + "."
        + real.split(".")[1]
        + ".",
        "tampered": real.split(".")[0]
        + "."
        + jwt.utils.base64url_encode(json.dumps({**claims, "role": "staff"}).encode()).decode()
        + "."
        + real.split(".")[2],
        "unknown-kid": jwt.encode(claims, foreign, algorithm="RS256", headers={"kid": "unknown"}),
        "garbage": "abc.def.ghi",
    }
    targets = [
        f"{stack.url('auth_service')}/api/v1/auth/me",
        f"{stack.url('user_service')}/api/v1/doctors/",
    ]
    for url in targets:
        assert (
            http.get(url, headers={"Authorization": f"Bearer {real}"}, timeout=5).status_code == 200
        )
        for name, token in forged.items():
            response = http.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=5)
            assert response.status_code == 401, (url, name, response.text)
            assert response.headers["Content-Type"] == "application/problem+json"


def test_staff_signs_in_to_the_user_service_admin_with_the_one_staff_account(stack, http):
    login = f"{stack.url('user_service')}/admin/login/"
    page = http.get(login, timeout=5)
    assert page.status_code == 200
    response = http.post(
        login,
        data={
            "username": DEMO_STAFF,
            "password": DEMO_PASSWORD,
            "csrfmiddlewaretoken": http.cookies["csrftoken"],
            "next": "/admin/",
        },
        headers={"Referer": login},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.url.endswith("/admin/"), response.url
    assert "Staff tools" in response.text
    # A patient's valid credentials do not open the admin.
    with type(http)() as other:
        other.get(login, timeout=5)
        denied = other.post(
            login,
            data={
                "username": DEMO_PATIENT,
                "password": DEMO_PASSWORD,
                "csrfmiddlewaretoken": other.cookies["csrftoken"],
            },
            headers={"Referer": login},
            timeout=10,
        )
        assert "/admin/login/" in denied.url


def test_docs_and_health_are_served_without_a_cdn(stack, http):
    for service in ("auth_service", "user_service"):
        docs = http.get(f"{stack.url(service)}/api/docs/", timeout=5)
        assert docs.status_code == 200
        assert "cdn" not in docs.text.lower()
        static = [part.split('"')[0] for part in docs.text.split('src="')[1:]]
        assert static, "Swagger UI loads no script"
        for src in static:
            assert src.startswith("/static/"), src
            assert http.get(stack.url(service) + src, timeout=5).status_code == 200
        assert http.get(f"{stack.url(service)}/readyz", timeout=5).status_code == 200
    assert http.get(f"{stack.url('portal')}/", timeout=5).status_code == 200


def test_huge_and_malformed_bodies_are_refused(stack, http):
    url = f"{stack.url('auth_service')}/api/v1/auth/register"
    huge = http.post(
        url,
        data=b"{" + b" " * 2_000_000 + b"}",
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert huge.status_code == 413
    bad = http.post(url, data=b"{oops", headers={"Content-Type": "application/json"}, timeout=5)
    assert bad.status_code == 400
    assert bad.headers["Content-Type"] == "application/problem+json"
