"""Tests of common.testing: the helpers every service's tests rely on."""

import json
import socket
import threading
import urllib.error
import urllib.request
import uuid

import jwt
import pytest

from common.testing import (
    TEST_KID,
    BearerClient,
    StubServer,
    forged_tokens,
    mint,
    public_pem,
    race,
)


def call(url: str, *, method: str = "GET", body: dict | None = None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 - a local test server
        url, data=data, method=method, headers={"X-Probe": "1"}
    )
    try:
        with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_stub_server_answers_a_route_and_records_the_request(stub_server):
    stub_server.route("POST", "/things", status=201, json={"id": 1})

    status, body = call(stub_server.url + "/things?x=1", method="POST", body={"name": "a"})

    assert (status, body) == (201, {"id": 1})
    [(method, path, headers, raw)] = stub_server.requests
    assert (method, path) == ("POST", "/things")
    assert headers["X-Probe"] == "1"
    assert json.loads(raw) == {"name": "a"}


def test_stub_server_route_without_json_answers_an_empty_object(stub_server):
    stub_server.route("GET", "/empty", delay=0.01)

    assert call(stub_server.url + "/empty") == (200, {})


def test_stub_server_answers_404_for_unknown_routes(stub_server):
    assert call(stub_server.url + "/nowhere") == (404, {"detail": "no route"})


def test_stub_server_route_with_a_query_answers_only_matching_requests(stub_server):
    stub_server.route("GET", "/slots", json={"which": "any"})
    stub_server.route("GET", "/slots", json={"which": "first"}, query={"page_size": "1"})

    assert call(stub_server.url + "/slots?from=2026-01-01&page_size=1") == (200, {"which": "first"})
    assert call(stub_server.url + "/slots?page_size=20") == (200, {"which": "any"})
    assert call(stub_server.url + "/slots") == (200, {"which": "any"})
    assert stub_server.queries == ["from=2026-01-01&page_size=1", "page_size=20", ""]


def test_stub_server_route_with_a_query_alone_leaves_other_queries_unrouted(stub_server):
    stub_server.route("GET", "/slots", status=201, json=[], query={"page_size": 1})

    assert call(stub_server.url + "/slots?page_size=1") == (201, [])
    assert call(stub_server.url + "/slots?page_size=2") == (404, {"detail": "no route"})


def test_stub_server_route_with_times_answers_that_often_then_falls_back(stub_server):
    stub_server.route("GET", "/me", json={"n": "always"})
    stub_server.route("GET", "/me", status=401, json={"n": "once"}, times=1)

    assert [call(stub_server.url + "/me") for _ in range(3)] == [
        (401, {"n": "once"}),
        (200, {"n": "always"}),
        (200, {"n": "always"}),
    ]


def test_stub_server_answers_raw_bytes_with_their_content_type(stub_server):
    stub_server.route("GET", "/file.ics", body=b"BEGIN:VCALENDAR\r\n", content_type="text/calendar")

    with urllib.request.urlopen(stub_server.url + "/file.ics", timeout=2) as response:  # noqa: S310
        assert response.headers["Content-Type"] == "text/calendar"
        assert response.read() == b"BEGIN:VCALENDAR\r\n"


def test_stopped_stub_server_refuses_connections():
    server = StubServer()
    host_port = server.url.removeprefix("http://").split(":")
    server.stop()

    with (
        pytest.raises(ConnectionRefusedError),
        socket.create_connection((host_port[0], int(host_port[1])), 1),
    ):
        pass


def test_mint_signs_with_the_test_key_and_bends_claims():
    token = mint(sub="s", aud=["a", "b"], scope="x y", drop=("jti",), extra_claim=1)

    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert header["kid"] == TEST_KID
    assert claims["aud"] == ["a", "b"]
    assert claims["scope"] == "x y"
    assert claims["extra_claim"] == 1
    assert "jti" not in claims


def test_mint_without_kid_leaves_it_out_of_the_header():
    assert "kid" not in jwt.get_unverified_header(mint(sub="s", kid=None))


def test_symmetric_forgery_is_signed_with_the_public_key():
    token = forged_tokens(uuid.uuid4())["symmetric-alg"]

    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    assert public_pem().startswith(b"-----BEGIN PUBLIC KEY-----")


def test_bearer_client_without_token_sends_no_authorization():
    bearer = BearerClient()

    assert bearer.get("/user-only").status_code == 401


def test_race_runs_every_call_at_once_and_returns_outcomes_in_order():
    inside = threading.Barrier(4)

    def call(n):
        inside.wait(timeout=5)  # breaks unless all four calls run at the same time
        if n == 2:
            raise ValueError(n)
        return n * 10

    outcomes = race(call, range(4))
    assert outcomes[:2] == [0, 10]
    assert isinstance(outcomes[2], ValueError)
    assert outcomes[3] == 30


def test_threads_minting_their_first_token_at_once_share_one_test_key():
    from common import testing

    keys = testing.race(lambda _: testing.private_key("race-check"), range(6))

    assert len({id(key) for key in keys}) == 1


@pytest.mark.django_db
def test_admin_fields_exposed_finds_a_protected_field_a_form_lets_write(django_user_model):
    from common.testing import admin_fields_exposed

    boss = django_user_model.objects.create(username="boss", is_staff=True, is_superuser=True)
    nobody = django_user_model.objects.create(username="nobody", is_staff=True)
    protected = {django_user_model: {"username"}}

    assert admin_fields_exposed(protected, user=boss) == {
        ("User", "add"): {"username"},
        ("User", "change"): {"username"},
    }
    assert admin_fields_exposed(protected, user=nobody) == {}


def test_assert_problem_returns_the_body_of_a_problem(client):
    from common.testing import assert_problem

    body = assert_problem(client.get("/no/such/page"), 404, "not-found")

    assert body["status"] == 404


def test_assert_problem_fails_on_any_other_answer(client):
    from common.testing import assert_problem

    with pytest.raises(AssertionError):
        assert_problem(client.get("/healthz"), 404)


def test_error_fields_names_the_fields_of_a_problem():
    from common.testing import error_fields

    assert error_fields({"errors": [{"field": "email"}, {"field": "password"}]}) == {
        "email",
        "password",
    }
    assert error_fields({}) == set()
