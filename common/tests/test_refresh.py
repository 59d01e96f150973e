"""common.refresh: keys, service tokens and the revocation list fetched before the first request
and kept fresh in the background, never on the request path."""

import itertools
import logging
import time
from urllib.parse import parse_qs

import pytest

from common import gunicorn_conf, refresh, service_tokens, testing
from common.auth import JWKSClient, get_key_provider
from common.http import default_token_provider
from common.revocations import REVOCATIONS_PATH, get_revocation_checker
from common.service_tokens import ClientCredentialsTokenProvider
from common.testing import TEST_KID, Reply

JWKS_PATH = "/.well-known/jwks.json"
TOKEN_PATH = "/api/v1/auth/service-token"


def wait_until(condition, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


class Switch:
    """A reply that answers ``good`` until ``failing`` is set, then a 503."""

    def __init__(self, good):
        self.good = good
        self.failing = False

    def __call__(self, hit):
        return Reply(status=503, json={}) if self.failing else self.good(hit)


def token_reply(expires_in: int):
    counter = itertools.count(1)
    return lambda hit: Reply(
        json={"access_token": f"token-{next(counter)}", "expires_in": expires_in, "scope": ""}
    )


@pytest.fixture
def jwks_client(local_server):
    local_server.reply(JWKS_PATH, Reply(json=testing.test_jwks()))
    made: list[JWKSClient] = []

    def factory(**kwargs) -> JWKSClient:
        options = {"timeout": 0.5, "ttl": 300.0, "min_refetch_interval": 0.0, **kwargs}
        client = JWKSClient(local_server.url + JWKS_PATH, **options)
        made.append(client)
        return client

    yield factory
    for client in made:
        client.stop_refreshing()


@pytest.fixture
def token_provider(local_server):
    made: list[ClientCredentialsTokenProvider] = []

    def factory() -> ClientCredentialsTokenProvider:
        provider = ClientCredentialsTokenProvider(
            token_url=local_server.url + TOKEN_PATH, client_id="svc", client_secret="s3cret"
        )
        made.append(provider)
        return provider

    yield factory
    for provider in made:
        provider.stop_refreshing()


def test_with_background_refresh_a_request_never_fetches_the_keys(jwks_client, local_server):
    clock = type("Clock", (), {"now": 1000.0, "__call__": lambda self: self.now})()
    client = jwks_client(ttl=300.0, clock=clock)
    client.start_refreshing()
    assert len(local_server.hits_to(JWKS_PATH)) == 1

    clock.now += 10_000  # far past the ttl: without the background, a request would refetch
    assert client.get_key(TEST_KID).kid == TEST_KID
    assert len(local_server.hits_to(JWKS_PATH)) == 1


def test_without_background_refresh_a_request_past_the_ttl_still_refetches(
    jwks_client, local_server
):
    clock = type("Clock", (), {"now": 1000.0, "__call__": lambda self: self.now})()
    client = jwks_client(ttl=300.0, clock=clock)
    client.get_key(TEST_KID)
    clock.now += 301
    client.get_key(TEST_KID)
    assert len(local_server.hits_to(JWKS_PATH)) == 2


def test_the_keys_are_refetched_in_the_background_and_kept_when_that_fails(
    jwks_client, local_server, caplog
):
    switch = Switch(lambda hit: Reply(json=testing.test_jwks()))
    local_server.reply(JWKS_PATH, switch)
    client = jwks_client(ttl=0.2)
    client.start_refreshing()

    assert wait_until(lambda: len(local_server.hits_to(JWKS_PATH)) >= 3)
    switch.failing = True
    failed_from = len(local_server.hits_to(JWKS_PATH))
    assert wait_until(lambda: len(local_server.hits_to(JWKS_PATH)) >= failed_from + 2)
    assert client.get_key(TEST_KID).kid == TEST_KID
    assert "keeping 1 cached keys" in caplog.text


def test_service_tokens_are_renewed_in_the_background_before_any_request_needs_it(
    token_provider, local_server, monkeypatch
):
    # Three-second tokens: a request renews in the last second, the background after 1.5 s.
    monkeypatch.setattr(service_tokens, "TOKEN_REFRESH_MARGIN_SECONDS", 1)
    monkeypatch.setattr(service_tokens, "BACKGROUND_LEAD_SECONDS", 0.5)
    local_server.reply(TOKEN_PATH, token_reply(expires_in=3))
    provider = token_provider()
    provider.start_refreshing(["schedule_service"])
    assert len(local_server.hits_to(TOKEN_PATH)) == 1
    first = provider.get_token("schedule_service")

    # Renewed after a third of its life, by the background alone.
    assert wait_until(lambda: len(local_server.hits_to(TOKEN_PATH)) >= 2, seconds=4)
    hits = len(local_server.hits_to(TOKEN_PATH))
    assert provider.get_token("schedule_service") not in (first, None)
    assert len(local_server.hits_to(TOKEN_PATH)) == hits, "the request fetched nothing"


def test_a_background_renewal_that_fails_keeps_the_token_in_hand(
    token_provider, local_server, caplog
):
    switch = Switch(token_reply(expires_in=60))
    local_server.reply(TOKEN_PATH, switch)
    provider = token_provider()
    provider.start_refreshing(["schedule_service"])
    token = provider.get_token("schedule_service")
    switch.failing = True
    # Due for renewal in the background, still good for a request (35 s left).
    held = provider._tokens["schedule_service"]
    held.issued_at, held.expires_at = time.time() - 100, time.time() + 35
    with caplog.at_level(logging.WARNING):
        provider._renew_due()
    assert provider.get_token("schedule_service") == token
    assert "not renewed in the background" in caplog.text


@pytest.fixture
def process_wide(settings, local_server, fresh_key_provider, fresh_token_provider):
    """The process's own key provider, token provider and revocation list, against the stub."""
    settings.AUTH_SERVICE_URL = local_server.url
    settings.AUTH_JWKS_URL = local_server.url + JWKS_PATH
    settings.JWT_KEY_PROVIDER = None
    settings.REVOCATION_CHECKER = None
    settings.SERVICE_TOKEN_PROVIDER = None
    settings.SERVICE_TOKEN_AUDIENCES = ("user_service",)
    local_server.reply(JWKS_PATH, Reply(json=testing.test_jwks()))
    local_server.reply(TOKEN_PATH, token_reply(expires_in=300))
    local_server.reply(REVOCATIONS_PATH, Reply(json={"revocations": [], "window_seconds": 660}))
    get_revocation_checker.cache_clear()
    yield local_server
    for stop in (
        getattr(get_key_provider(), "stop_refreshing", None),
        getattr(default_token_provider(), "stop_refreshing", None),
        getattr(get_revocation_checker(), "stop", None),
    ):
        if stop:
            stop()
    get_revocation_checker.cache_clear()


def test_warm_up_fetches_keys_tokens_and_the_revocation_list_before_any_request(process_wide):
    refresh.warm_up(wait=5)
    assert len(process_wide.hits_to(JWKS_PATH)) == 1
    assert len(process_wide.hits_to(REVOCATIONS_PATH)) == 1
    audiences = {
        parse_qs(hit.body.decode())["audience"][0] for hit in process_wide.hits_to(TOKEN_PATH)
    }
    assert audiences == {"user_service", "auth_service"}  # auth_service: the revocation list

    hits = len(process_wide.hits)
    get_key_provider().get_key(TEST_KID)
    default_token_provider().get_token("user_service")
    get_revocation_checker().is_revoked(sub="x", iat=0)
    assert len(process_wide.hits) == hits, "nothing is fetched on the request path"


def test_warm_up_of_a_service_that_verifies_no_tokens_gets_its_service_tokens_only(
    process_wide, settings
):
    settings.VERIFIES_BEARER_TOKENS = False
    refresh.warm_up(wait=5)
    assert {hit.path for hit in process_wide.hits} == {TOKEN_PATH}


def test_warm_up_with_auth_service_down_logs_and_serves_anyway(process_wide, dead_url, caplog):
    process_wide.stop()
    started = time.monotonic()
    with caplog.at_level(logging.WARNING):
        refresh.warm_up(wait=3)
    assert time.monotonic() - started < 3.5
    assert "not renewed in the background" in caplog.text or "failed" in caplog.text


def test_the_gunicorn_hook_warms_the_worker_up(monkeypatch):
    calls = []
    monkeypatch.setattr(refresh, "warm_up", lambda: calls.append("warm"))
    gunicorn_conf.post_worker_init(worker=None)
    assert calls == ["warm"]


def test_a_refresh_that_raises_is_logged_and_tried_again(caplog):
    calls = []

    def flaky() -> float:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("boom")
        return 0.05

    refresh.RETRY_AFTER_ERROR_SECONDS, saved = 0.05, refresh.RETRY_AFTER_ERROR_SECONDS
    refresher = refresh.BackgroundRefresher("test", flaky)
    try:
        refresher.start(first_in=0)
        assert wait_until(lambda: len(calls) >= 3)
    finally:
        refresher.stop()
        refresh.RETRY_AFTER_ERROR_SECONDS = saved
    assert "Background refresh test failed" in caplog.text
