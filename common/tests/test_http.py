"""Tests of common.http: service tokens, the API client and the service client against a real
local HTTP server."""

import itertools
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs

import pytest
from django.test import override_settings

from common import service_tokens
from common.errors import ServiceUnavailable
from common.http import (
    CLIENT_ERRORS,
    Answer,
    ApiClient,
    ClientCredentialsTokenProvider,
    ServiceClient,
    default_token_provider,
)
from common.testing import Reply
from tests.providers import StaticTokenProvider

TOKEN_PATH = "/api/v1/auth/service-token"
API_PATH = "/internal/v1/slots/42/"
READ_TIMEOUT = 0.3


def token_reply(expires_in: int = 3600):
    """A token endpoint that hands out token-1, token-2, ... each valid ``expires_in`` seconds."""
    counter = itertools.count(1)
    return lambda hit: Reply(
        json={
            "access_token": f"token-{next(counter)}",
            "token_type": "Bearer",
            "expires_in": expires_in,
            "scope": "slots:read",
        }
    )


@pytest.fixture
def server(local_server):
    local_server.reply(TOKEN_PATH, token_reply())
    return local_server


def provider_for(url: str) -> ClientCredentialsTokenProvider:
    return ClientCredentialsTokenProvider(
        token_url=url + TOKEN_PATH, client_id="appointment_service", client_secret="s3cret"
    )


def client_for(server, base_url: str | None = None) -> ServiceClient:
    return ServiceClient(
        base_url=(base_url or server.url) + "/",
        audience="schedule_service",
        token_provider=provider_for(server.url),
    )


def test_token_request_is_form_encoded_client_credentials(server):
    token = provider_for(server.url).get_token("schedule_service")

    assert token == "token-1"
    [hit] = server.hits_to(TOKEN_PATH)
    assert hit.method == "POST"
    assert hit.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(hit.body.decode()) == {
        "grant_type": ["client_credentials"],
        "client_id": ["appointment_service"],
        "client_secret": ["s3cret"],
        "audience": ["schedule_service"],
    }


def test_token_is_cached_per_audience(server):
    provider = provider_for(server.url)

    first = provider.get_token("schedule_service")
    second = provider.get_token("schedule_service")
    other = provider.get_token("user_service")

    assert first == second == "token-1"
    assert other == "token-2"
    assert len(server.hits_to(TOKEN_PATH)) == 2


def test_token_expiring_within_the_margin_is_refetched(server):
    server.reply(TOKEN_PATH, token_reply(expires_in=10))
    provider = provider_for(server.url)

    first = provider.get_token("schedule_service")
    second = provider.get_token("schedule_service")

    assert (first, second) == ("token-1", "token-2")
    assert len(server.hits_to(TOKEN_PATH)) == 2


def test_concurrent_callers_share_one_token_request(local_server):
    counter = token_reply()
    local_server.reply(TOKEN_PATH, lambda hit: Reply(json=counter(hit).json, delay=0.1))
    provider = provider_for(local_server.url)

    with ThreadPoolExecutor(max_workers=4) as pool:
        tokens = list(pool.map(lambda _: provider.get_token("schedule_service"), range(4)))

    assert tokens == ["token-1"] * 4
    assert len(local_server.hits_to(TOKEN_PATH)) == 1


def test_invalidated_token_is_refetched(server):
    provider = provider_for(server.url)
    provider.get_token("schedule_service")

    provider.invalidate("schedule_service")

    assert provider.get_token("schedule_service") == "token-2"


def test_token_endpoint_down_is_service_unavailable(dead_url):
    started = time.monotonic()

    with pytest.raises(ServiceUnavailable):
        provider_for(dead_url).get_token("schedule_service")

    assert time.monotonic() - started < 2


def test_a_token_that_cannot_be_renewed_is_used_until_it_expires(local_server, monkeypatch):
    """auth_service down at renewal time: the token in hand still serves, then a clear 503."""
    local_server.reply(TOKEN_PATH, token_reply(expires_in=20))  # within the 30 s margin
    provider = provider_for(local_server.url)
    clock = {"now": 1_000_000.0, "mono": 50.0}
    monkeypatch.setattr(service_tokens.time, "time", lambda: clock["now"])
    monkeypatch.setattr(service_tokens.time, "monotonic", lambda: clock["mono"])
    assert provider.get_token("schedule_service") == "token-1"
    local_server.reply(TOKEN_PATH, Reply(status=503, json={"detail": "down"}))

    assert provider.get_token("schedule_service") == "token-1"  # renewal failed: token in hand
    assert provider.get_token("schedule_service") == "token-1"  # not asked again at once
    asked = len(local_server.hits_to(TOKEN_PATH))
    clock["now"] += 10
    clock["mono"] += 10
    assert provider.get_token("schedule_service") == "token-1"  # asked again, still in hand
    assert len(local_server.hits_to(TOKEN_PATH)) > asked

    clock["now"] += 9  # one second before the end: within the leeway, no longer usable
    clock["mono"] += 9
    with pytest.raises(ServiceUnavailable):
        provider.get_token("schedule_service")

    local_server.reply(TOKEN_PATH, token_reply(expires_in=300))  # auth_service is back
    assert provider.get_token("schedule_service") == "token-1"  # a new one (the counter restarts)
    assert provider.get_token("schedule_service") == "token-1"


def test_token_endpoint_refusing_the_credentials_is_service_unavailable(local_server):
    local_server.reply(TOKEN_PATH, Reply(status=401, json={"detail": "bad client"}))

    with pytest.raises(ServiceUnavailable):
        provider_for(local_server.url).get_token("schedule_service")


@pytest.mark.parametrize(
    "reply",
    [Reply(body=b"<html>"), Reply(json={"token_type": "Bearer"}), Reply(json=["x"])],
    ids=["html", "no-token", "list"],
)
def test_token_endpoint_with_an_unusable_answer_is_service_unavailable(local_server, reply):
    local_server.reply(TOKEN_PATH, reply)

    with pytest.raises(ServiceUnavailable) as raised:
        provider_for(local_server.url).get_token("schedule_service")

    assert "unusable answer" in str(raised.value.detail)


def test_token_request_carries_the_request_id(server, request_id):
    request_id("req-token-1")

    provider_for(server.url).get_token("schedule_service")

    assert server.hits_to(TOKEN_PATH)[0].headers["x-request-id"] == "req-token-1"


def test_call_carries_the_bearer_token_and_the_request_id(server, request_id):
    server.reply(API_PATH, Reply(json={"id": 42}))
    request_id("req-abc-1")

    response = client_for(server).get(API_PATH, params={"full": "1"})

    assert response.status_code == 200
    assert response.json() == {"id": 42}
    [hit] = server.hits_to(API_PATH)
    assert hit.headers["authorization"] == "Bearer token-1"
    assert hit.headers["x-request-id"] == "req-abc-1"
    assert hit.query == "full=1"


def test_call_without_a_request_id_sends_none(server, request_id):
    server.reply(API_PATH, Reply(json={}))
    request_id(None)

    client_for(server).get(API_PATH)

    assert "x-request-id" not in server.hits_to(API_PATH)[0].headers


def test_post_sends_its_json_body(server):
    server.reply(API_PATH, Reply(status=201, json={"ok": True}))

    response = client_for(server).post(API_PATH, json={"appointment_id": "a1"})

    assert response.status_code == 201
    [hit] = server.hits_to(API_PATH)
    assert hit.method == "POST"
    assert hit.json() == {"appointment_id": "a1"}


def test_token_is_reused_across_calls(server):
    server.reply(API_PATH, Reply(json={}))
    client = client_for(server)

    client.get(API_PATH)
    client.get(API_PATH)

    assert len(server.hits_to(TOKEN_PATH)) == 1
    assert [h.headers["authorization"] for h in server.hits_to(API_PATH)] == ["Bearer token-1"] * 2


def test_connection_refused_is_service_unavailable_quickly(server, dead_url):
    started = time.monotonic()

    with pytest.raises(ServiceUnavailable) as raised:
        client_for(server, base_url=dead_url).get(API_PATH)

    assert time.monotonic() - started < 2
    assert raised.value.status_code == 503
    assert "schedule_service" in str(raised.value.detail)


@override_settings(SERVICE_HTTP_READ_TIMEOUT=READ_TIMEOUT)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_hanging_server_is_service_unavailable_and_not_retried(server, method):
    server.reply(API_PATH, Reply(json={}, delay=5.0))
    started = time.monotonic()

    with pytest.raises(ServiceUnavailable):
        client_for(server).request(method, API_PATH, idempotent=True)

    assert time.monotonic() - started < 2 * READ_TIMEOUT
    assert len(server.hits_to(API_PATH)) == 1


def test_get_is_retried_on_503_then_succeeds(server):
    server.reply(API_PATH, Reply(status=503), Reply(json={"id": 42}))

    response = client_for(server).get(API_PATH)

    assert response.status_code == 200
    assert len(server.hits_to(API_PATH)) == 2


def test_get_failing_every_retry_is_service_unavailable(server):
    server.reply(API_PATH, Reply(status=502))

    with pytest.raises(ServiceUnavailable):
        client_for(server).get(API_PATH)

    assert len(server.hits_to(API_PATH)) == 3  # the first try and two retries


def test_post_is_not_retried_on_503(server):
    server.reply(API_PATH, Reply(status=503), Reply(status=201, json={}))

    with pytest.raises(ServiceUnavailable):
        client_for(server).post(API_PATH, json={})

    assert len(server.hits_to(API_PATH)) == 1


def test_idempotent_post_is_retried_on_503(server):
    server.reply(API_PATH, Reply(status=503), Reply(status=201, json={"ok": True}))

    response = client_for(server).post(API_PATH, json={"appointment_id": "a1"}, idempotent=True)

    assert response.status_code == 201
    hits = server.hits_to(API_PATH)
    assert len(hits) == 2
    assert hits[1].json() == {"appointment_id": "a1"}


def test_500_is_service_unavailable_without_retry(server):
    server.reply(API_PATH, Reply(status=500))

    with pytest.raises(ServiceUnavailable):
        client_for(server).get(API_PATH)

    assert len(server.hits_to(API_PATH)) == 1


def test_401_gets_a_new_token_and_retries_once(server):
    server.reply(API_PATH, Reply(status=401), Reply(json={"id": 42}))

    response = client_for(server).get(API_PATH)

    assert response.status_code == 200
    assert [h.headers["authorization"] for h in server.hits_to(API_PATH)] == [
        "Bearer token-1",
        "Bearer token-2",
    ]
    assert len(server.hits_to(TOKEN_PATH)) == 2


def test_401_twice_is_service_unavailable(server):
    server.reply(API_PATH, Reply(status=401))

    with pytest.raises(ServiceUnavailable):
        client_for(server).get(API_PATH)

    assert len(server.hits_to(API_PATH)) == 2


def test_401_with_an_answer_code_is_returned_without_a_new_token_or_retry(server):
    server.reply(API_PATH, Reply(status=401, json={"code": "invalid-credentials"}))
    client = ServiceClient(
        base_url=server.url,
        audience="auth_service",
        token_provider=provider_for(server.url),
        answer_401_codes=frozenset({"invalid-credentials"}),
    )

    response = client.post(API_PATH, json={})

    assert response.status_code == 401
    assert len(server.hits_to(API_PATH)) == 1
    assert len(server.hits_to(TOKEN_PATH)) == 1


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(Reply(status=401, json={"code": "not-authenticated"}), id="token-problem"),
        pytest.param(Reply(status=401, body=b"no json"), id="no-json"),
    ],
)
def test_401_without_an_answer_code_still_renews_the_token(server, reply):
    server.reply(API_PATH, reply, Reply(json={"ok": True}))
    client = ServiceClient(
        base_url=server.url,
        audience="auth_service",
        token_provider=provider_for(server.url),
        answer_401_codes=frozenset({"invalid-credentials"}),
    )

    assert client.get(API_PATH).status_code == 200
    assert len(server.hits_to(TOKEN_PATH)) == 2


@pytest.mark.parametrize("status", [400, 403, 404, 409])
def test_client_errors_are_returned_to_the_caller(server, status):
    server.reply(API_PATH, Reply(status=status, json={"code": "slot-taken"}))

    response = client_for(server).post(API_PATH, json={})

    assert response.status_code == status
    assert response.json() == {"code": "slot-taken"}
    assert len(server.hits_to(API_PATH)) == 1


def test_token_endpoint_down_makes_the_call_service_unavailable(local_server, dead_url):
    client = ServiceClient(
        base_url=local_server.url,
        audience="schedule_service",
        token_provider=provider_for(dead_url),
    )

    with pytest.raises(ServiceUnavailable):
        client.get(API_PATH)

    assert local_server.hits == []


@override_settings(SERVICE_TOKEN_PROVIDER="tests.providers.StaticTokenProvider")
def test_default_token_provider_comes_from_the_dotted_setting(local_server, fresh_token_provider):
    local_server.reply(API_PATH, Reply(json={}))

    provider = default_token_provider()
    ServiceClient(base_url=local_server.url, audience="user_service").get(API_PATH)

    assert isinstance(provider, StaticTokenProvider)
    assert default_token_provider() is provider
    assert provider.audiences == ["user_service"]
    assert local_server.hits[0].headers["authorization"] == "Bearer static-service-token"


@override_settings(
    SERVICE_TOKEN_PROVIDER=None,
    AUTH_SERVICE_URL="http://auth.example:8001/",
    SERVICE_CLIENT_ID="me",
)
def test_default_token_provider_uses_client_credentials_with_auth_service(fresh_token_provider):
    provider = default_token_provider()

    assert isinstance(provider, ClientCredentialsTokenProvider)
    assert provider.token_url == "http://auth.example:8001" + TOKEN_PATH
    assert provider.client_id == "me"
    assert provider.client_secret == "test-secret"


# ApiClient: a person's own token (or none), for the portal


def api_client(server, base_url: str | None = None) -> ApiClient:
    return ApiClient(base_url=(base_url or server.url) + "/", name="appointment")


def test_api_client_sends_the_bearer_token_only_when_given(local_server):
    local_server.reply(API_PATH, Reply(json={}))
    client = api_client(local_server)

    client.get(API_PATH, token="user-access-token")
    client.get(API_PATH)
    client.get(API_PATH, token="")

    with_token, without, empty = local_server.hits_to(API_PATH)
    assert with_token.headers["authorization"] == "Bearer user-access-token"
    assert "authorization" not in without.headers
    assert "authorization" not in empty.headers


def test_api_client_sends_extra_headers_params_and_json(local_server):
    local_server.reply(API_PATH, Reply(status=201, json={"id": 1}))

    response = api_client(local_server).post(
        API_PATH,
        token="t",
        json={"slot_id": "s1", "reason": "Knee"},
        params={"x": "1"},
        headers={"Idempotency-Key": "key-1"},
    )

    assert response.status_code == 201
    [hit] = local_server.hits_to(API_PATH)
    assert hit.headers["idempotency-key"] == "key-1"
    assert hit.headers["authorization"] == "Bearer t"
    assert hit.headers["content-type"] == "application/json"
    assert hit.json() == {"slot_id": "s1", "reason": "Knee"}
    assert hit.query == "x=1"


def test_api_client_leaves_the_callers_headers_alone(local_server):
    local_server.reply(API_PATH, Reply(json={}))
    headers = {"Idempotency-Key": "key-1"}

    api_client(local_server).get(API_PATH, token="t", headers=headers)

    assert headers == {"Idempotency-Key": "key-1"}


def test_api_client_forwards_the_request_id(local_server, request_id):
    local_server.reply(API_PATH, Reply(json={}))
    request_id("req-portal-7")

    api_client(local_server).get(API_PATH)
    request_id(None)
    api_client(local_server).get(API_PATH)

    first, second = local_server.hits_to(API_PATH)
    assert first.headers["x-request-id"] == "req-portal-7"
    assert "x-request-id" not in second.headers


@pytest.mark.parametrize("status", [401, 403, 404, 409, 429])
def test_api_client_returns_4xx_answers_401_included(local_server, status):
    local_server.reply(API_PATH, Reply(status=status, json={"code": "nope"}))

    response = api_client(local_server).get(API_PATH, token="expired")

    assert response.status_code == status
    assert response.json() == {"code": "nope"}
    assert len(local_server.hits_to(API_PATH)) == 1


@pytest.mark.parametrize("status", [500, 501, 502, 503, 504])
def test_api_client_5xx_is_service_unavailable(local_server, status):
    local_server.reply(API_PATH, Reply(status=status, json={"detail": "trace"}))

    with pytest.raises(ServiceUnavailable) as raised:
        api_client(local_server).get(API_PATH)

    assert raised.value.status_code == 503
    assert "appointment" in str(raised.value.detail)


def test_api_client_connection_refused_is_service_unavailable_quickly(dead_url):
    started = time.monotonic()

    with pytest.raises(ServiceUnavailable) as raised:
        ApiClient(base_url=dead_url, name="schedule").get(API_PATH)

    assert time.monotonic() - started < 2
    assert "The schedule service cannot be reached." in str(raised.value.detail)


@override_settings(SERVICE_HTTP_READ_TIMEOUT=READ_TIMEOUT)
def test_api_client_hanging_server_is_service_unavailable(local_server):
    local_server.reply(API_PATH, Reply(json={}, delay=5.0))
    started = time.monotonic()

    with pytest.raises(ServiceUnavailable):
        api_client(local_server).get(API_PATH)

    assert time.monotonic() - started < 2 * READ_TIMEOUT
    assert len(local_server.hits_to(API_PATH)) == 1


def test_api_client_get_is_retried_on_503(local_server):
    local_server.reply(API_PATH, Reply(status=503), Reply(json={"id": 42}))

    response = api_client(local_server).get(API_PATH, token="t")

    assert response.json() == {"id": 42}
    assert [h.headers["authorization"] for h in local_server.hits_to(API_PATH)] == ["Bearer t"] * 2


def test_api_client_idempotent_post_is_retried_on_503_with_its_headers(local_server):
    local_server.reply(API_PATH, Reply(status=503), Reply(status=201, json={"ok": True}))

    response = api_client(local_server).post(
        API_PATH,
        token="t",
        json={"slot_id": "s1"},
        headers={"Idempotency-Key": "key-1"},
        idempotent=True,
    )

    assert response.status_code == 201
    hits = local_server.hits_to(API_PATH)
    assert len(hits) == 2
    assert [h.headers["idempotency-key"] for h in hits] == ["key-1", "key-1"]
    assert [h.json() for h in hits] == [{"slot_id": "s1"}] * 2


def test_api_client_plain_post_is_not_retried_on_503(local_server):
    local_server.reply(API_PATH, Reply(status=503), Reply(status=201, json={}))

    with pytest.raises(ServiceUnavailable):
        api_client(local_server).post(API_PATH, token="t", json={"slot_id": "s1"})

    assert len(local_server.hits_to(API_PATH)) == 1


def test_api_client_plain_patch_is_not_retried_on_503(local_server):
    local_server.reply(API_PATH, Reply(status=503), Reply(json={}))

    with pytest.raises(ServiceUnavailable):
        api_client(local_server).request("PATCH", API_PATH, json={"reason": "x"})

    assert len(local_server.hits_to(API_PATH)) == 1


def test_api_client_with_no_retries_tries_once(local_server):
    local_server.reply(API_PATH, Reply(status=503), Reply(json={}))

    with pytest.raises(ServiceUnavailable):
        ApiClient(base_url=local_server.url, name="user", retries=0).get(API_PATH)

    assert len(local_server.hits_to(API_PATH)) == 1


def test_service_client_does_not_take_a_token_from_the_caller(server):
    server.reply(API_PATH, Reply(json={}))

    with pytest.raises(TypeError):
        client_for(server).get(API_PATH, token="someone-elses")


# Reading answers: get_json, post_json, call, parse


def test_get_json_returns_the_decoded_body(local_server):
    local_server.reply(API_PATH, Reply(json={"id": 42}))

    assert api_client(local_server).get_json(API_PATH, token="t") == {"id": 42}


def test_get_json_returns_a_list_body(local_server):
    local_server.reply(API_PATH, Reply(json=[1, 2]))

    assert api_client(local_server).get_json(API_PATH) == [1, 2]


@pytest.mark.parametrize("status", [200, 201])
def test_post_json_expects_200_or_201_and_sends_its_json(local_server, status):
    local_server.reply(API_PATH, Reply(status=status, json={"ok": True}))

    data = api_client(local_server).post_json(API_PATH, json={"a": 1}, idempotent=True)

    assert data == {"ok": True}
    assert local_server.hits_to(API_PATH)[0].json() == {"a": 1}


def test_service_client_get_json_sends_its_service_token(server):
    server.reply(API_PATH, Reply(json={"id": 42}))

    assert client_for(server).get_json(API_PATH) == {"id": 42}
    assert server.hits_to(API_PATH)[0].headers["authorization"] == "Bearer token-1"


@pytest.mark.parametrize("status", [201, 204, 302, 400, 404, 409])
def test_an_unexpected_status_is_service_unavailable_and_logged(local_server, caplog, status):
    local_server.reply(API_PATH, Reply(status=status, json={"code": "nope"}))

    with pytest.raises(ServiceUnavailable) as raised:
        api_client(local_server).get_json(API_PATH)

    assert "The appointment service gave an unexpected answer." in str(raised.value.detail)
    assert f"unexpected {status}" in caplog.text


@pytest.mark.parametrize(
    "reply",
    [
        Reply(body=b"<html>oops</html>", headers={"Content-Type": "text/html"}),
        Reply(body=b""),
        Reply(json="a bare string"),
        Reply(json=7),
    ],
    ids=["html", "empty", "string", "number"],
)
def test_a_2xx_body_that_is_no_json_object_or_list_is_service_unavailable(
    local_server, caplog, reply
):
    local_server.reply(API_PATH, reply)

    with pytest.raises(ServiceUnavailable) as raised:
        api_client(local_server).get_json(API_PATH)

    assert "The appointment service gave an unusable answer." in str(raised.value.detail)
    assert "answered 200 with" in caplog.text


@pytest.mark.parametrize("status", [500, 502])
def test_get_json_5xx_is_service_unavailable(local_server, status):
    local_server.reply(API_PATH, Reply(status=status, json={"id": 1}))

    with pytest.raises(ServiceUnavailable):
        api_client(local_server).get_json(API_PATH)


def test_get_json_unreachable_is_service_unavailable(dead_url):
    with pytest.raises(ServiceUnavailable):
        ApiClient(base_url=dead_url, name="schedule").get_json(API_PATH)


def test_a_204_answer_has_no_data(local_server):
    local_server.reply(API_PATH, Reply(status=204))

    answer = api_client(local_server).call("DELETE", API_PATH, expect=(204,))

    assert answer == Answer(204, None)
    assert answer.code == ""


def test_an_expected_refusal_is_answered_with_its_problem_code(local_server):
    local_server.reply(API_PATH, Reply(status=409, json={"code": "slot-taken", "detail": "x"}))

    answer = api_client(local_server).call("POST", API_PATH, expect=(200, 409))

    assert answer.status == 409
    assert answer.code == "slot-taken"
    assert answer.data["detail"] == "x"


@pytest.mark.parametrize(
    "reply",
    [
        Reply(status=404, body=b"not found", headers={"Content-Type": "text/plain"}),
        Reply(status=404, json=["a", "list"]),
        Reply(status=404, json={"detail": "no code"}),
    ],
    ids=["text", "list", "no-code"],
)
def test_a_refusal_without_a_problem_document_is_still_the_callers(local_server, reply):
    local_server.reply(API_PATH, reply)

    answer = api_client(local_server).call("GET", API_PATH, expect=CLIENT_ERRORS)

    assert answer.status == 404
    assert answer.code == ""
    assert isinstance(answer.data, dict)


def test_answer_reads_a_response_sent_with_request(local_server):
    local_server.reply(API_PATH, Reply(json={"id": 1}))
    client = api_client(local_server)

    assert client.answer(client.get(API_PATH), expect=(200,)) == Answer(200, {"id": 1})


def test_parse_builds_a_value_from_the_data(local_server):
    assert api_client(local_server).parse(lambda d: d["id"] * 2, {"id": 21}) == 42


@pytest.mark.parametrize("data", [{}, {"id": "x"}, None, []])
def test_parse_of_data_that_does_not_fit_is_service_unavailable(local_server, caplog, data):
    with pytest.raises(ServiceUnavailable) as raised:
        api_client(local_server).parse(lambda d: int(d["id"]), data)

    assert "The appointment service gave an unusable answer." in str(raised.value.detail)
    assert "Unusable answer from appointment" in caplog.text
