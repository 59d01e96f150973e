"""Tests of common.people against real local HTTP servers standing in for user_service and
auth_service."""

import time
import uuid
from urllib.parse import parse_qs

import pytest
from django.core.cache import cache
from django.test import override_settings

from common.errors import ServiceUnavailable
from common.people import (
    ACCOUNTS_PATH,
    BATCH_SIZE,
    CACHE_SECONDS,
    PROFILES_PATH,
    Person,
    people_get,
    people_search,
)
from common.testing import StubServer

ANA = uuid.UUID("5e1c9d2a-7b3f-4c6d-8e9a-1b2c3d4e5f60")
LENA = uuid.UUID("2b2d6c70-9d5d-5544-a0f3-a2a8aee6ac4f")
STAFF = uuid.UUID("11111111-2222-3333-4444-555555555555")


def patient(user_id=ANA, name="Ana Lima", phone="+44 20 7946 0001"):
    return {
        "user_id": str(user_id),
        "role": "patient",
        "full_name": name,
        "timezone": None,
        "specialty": None,
        "approved": None,
        "phone": phone,
        "created_at": "2026-01-07T18:12:00Z",
    }


def doctor(user_id=LENA, name="Dr. Lena Weber"):
    return {
        "user_id": str(user_id),
        "role": "doctor",
        "full_name": name,
        "timezone": "Europe/Berlin",
        "specialty": {"slug": "cardiology", "name": "Cardiology"},
        "approved": True,
        "phone": None,
        "created_at": "2026-01-05T09:30:00Z",
    }


def page(*rows):
    return {"count": len(rows), "next": None, "previous": None, "results": list(rows)}


def account(user_id, email, role="patient"):
    return {"id": str(user_id), "email": email, "role": role, "is_active": True}


ANA_PERSON = Person(
    id=ANA,
    role="patient",
    full_name="Ana Lima",
    email="ana.lima@demo.clinic",
    phone="+44 20 7946 0001",
    specialty=None,
    specialty_slug=None,
)
LENA_PERSON = Person(
    id=LENA,
    role="doctor",
    full_name="Dr. Lena Weber",
    email="lena.weber@demo.clinic",
    phone=None,
    specialty="Cardiology",
    specialty_slug="cardiology",
)


@pytest.fixture
def users():
    server = StubServer()
    server.route("GET", PROFILES_PATH, json=page(patient(), doctor()))
    yield server
    server.stop()


@pytest.fixture
def auth():
    server = StubServer()
    server.route(
        "GET",
        ACCOUNTS_PATH,
        json=page(
            account(ANA, "ana.lima@demo.clinic"),
            account(LENA, "lena.weber@demo.clinic", "doctor"),
            account(STAFF, "desk@demo.clinic", "staff"),
        ),
    )
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _services(users, auth, fresh_token_provider):
    cache.clear()
    with override_settings(
        USER_SERVICE_URL=users.url,
        AUTH_SERVICE_URL=auth.url,
        SERVICE_TOKEN_PROVIDER="tests.providers.StaticTokenProvider",
    ):
        yield
    cache.clear()


def queries(server, path):
    return [
        parse_qs(query)
        for (method, hit, _, _), query in zip(server.requests, server.queries, strict=True)
        if method == "GET" and hit == path
    ]


def test_people_get_names_patients_and_doctors_with_one_call_to_each_service(users, auth):
    people = people_get([ANA, LENA])

    assert people == {ANA: ANA_PERSON, LENA: LENA_PERSON}
    [profiles] = queries(users, PROFILES_PATH)
    [accounts] = queries(auth, ACCOUNTS_PATH)
    assert profiles["ids"] == [f"{ANA},{LENA}"]
    assert accounts["ids"] == [f"{ANA},{LENA}"]
    assert users.requests[0][2]["Authorization"] == "Bearer static-service-token"


def test_people_get_leaves_out_unknown_and_staff_ids_and_skips_blank_ones(users):
    users.route("GET", PROFILES_PATH, json=page(patient()))

    people = people_get([ANA, STAFF, None, "not-a-uuid", str(ANA)])

    assert people == {ANA: ANA_PERSON}
    [profiles] = queries(users, PROFILES_PATH)
    assert profiles["ids"] == [f"{ANA},{STAFF}"]


def test_people_get_of_nobody_calls_nobody(users, auth):
    assert people_get([]) == {}
    assert people_get([None]) == {}
    assert users.requests == []
    assert auth.requests == []


def test_people_get_splits_more_than_a_batch_into_calls_of_at_most_a_hundred(users):
    ids = [uuid.uuid4() for _ in range(2 * BATCH_SIZE + 1)]

    people_get(ids)

    sent = [q["ids"][0].split(",") for q in queries(users, PROFILES_PATH)]
    assert [len(batch) for batch in sent] == [BATCH_SIZE, BATCH_SIZE, 1]
    assert [uuid.UUID(i) for batch in sent for i in batch] == ids


def test_people_get_asks_again_only_for_ids_not_cached(users, auth):
    people_get([ANA, STAFF])
    users.route("GET", PROFILES_PATH, json=page(doctor()))

    people = people_get([ANA, STAFF, LENA])

    assert people == {ANA: ANA_PERSON, LENA: LENA_PERSON}
    second = queries(users, PROFILES_PATH)[1]
    assert second["ids"] == [str(LENA)]  # Ana and the staff id (no profile) are cached
    assert queries(auth, ACCOUNTS_PATH)[1]["ids"] == [str(LENA)]


def test_people_get_asks_again_once_the_cache_time_has_passed(users, monkeypatch):
    real_time, skew = time.time, [0.0]
    monkeypatch.setattr(time, "time", lambda: real_time() + skew[0])

    people_get([ANA])
    skew[0] = CACHE_SECONDS - 5
    people_get([ANA])
    assert len(queries(users, PROFILES_PATH)) == 1
    skew[0] = CACHE_SECONDS + 1
    people_get([ANA])

    assert len(queries(users, PROFILES_PATH)) == 2


def test_people_get_when_user_service_is_down_raises_service_unavailable(users, auth):
    users.stop()

    with pytest.raises(ServiceUnavailable):
        people_get([ANA])
    assert auth.requests == []


@pytest.mark.parametrize(
    "answer",
    [
        {"status": 403, "json": {"code": "permission-denied"}},
        {"status": 200, "json": {"results": "nope"}},
        {"status": 200, "json": ["no", "page"]},
        {"status": 200, "json": page({"user_id": "x", "role": "patient"})},
        {"status": 200, "json": page({**patient(), "role": "staff"})},
        {"status": 200, "body": b"<html>", "content_type": "text/html"},
    ],
    ids=["refused", "results-not-a-list", "not-a-page", "bad-id", "bad-role", "not-json"],
)
def test_people_get_with_an_unusable_user_service_answer_raises_service_unavailable(users, answer):
    users.route("GET", PROFILES_PATH, **answer)

    with pytest.raises(ServiceUnavailable):
        people_get([ANA])


def test_people_get_when_auth_service_is_down_names_people_without_emails(users, auth, caplog):
    auth.stop()

    people = people_get([ANA])

    assert people[ANA].full_name == "Ana Lima"
    assert people[ANA].email is None
    assert "emails left out" in caplog.text


def test_people_get_without_emails_is_not_cached(users, auth):
    auth.route("GET", ACCOUNTS_PATH, status=403, json={"code": "permission-denied"})
    assert people_get([ANA])[ANA].email is None
    auth.route("GET", ACCOUNTS_PATH, json=page(account(ANA, "ana.lima@demo.clinic")))

    assert people_get([ANA])[ANA].email == "ana.lima@demo.clinic"
    assert len(queries(users, PROFILES_PATH)) == 2


def test_people_get_skips_unusable_account_rows(auth):
    auth.route(
        "GET",
        ACCOUNTS_PATH,
        json=page("junk", {"id": "nope", "email": "x@y"}, {"id": str(ANA), "email": None}),
    )

    assert people_get([ANA])[ANA].email is None


def test_people_search_by_name_asks_user_service_and_answers_by_name(users, auth):
    users.route(
        "GET",
        PROFILES_PATH,
        json=page(patient(name="zoe Lima"), patient(user_id=STAFF, name="Ana Lima")),
        query={"search": "lima"},
    )
    auth.route("GET", ACCOUNTS_PATH, json=page(account(ANA, "zoe@demo.clinic")))

    found = people_search("  lima ", role="patient", limit=5)

    assert [person.full_name for person in found] == ["Ana Lima", "zoe Lima"]
    assert found[1].email == "zoe@demo.clinic"
    [sent] = queries(users, PROFILES_PATH)
    assert sent == {"search": ["lima"], "role": ["patient"], "page_size": ["5"]}
    # What was found is cached for people_get.
    assert people_get([ANA])[ANA].full_name == "zoe Lima"
    assert len(queries(users, PROFILES_PATH)) == 1


def test_people_search_by_email_asks_auth_service_then_user_service(users, auth):
    auth.route(
        "GET",
        ACCOUNTS_PATH,
        json=page(account(LENA, "lena.weber@demo.clinic", "doctor")),
        query={"email": "@demo.clinic"},
    )

    found = people_search("@demo.clinic", role="doctor")

    assert found == [LENA_PERSON]
    assert queries(auth, ACCOUNTS_PATH)[0] == {"email": ["@demo.clinic"]}
    assert queries(users, PROFILES_PATH)[0]["ids"] == [str(LENA)]


def test_people_search_by_email_when_auth_service_is_down_raises(auth):
    auth.stop()

    with pytest.raises(ServiceUnavailable):
        people_search("ana@")


def test_people_search_by_name_when_user_service_is_down_raises(users):
    users.stop()

    with pytest.raises(ServiceUnavailable):
        people_search("Ana")


def test_people_search_by_name_when_auth_service_is_down_has_no_emails(users, auth):
    auth.stop()

    found = people_search("a")

    assert [person.email for person in found] == [None, None]
    users.stop()
    with pytest.raises(ServiceUnavailable):  # nothing was cached
        people_get([ANA])


@pytest.mark.parametrize("text", ["", "   ", "x" * 101])
def test_people_search_of_a_blank_or_too_long_text_finds_nobody_without_a_call(users, text):
    assert people_search(text) == []
    assert people_search("Ana", limit=0) == []
    assert users.requests == []


def test_people_search_asks_for_at_most_twenty(users):
    people_search("Ana", limit=500)

    assert queries(users, PROFILES_PATH)[0]["page_size"] == ["20"]
