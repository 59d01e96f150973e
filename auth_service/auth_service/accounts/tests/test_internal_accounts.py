"""The internal accounts look-up other services' admins use to name ids: by id or by email."""

import uuid

import pytest

from auth_service.accounts.models import Role, User
from auth_service.accounts.services import service_accounts, sign_in
from auth_service.accounts.tests.factories import UserFactory, staff_user
from common.testing import BearerClient, assert_problem, forged_tokens, mint

pytestmark = pytest.mark.django_db

ACCOUNTS = "/internal/v1/accounts/"


def service_caller(client_id: str, scope: str, audience: str = "auth_service") -> BearerClient:
    """A client with a real service token (auth_service verifies with its own keys)."""
    token = service_accounts.service_token_mint(
        client_id=client_id, audience=audience, scopes=scope.split()
    )
    return BearerClient(token.access_token)


@pytest.fixture
def reader():
    return service_caller("appointment_service", "accounts:read")


def ids_param(*users) -> dict:
    return {"ids": ",".join(str(getattr(user, "pk", user)) for user in users)}


def test_accounts_by_id_in_the_order_asked_unknown_ones_left_out(reader):
    ana = UserFactory(email="ana.lima@demo.clinic")
    lena = UserFactory(email="lena.weber@demo.clinic", role=Role.DOCTOR, is_active=False)
    UserFactory()  # not asked for

    response = reader.get(ACCOUNTS, ids_param(lena, uuid.uuid4(), ana, lena))

    assert response.status_code == 200, response.content
    assert response.json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [
            {"id": str(lena.pk), "email": "lena.weber@demo.clinic", "role": "doctor",
             "is_active": False},
            {"id": str(ana.pk), "email": "ana.lima@demo.clinic", "role": "patient",
             "is_active": True},
        ],
    }  # fmt: skip


@pytest.mark.parametrize("count", [1, 100])
def test_accounts_by_id_cost_one_query_for_1_or_100_ids(reader, django_assert_num_queries, count):
    users = UserFactory.create_batch(count)
    with django_assert_num_queries(1):
        body = reader.get(ACCOUNTS, ids_param(*users)).json()
    assert body["count"] == len(body["results"]) == count


def test_accounts_by_email_contain_the_text_in_any_case_by_email(reader):
    staff = staff_user("front-desk", email="desk@demo.clinic")
    ben = UserFactory(email="ben.okafor@demo.clinic")
    UserFactory(email="ben@elsewhere.example")

    body = reader.get(ACCOUNTS, {"email": " @DEMO.clinic "}).json()

    assert [row["id"] for row in body["results"]] == [str(ben.pk), str(staff.pk)]
    assert body["results"][1]["role"] == "staff"


def test_accounts_by_email_answer_at_most_twenty_with_one_query(reader, django_assert_num_queries):
    UserFactory.create_batch(25)
    with django_assert_num_queries(1):
        body = reader.get(ACCOUNTS, {"email": "@example.com"}).json()
    assert body["count"] == len(body["results"]) == 20
    emails = [row["email"] for row in body["results"]]
    assert emails == sorted(emails)


def test_accounts_by_email_match_wildcards_literally(reader):
    UserFactory(email="ana@example.com")
    assert reader.get(ACCOUNTS, {"email": "%"}).json()["count"] == 0
    assert reader.get(ACCOUNTS, {"email": "a_a"}).json()["count"] == 0


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({}, "ids", "required"),
        ({"ids": ""}, "ids", "required"),
        ({"ids": ",".join(str(uuid.uuid4()) for _ in range(101))}, "ids", "too-many-ids"),
        ({"ids": f"{uuid.uuid4()},not-a-uuid"}, "ids", "invalid-uuid"),
        ({"email": ""}, "email", "blank"),
        ({"email": "   "}, "email", "blank"),
        ({"email": "a" * 255}, "email", "max_length"),
        ({"email": "ana", "ids": str(uuid.uuid4())}, "email", "exclusive"),
    ],
)
def test_bad_input_is_a_400_problem(reader, params, field, code):
    body = assert_problem(reader.get(ACCOUNTS, params), 400, "validation-error")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [(field, code)]


@pytest.mark.parametrize(
    "caller",
    [
        pytest.param(lambda: service_caller("appointment_service", "staff:sign-in"), id="other"),
        pytest.param(lambda: service_caller("portal", ""), id="empty-scope"),
    ],
)
def test_a_service_token_without_the_scope_gets_403(caller):
    UserFactory(email="ana@example.com")
    assert_problem(caller().get(ACCOUNTS, {"email": "ana"}), 403, "permission-denied")


@pytest.mark.parametrize("role", [Role.PATIENT, Role.DOCTOR, Role.STAFF])
def test_a_user_token_gets_403_even_a_staff_members(role):
    user = staff_user("clinic-admin") if role == Role.STAFF else UserFactory(role=role)
    client = BearerClient(sign_in.token_pair_issue(user=user).access)

    assert_problem(client.get(ACCOUNTS, ids_param(user)), 403, "permission-denied")


def test_no_or_forged_tokens_get_401():
    user = UserFactory(email="ana@example.com")
    callers = {
        "none": BearerClient(),
        "other-audience": service_caller("svc", "accounts:read", audience="user_service"),
        # Signed with a key auth_service never published.
        "test-key": BearerClient(
            mint(sub="service:svc", token_type="service", scope="accounts:read")
        ),
        **{name: BearerClient(token) for name, token in forged_tokens(user.pk, "staff").items()},
    }
    for name, client in callers.items():
        response = client.get(ACCOUNTS, ids_param(user))
        assert_problem(response, 401, "not-authenticated")
        assert "ana@example.com" not in response.content.decode(), name


def test_only_get_is_served(reader):
    user = UserFactory()
    assert_problem(reader.post(ACCOUNTS, {"ids": str(user.pk)}), 405, "method-not-allowed")
    assert_problem(reader.delete(ACCOUNTS), 405, "method-not-allowed")
    assert User.objects.filter(pk=user.pk).exists()


def test_the_internal_schema_documents_the_look_up(client):
    client.force_login(staff_user("clinic-admin"))

    schema = client.get("/internal/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    operation = schema["paths"]["/internal/v1/accounts/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"ids", "email"}
    assert {"200", "400", "401", "403"} <= set(operation["responses"])
    assert (
        "/internal/v1/accounts/"
        not in client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()[
            "paths"
        ]
    )
