"""Tests of ended sign-ins: the per-process revocation list and the check in JWTAuthentication."""

import logging
import threading
import time
import uuid

import pytest
from django.test import override_settings

from common.errors import ServiceUnavailable
from common.revocations import (
    REVOCATIONS_PATH,
    RevocationList,
    fetch_revocations,
    get_revocation_checker,
    parse_revocations,
)
from common.testing import Reply, mint, service_token, user_token


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


# The check in JWTAuthentication -----------------------------------------------------------


def test_a_token_issued_before_the_sign_ins_were_ended_gets_401(client, revocations):
    user_id = uuid.uuid4()
    token = user_token(user_id, "patient")
    assert client.get("/user-only", **bearer(token)).status_code == 200

    revocations[str(user_id)] = int(time.time()) + 1

    response = client.get("/user-only", **bearer(token))
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert "sign in again" in response.json()["detail"]


def test_a_token_issued_after_the_end_and_other_peoples_tokens_still_pass(client, revocations):
    user_id = uuid.uuid4()
    revocations[str(user_id)] = int(time.time()) - 60

    assert client.get("/user-only", **bearer(user_token(user_id, "patient"))).status_code == 200
    assert (
        client.get("/user-only", **bearer(user_token(uuid.uuid4(), "patient"))).status_code == 200
    )


def test_service_tokens_are_not_looked_up(client, revocations):
    revocations["service:tester"] = int(time.time()) + 60

    response = client.get("/internal", **bearer(service_token("tester", "test:read")))

    assert response.status_code != 401


def test_the_token_of_the_same_second_as_the_end_is_refused(client, revocations):
    user_id = uuid.uuid4()
    now = int(time.time())
    revocations[str(user_id)] = now + 1

    token = mint(sub=str(user_id), role="patient", iat=now)
    assert client.get("/user-only", **bearer(token)).status_code == 401
    later = mint(sub=str(user_id), role="patient", iat=now + 1)
    assert client.get("/user-only", **bearer(later)).status_code == 200


# The list each process keeps ---------------------------------------------------------------


class FakeFetch:
    """Stands in for the HTTP fetch: answers from a script, counts the calls."""

    def __init__(self, *answers, delay: float = 0.0):
        self.answers = list(answers)
        self.calls = 0
        self.delay = delay

    def __call__(self) -> dict[str, int]:
        self.calls += 1
        if self.delay:
            time.sleep(self.delay)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def make_list():
    made: list[RevocationList] = []

    def factory(fetch, **kwargs) -> RevocationList:
        kwargs.setdefault("interval", 60.0)
        revocation_list = RevocationList(fetch=fetch, **kwargs)
        made.append(revocation_list)
        return revocation_list

    yield factory
    for revocation_list in made:
        revocation_list.stop()


def test_many_checks_make_one_fetch_per_interval_never_one_per_request(make_list):
    sub = str(uuid.uuid4())
    fetch = FakeFetch({sub: 2_000})
    revocation_list = make_list(fetch, interval=60.0)

    results = [revocation_list.is_revoked(sub=sub, iat=1_000) for _ in range(1000)]

    assert all(results)
    assert fetch.calls == 1
    assert not revocation_list.is_revoked(sub=sub, iat=2_000)
    assert not revocation_list.is_revoked(sub=str(uuid.uuid4()), iat=1_000)


def test_checks_from_many_threads_still_start_one_poller(make_list):
    fetch = FakeFetch({}, delay=0.05)
    revocation_list = make_list(fetch, interval=60.0)

    threads = [
        threading.Thread(target=revocation_list.is_revoked, kwargs={"sub": "x", "iat": 1})
        for _ in range(20)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert fetch.calls == 1


def test_the_list_is_fetched_again_every_interval(make_list):
    sub = str(uuid.uuid4())
    fetch = FakeFetch({}, {sub: 2_000})
    revocation_list = make_list(fetch, interval=0.1)
    assert not revocation_list.is_revoked(sub=sub, iat=1_000)

    deadline = time.monotonic() + 3
    while not revocation_list.is_revoked(sub=sub, iat=1_000):
        assert time.monotonic() < deadline, "the list was never fetched again"
        time.sleep(0.02)
    started = time.monotonic()
    calls = fetch.calls
    while fetch.calls - calls < 3:
        assert time.monotonic() < started + 3, "the list is not fetched every interval"
        time.sleep(0.02)

    # Three more fetches take at least two intervals: never more often than the interval.
    assert time.monotonic() - started >= 2 * 0.1


def test_a_failed_fetch_keeps_the_last_list_and_is_logged(make_list, caplog):
    sub = str(uuid.uuid4())
    fetch = FakeFetch({sub: 2_000}, ServiceUnavailable("down"), ValueError("garbage"))
    revocation_list = make_list(fetch, interval=60.0)
    assert revocation_list.is_revoked(sub=sub, iat=1_000)

    with caplog.at_level(logging.WARNING, logger="common.revocations"):
        assert revocation_list.refresh() is False
        assert revocation_list.refresh() is False

    assert revocation_list.is_revoked(sub=sub, iat=1_000)
    assert "keeping the last one (1 entries)" in caplog.text


def test_no_list_at_all_never_blocks_requests_past_the_first_wait(make_list, caplog):
    fetch = FakeFetch(ServiceUnavailable("down"))
    revocation_list = make_list(fetch, interval=60.0, first_wait=0.5)

    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="common.revocations"):
        assert not revocation_list.is_revoked(sub="x", iat=1)
        assert not revocation_list.is_revoked(sub="x", iat=1)
    assert time.monotonic() - started < 0.5
    assert "No revocation list yet" in caplog.text


def test_a_hung_first_fetch_holds_the_first_check_at_most_first_wait(make_list):
    fetch = FakeFetch({}, delay=5)
    revocation_list = make_list(fetch, interval=60.0, first_wait=0.2)

    started = time.monotonic()
    assert not revocation_list.is_revoked(sub="x", iat=1)
    assert not revocation_list.is_revoked(sub="x", iat=1)

    assert time.monotonic() - started < 1


def test_the_first_check_of_a_process_waits_for_the_first_list(make_list):
    sub = str(uuid.uuid4())
    revocation_list = make_list(FakeFetch({sub: 2_000}, delay=0.2), first_wait=3)

    assert revocation_list.is_revoked(sub=sub, iat=1_000)


def test_a_forked_process_polls_on_its_own(make_list, monkeypatch):
    import os

    fetch = FakeFetch({})
    revocation_list = make_list(fetch)
    revocation_list.is_revoked(sub="x", iat=1)
    real_pid = os.getpid()
    monkeypatch.setattr(os, "getpid", lambda: real_pid + 1)

    revocation_list.is_revoked(sub="x", iat=1)

    assert fetch.calls == 2


# Parsing and fetching -----------------------------------------------------------------------


def test_parse_keeps_the_latest_time_per_subject():
    sub = uuid.uuid4()
    document = {
        "revocations": [
            {"sub": str(sub), "revoked_before": 10},
            {"sub": str(sub).upper(), "revoked_before": 20},
        ]
    }

    assert parse_revocations(document) == {str(sub): 20}


@pytest.mark.parametrize(
    "document",
    [
        [],
        {"revocations": "x"},
        {"revocations": [{"sub": "not-a-uuid", "revoked_before": 1}]},
        {"revocations": [{"sub": str(uuid.UUID(int=1))}]},
    ],
)
def test_parse_refuses_an_unusable_list(document):
    with pytest.raises((ValueError, KeyError, TypeError)):
        parse_revocations(document)


@override_settings(SERVICE_TOKEN_PROVIDER="tests.providers.StaticTokenProvider")
def test_fetch_asks_auth_service_with_the_service_token(
    local_server, fresh_token_provider, settings
):
    sub = str(uuid.uuid4())
    settings.AUTH_SERVICE_URL = local_server.url
    local_server.reply(
        REVOCATIONS_PATH,
        Reply(json={"revocations": [{"sub": sub, "revoked_before": 5}], "window_seconds": 660}),
    )

    assert fetch_revocations() == {sub: 5}
    [hit] = local_server.hits
    assert hit.headers["authorization"] == "Bearer static-service-token"


@override_settings(SERVICE_TOKEN_PROVIDER="tests.providers.StaticTokenProvider")
def test_a_refused_fetch_is_a_failure_that_names_the_scope(
    local_server, fresh_token_provider, settings, caplog
):
    settings.AUTH_SERVICE_URL = local_server.url
    local_server.reply(REVOCATIONS_PATH, Reply(status=403, json={"code": "permission-denied"}))

    with (
        caplog.at_level(logging.ERROR, logger="common.revocations"),
        pytest.raises(ServiceUnavailable),
    ):
        fetch_revocations()

    assert "revocations:read" in caplog.text


@override_settings(SERVICE_TOKEN_PROVIDER="tests.providers.StaticTokenProvider")
def test_a_dead_auth_service_keeps_the_list_empty_and_requests_pass(
    dead_url, fresh_token_provider, settings
):
    settings.AUTH_SERVICE_URL = dead_url
    revocation_list = RevocationList(fetch=fetch_revocations, interval=60.0, first_wait=2)
    try:
        assert not revocation_list.is_revoked(sub=str(uuid.uuid4()), iat=1)
        assert revocation_list.fetched_at is None
    finally:
        revocation_list.stop()


def test_the_default_checker_is_auth_services_list_polled_as_configured(settings):
    settings.REVOCATION_CHECKER = None
    settings.REVOCATIONS_POLL_SECONDS = 7
    get_revocation_checker.cache_clear()
    try:
        checker = get_revocation_checker()
        assert isinstance(checker, RevocationList)
        assert checker.interval == 7
        assert get_revocation_checker() is checker
    finally:
        get_revocation_checker.cache_clear()
