"""Registration that user_service does not confirm, and reconciliation of what it leaves."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from auth_service.accounts import selectors
from auth_service.accounts.exceptions import (
    EmailTaken,
    ProfileRejected,
    RegistrationUnconfirmed,
)
from auth_service.accounts.models import User
from auth_service.accounts.services import registration
from auth_service.accounts.tests.factories import UserFactory
from common.errors import ServiceUnavailable
from common.testing import assert_problem

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register"
TOKEN = "/api/v1/auth/token"
PATIENT = {
    "email": "ana@example.com",
    "password": "a-long-enough-passphrase",
    "role": "patient",
    "full_name": "Ana Lima",
}
FIVE_MINUTES = timedelta(minutes=5)


def _register(client, **changes):
    return client.post(REGISTER, {**PATIENT, **changes}, format="json")


def _sign_in(client, password=PATIENT["password"]):
    return client.post(TOKEN, {"email": PATIENT["email"], "password": password}, format="json")


def _account() -> User:
    return User.objects.get(email=PATIENT["email"])


def _rows() -> list[dict]:
    return list(User.objects.order_by("pk").values())


# Registering


@pytest.mark.parametrize("how", ["refused-connection", "timeout-after-acting"])
def test_an_unconfirmed_registration_is_a_503_and_keeps_the_account_pending(
    anon_client, user_service, how
):
    if how == "refused-connection":
        user_service.error = ServiceUnavailable("The user_service service cannot be reached.")
    else:
        user_service.act_then_fail.add("create")
    response = _register(anon_client)
    assert_problem(response, 503, "dependency-unavailable")
    body = response.json()
    assert body["code"] == "dependency-unavailable"
    assert "could not be confirmed" in body["detail"]
    account = _account()
    assert (account.state, account.is_active) == ("pending", False)
    assert_problem(_sign_in(anon_client), 401, "invalid-credentials")


def test_a_clear_refusal_still_deletes_the_account(anon_client, user_service):
    user_service.errors["create"] = ProfileRejected(
        extra={"errors": [{"field": "full_name", "code": "invalid", "detail": "No."}]}
    )
    assert_problem(_register(anon_client), 400, "validation-error")
    assert not User.objects.exists()


def test_sending_the_same_registration_again_completes_it(anon_client, user_service):
    user_service.act_then_fail.add("create")  # the profile was made, the answer lost
    assert_problem(_register(anon_client), 503, "dependency-unavailable")
    user_service.act_then_fail.clear()
    account_id = _account().id
    again = _register(anon_client)
    assert again.status_code == 201, again.content
    assert again.json()["id"] == str(account_id)
    assert [c["user_id"] for c in user_service.created] == [account_id, account_id]
    assert len(user_service.profiles) == 1
    assert (_account().state, _account().is_active) == ("active", True)
    assert _sign_in(anon_client).status_code == 200


def test_sending_it_again_restarts_its_time(anon_client, user_service):
    user_service.error = ServiceUnavailable()
    _register(anon_client)
    User.objects.update(date_joined=timezone.now() - timedelta(hours=1))
    assert_problem(_register(anon_client), 503, "dependency-unavailable")
    assert timezone.now() - _account().date_joined < FIVE_MINUTES


@pytest.mark.parametrize(
    "changes",
    [
        {"password": "another-long-passphrase"},
        {"role": "doctor", "specialty": "x", "timezone": "UTC"},
    ],
)
def test_another_registration_of_a_pending_email_is_409_and_changes_nothing(
    anon_client, user_service, changes
):
    user_service.error = ServiceUnavailable()
    _register(anon_client)
    user_service.error = None
    before = _rows()
    response = _register(anon_client, **changes)
    assert_problem(response, 409, "email-taken")
    assert response.json()["code"] == "email-taken"
    assert _rows() == before
    assert user_service.created == []


def test_a_resumed_registration_that_is_refused_deletes_the_account(anon_client, user_service):
    user_service.error = ServiceUnavailable()
    _register(anon_client)
    user_service.error = None
    user_service.errors["create"] = ProfileRejected()
    assert_problem(_register(anon_client), 400, "validation-error")
    assert not User.objects.exists()


def test_an_active_account_is_never_resumed(anon_client, user_service):
    assert _register(anon_client).status_code == 201
    before = _rows()
    assert_problem(_register(anon_client), 409, "email-taken")
    assert _rows() == before


def test_an_unexpected_error_keeps_the_account_pending_for_reconciliation(monkeypatch):
    from auth_service.accounts import clients

    def boom(**kwargs):
        raise RuntimeError("crash")

    monkeypatch.setattr(clients, "user_profile_create", boom)
    with pytest.raises(RuntimeError):
        registration.user_register(
            email="a@example.com", password=PATIENT["password"], role="patient", profile={}
        )
    assert User.objects.get().state == "pending"


def test_an_account_undone_while_its_profile_was_made_is_unconfirmed(user_service, monkeypatch):
    original = user_service.create

    def create_while_reconciliation_deletes(**kwargs):
        User.objects.filter(pk=kwargs["user_id"]).delete()
        return original(**kwargs)

    monkeypatch.setattr(
        "auth_service.accounts.clients.user_profile_create", create_while_reconciliation_deletes
    )
    with pytest.raises(RegistrationUnconfirmed):
        registration.user_register(
            email=PATIENT["email"],
            password=PATIENT["password"],
            role="patient",
            profile={"full_name": "A"},
        )
    assert not User.objects.exists()


def test_a_registration_completed_meanwhile_is_not_resumed(user_service, monkeypatch):
    pending = UserFactory(email=PATIENT["email"], state="pending", is_active=False)
    pending.set_password(PATIENT["password"])
    pending.save()
    stale = User.objects.get(pk=pending.pk)
    User.objects.filter(pk=pending.pk).update(state="active", is_active=True)
    monkeypatch.setattr(selectors, "user_get_by_email", lambda **kwargs: stale)
    with pytest.raises(EmailTaken):
        registration.user_register(
            email=PATIENT["email"],
            password=PATIENT["password"],
            role="patient",
            profile={"full_name": "A"},
        )
    assert user_service.created == []


# Reconciling


def _pending(*, age=timedelta(hours=1), **kwargs) -> User:
    return UserFactory(state="pending", is_active=False, date_joined=timezone.now() - age, **kwargs)


def test_reconcile_activates_with_profile_deletes_without_and_skips_when_down(
    user_service, monkeypatch
):
    with_profile, without, unknown = _pending(), _pending(), _pending()
    fresh = _pending(age=timedelta(seconds=10))
    user_service.add(with_profile.id)

    def get(*, user_id):
        if user_id == unknown.id:
            raise ServiceUnavailable()
        return user_service.get(user_id=user_id)

    monkeypatch.setattr("auth_service.accounts.clients.user_profile_get", get)
    counts = registration.registration_reconcile(older_than=FIVE_MINUTES)
    assert counts == {"activated": 1, "deleted": 1, "skipped": 1, "profiles_deleted": 0}
    with_profile.refresh_from_db()
    assert with_profile.is_active and with_profile.state == "active"
    assert not User.objects.filter(pk=without.pk).exists()
    assert User.objects.filter(pk=unknown.pk, state="pending").exists()
    assert User.objects.filter(pk=fresh.pk, state="pending").exists()


def test_reconcile_deletes_old_profiles_without_an_account_and_nothing_else(user_service):
    active, young_pending, old_pending = (
        UserFactory(),
        _pending(age=timedelta(seconds=10)),
        _pending(),
    )
    deactivated = UserFactory(is_active=False)  # an account staff switched off: still an account
    orphan, young_orphan = uuid.uuid4(), uuid.uuid4()
    for user in (active, old_pending, deactivated):
        user_service.add(user.id)
    user_service.add(young_pending.id, age=timedelta(seconds=10))
    user_service.add(orphan, role="doctor")
    user_service.add(young_orphan, age=timedelta(seconds=30))

    counts = registration.registration_reconcile(older_than=FIVE_MINUTES)

    assert counts == {"activated": 1, "deleted": 0, "skipped": 0, "profiles_deleted": 1}
    assert user_service.deleted == [orphan]
    assert set(user_service.profiles) == {
        active.id,
        old_pending.id,
        deactivated.id,
        young_pending.id,
        young_orphan,
    }
    assert User.objects.get(pk=old_pending.pk).is_active


def test_reconcile_deletes_the_profile_of_an_undone_registration_on_a_later_run(user_service):
    """A frozen user_service makes the profile after reconciliation deleted the account."""
    undone = _pending()
    counts = registration.registration_reconcile(older_than=FIVE_MINUTES)
    assert counts["deleted"] == 1
    user_service.add(undone.id)  # the late profile, made "an hour ago" for this test
    counts = registration.registration_reconcile(older_than=FIVE_MINUTES)
    assert counts["profiles_deleted"] == 1
    assert not user_service.profiles


def test_reconcile_looks_for_orphans_in_a_window(user_service):
    registration.registration_reconcile(older_than=FIVE_MINUTES, profiles_since=timedelta(days=7))
    registration.registration_reconcile(older_than=FIVE_MINUTES)
    (before, after), (before_all, after_all) = user_service.listed
    assert timedelta(minutes=4) < timezone.now() - before < timedelta(minutes=6)
    assert timedelta(days=6) < timezone.now() - after < timedelta(days=8)
    assert after_all is None


@pytest.mark.parametrize("failing", ["list", "delete"])
def test_reconcile_leaves_orphans_for_the_next_run_when_user_service_is_down(user_service, failing):
    orphan = uuid.uuid4()
    user_service.add(orphan)
    user_service.errors[failing] = ServiceUnavailable()
    counts = registration.registration_reconcile(older_than=FIVE_MINUTES)
    assert (counts["profiles_deleted"], counts["skipped"]) == (0, 1)
    assert orphan in user_service.profiles


def test_reconcile_counts_a_profile_deleted_meanwhile_as_nothing(user_service, monkeypatch):
    orphan = uuid.uuid4()
    user_service.add(orphan)
    monkeypatch.setattr("auth_service.accounts.clients.user_profile_delete", lambda **kwargs: False)
    assert registration.registration_reconcile(older_than=FIVE_MINUTES)["profiles_deleted"] == 0


def test_reconcile_checks_accounts_in_chunks(user_service, django_assert_max_num_queries):
    for _ in range(600):
        user_service.add(uuid.uuid4())
    kept = UserFactory()
    user_service.add(kept.id)
    with django_assert_max_num_queries(3):  # pending accounts, then two chunks of ids
        counts = registration.registration_reconcile(older_than=FIVE_MINUTES)
    assert counts["profiles_deleted"] == 600
    assert list(user_service.profiles) == [kept.id]
