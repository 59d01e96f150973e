"""Tests of common.auth.JWKSClient and parse_jwks against a real local HTTP server."""

import copy
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import override_settings

from common import testing
from common.auth import InvalidToken, JWKSClient, KeysUnavailable, get_key_provider, parse_jwks
from common.testing import TEST_KID, Reply, user_token

JWKS_PATH = "/.well-known/jwks.json"
TIMEOUT = 0.3


@pytest.fixture
def jwks_server(local_server):
    local_server.reply(JWKS_PATH, Reply(json=testing.test_jwks()))
    return local_server


class FakeClock:
    """A monotonic clock that moves only when a test moves it on."""

    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_client(server, **kwargs) -> JWKSClient:
    options = {"timeout": TIMEOUT, "ttl": 300.0, "min_refetch_interval": 10.0, **kwargs}
    return JWKSClient(server.url + JWKS_PATH, **options)


def jwks_with(**changes) -> dict:
    document = copy.deepcopy(testing.test_jwks())
    document["keys"][0].update(changes)
    return document


def test_keys_are_fetched_once_and_then_served_from_the_cache(jwks_server):
    client = make_client(jwks_server)

    first = client.get_key(TEST_KID)
    second = client.get_key(TEST_KID)

    assert first.kid == TEST_KID
    assert first.algorithm == "RS256"
    assert second is first
    assert len(jwks_server.hits_to(JWKS_PATH)) == 1


def test_unknown_kid_triggers_one_refetch_that_finds_a_new_key(jwks_server):
    client = make_client(jwks_server, min_refetch_interval=0.0)
    client.get_key(TEST_KID)
    rotated = copy.deepcopy(testing.test_jwks())
    rotated["keys"].append({**rotated["keys"][0], "kid": "rotated-key"})
    jwks_server.reply(JWKS_PATH, Reply(json=rotated))

    key = client.get_key("rotated-key")

    assert key.kid == "rotated-key"
    assert len(jwks_server.hits_to(JWKS_PATH)) == 2


def test_unknown_kids_refetch_at_most_once_per_min_refetch_interval(jwks_server, clock):
    client = make_client(jwks_server, min_refetch_interval=0.2, clock=clock)
    client.get_key(TEST_KID)
    clock.advance(0.25)  # past the interval: the next unknown kid may refetch

    with pytest.raises(InvalidToken):
        client.get_key("unknown-1")
    with pytest.raises(InvalidToken):
        client.get_key("unknown-2")

    assert len(jwks_server.hits_to(JWKS_PATH)) == 2


def test_unknown_kid_right_after_a_fetch_does_not_refetch(jwks_server):
    client = make_client(jwks_server)
    client.get_key(TEST_KID)

    with pytest.raises(InvalidToken, match="unknown key"):
        client.get_key("unknown")

    assert len(jwks_server.hits_to(JWKS_PATH)) == 1


def test_cached_keys_keep_working_when_the_server_goes_down(jwks_server, clock):
    client = make_client(jwks_server, ttl=0.1, min_refetch_interval=0.0, clock=clock)
    client.get_key(TEST_KID)
    jwks_server.stop()
    clock.advance(0.15)  # past the ttl: the refetch is tried and fails

    key = client.get_key(TEST_KID)

    assert key.kid == TEST_KID


def test_cached_keys_keep_working_when_the_server_answers_500(jwks_server, clock):
    client = make_client(jwks_server, ttl=0.1, min_refetch_interval=0.0, clock=clock)
    client.get_key(TEST_KID)
    jwks_server.reply(JWKS_PATH, Reply(status=500, body=b"oops"))
    clock.advance(0.15)

    key = client.get_key(TEST_KID)

    assert key.kid == TEST_KID
    assert len(jwks_server.hits_to(JWKS_PATH)) == 2


def test_expired_cache_refetches_after_the_ttl(jwks_server, clock):
    client = make_client(jwks_server, ttl=0.1, min_refetch_interval=0.0, clock=clock)
    client.get_key(TEST_KID)
    clock.advance(0.15)

    client.get_key(TEST_KID)

    assert len(jwks_server.hits_to(JWKS_PATH)) == 2


def test_server_down_before_any_fetch_raises_keys_unavailable_quickly(dead_url):
    client = JWKSClient(dead_url + JWKS_PATH, timeout=TIMEOUT)
    started = time.monotonic()

    with pytest.raises(KeysUnavailable) as raised:
        client.get_key(TEST_KID)

    assert time.monotonic() - started < 2 * TIMEOUT
    assert raised.value.status_code == 503


def test_slow_server_before_any_fetch_raises_keys_unavailable_within_the_timeout(local_server):
    local_server.reply(JWKS_PATH, Reply(json=testing.test_jwks(), delay=5.0))
    client = make_client(local_server)
    started = time.monotonic()

    with pytest.raises(KeysUnavailable) as raised:
        client.get_key(TEST_KID)

    assert time.monotonic() - started < 2 * TIMEOUT
    assert raised.value.status_code == 503


def test_server_answering_500_before_any_fetch_raises_keys_unavailable(local_server):
    local_server.reply(JWKS_PATH, Reply(status=500, body=b"oops"))

    with pytest.raises(KeysUnavailable):
        make_client(local_server).get_key(TEST_KID)


def test_server_answering_garbage_before_any_fetch_raises_keys_unavailable(local_server):
    local_server.reply(JWKS_PATH, Reply(body=b"<html>not json</html>"))

    with pytest.raises(KeysUnavailable):
        make_client(local_server).get_key(TEST_KID)


def test_keys_unavailable_stays_unavailable_until_a_refetch_is_allowed(dead_url):
    client = JWKSClient(dead_url + JWKS_PATH, timeout=TIMEOUT, min_refetch_interval=10.0)
    with pytest.raises(KeysUnavailable):
        client.get_key(TEST_KID)

    with pytest.raises(KeysUnavailable):
        client.get_key(TEST_KID)


def test_parse_jwks_keeps_an_asymmetric_signing_key():
    keys = parse_jwks(testing.test_jwks())

    assert list(keys) == [TEST_KID]
    assert keys[TEST_KID].algorithm == "RS256"


def test_parse_jwks_accepts_a_key_without_use():
    document = copy.deepcopy(testing.test_jwks())
    del document["keys"][0]["use"]

    assert list(parse_jwks(document)) == [TEST_KID]


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(jwks_with(kid=None), id="no-kid"),
        pytest.param(jwks_with(kid=""), id="empty-kid"),
        pytest.param(jwks_with(alg="HS256"), id="symmetric-alg"),
        pytest.param(jwks_with(alg=None), id="no-alg"),
        pytest.param(jwks_with(use="enc"), id="encryption-key"),
        pytest.param(jwks_with(n="not-a-modulus!"), id="broken-key"),
        pytest.param(
            {"keys": [{"kid": "k", "alg": "HS256", "kty": "oct", "k": "c2VjcmV0"}]}, id="oct"
        ),
        pytest.param({}, id="no-keys"),
    ],
)
def test_parse_jwks_skips_keys_it_must_not_use(document):
    assert parse_jwks(document) == {}


def test_drf_request_gets_503_problem_when_the_jwks_server_is_down(
    client, dead_url, fresh_key_provider
):
    token = user_token(uuid.uuid4(), "patient")

    with override_settings(
        JWT_KEY_PROVIDER=None, AUTH_JWKS_URL=dead_url + JWKS_PATH, JWKS_FETCH_TIMEOUT=TIMEOUT
    ):
        response = client.get("/user-only", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 503, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "keys-unavailable"


def test_drf_request_is_verified_with_keys_from_the_jwks_server(
    client, jwks_server, fresh_key_provider
):
    user_id = uuid.uuid4()

    with override_settings(JWT_KEY_PROVIDER=None, AUTH_JWKS_URL=jwks_server.url + JWKS_PATH):
        assert isinstance(get_key_provider(), JWKSClient)
        response = client.get(
            "/user-only", HTTP_AUTHORIZATION=f"Bearer {user_token(user_id, 'doctor')}"
        )

    assert response.status_code == 200, response.content
    assert response.json()["id"] == str(user_id)
    assert len(jwks_server.hits_to(JWKS_PATH)) == 1


def test_concurrent_callers_after_the_ttl_share_one_refetch(local_server, clock):
    local_server.reply(JWKS_PATH, Reply(json=testing.test_jwks()))
    client = make_client(local_server, ttl=0.5, min_refetch_interval=0.0, clock=clock)
    client.get_key(TEST_KID)
    clock.advance(0.55)
    local_server.reply(JWKS_PATH, Reply(json=testing.test_jwks(), delay=0.1))

    with ThreadPoolExecutor(max_workers=4) as pool:
        keys = list(pool.map(lambda _: client.get_key(TEST_KID), range(4)))

    assert {key.kid for key in keys} == {TEST_KID}
    assert len(local_server.hits_to(JWKS_PATH)) == 2
