"""Races against PostgreSQL: sign-in throttling, refresh rotation and registration."""

import time
from datetime import timedelta

import jwt
import pytest
from django.contrib.auth.backends import ModelBackend
from django.db.models import F
from rest_framework.test import APIClient

from auth_service.accounts.exceptions import EmailTaken, InvalidRefreshToken
from auth_service.accounts.models import RefreshTokenRecord, User
from auth_service.accounts.services import account_actions, registration, sign_in
from auth_service.accounts.tests.factories import PASSWORD, UserFactory
from common.testing import assert_problem, race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _refresh(token):
    return APIClient().post("/api/v1/auth/token/refresh", {"refresh": token}, format="json")


def test_eight_tabs_refreshing_one_token_at_once_all_get_the_same_pair(shared_cache):
    user = UserFactory()
    pair = sign_in.token_pair_issue(user=user)
    responses = race(lambda i: _refresh(pair.refresh), range(8))
    assert [r.status_code for r in responses] == [200] * 8, (shared_cache, responses)
    bodies = [r.json() for r in responses]
    assert all(body == bodies[0] for body in bodies)
    # One successor was minted and the sign-in lives on.
    assert RefreshTokenRecord.objects.count() == 2
    assert not RefreshTokenRecord.objects.filter(revoked_at__isnull=False).exists()
    assert _refresh(bodies[0]["refresh"]).status_code == 200


def test_with_no_grace_one_token_used_ten_times_at_once_yields_exactly_one_pair(settings):
    settings.REFRESH_REUSE_GRACE_SECONDS = 0
    user = UserFactory()
    pair = sign_in.token_pair_issue(user=user)
    results = race(lambda i: sign_in.token_refresh(refresh=pair.refresh), range(10))
    pairs = [r for r in results if isinstance(r, sign_in.TokenPair)]
    refused = [r for r in results if isinstance(r, InvalidRefreshToken)]
    assert len(pairs) == 1, results
    assert len(refused) == 9
    # Exactly one new refresh token was recorded, and reuse revoked the family.
    assert RefreshTokenRecord.objects.count() == 2
    assert not RefreshTokenRecord.objects.filter(revoked_at__isnull=True).exists()


def test_reuse_after_the_grace_window_revokes_the_family_for_real(settings, shared_cache):
    settings.REFRESH_REUSE_GRACE_SECONDS = 1
    user = UserFactory()
    pair = sign_in.token_pair_issue(user=user)
    [winner] = race(lambda i: _refresh(pair.refresh), range(1))
    assert winner.status_code == 200
    # The token was used 1.2 s ago: past the one-second grace.
    RefreshTokenRecord.objects.filter(used_at__isnull=False).update(
        used_at=F("used_at") - timedelta(seconds=1.2)
    )
    late = race(lambda i: _refresh(pair.refresh), range(3))
    assert [(r.status_code, r.json()["code"]) for r in late] == [
        (401, "invalid-refresh-token")
    ] * 3, shared_cache
    assert_problem(_refresh(winner.json()["refresh"]), 401, "invalid-refresh-token")
    assert not RefreshTokenRecord.objects.filter(revoked_at__isnull=True).exists()


def test_concurrent_registrations_of_one_email_make_one_account(monkeypatch):
    from auth_service.accounts import clients

    monkeypatch.setattr(
        clients,
        "user_profile_create",
        lambda **kw: clients.Profile(user_id=kw["user_id"], role="patient", full_name="x"),
    )
    results = race(
        lambda i: registration.user_register(
            email="same@example.com",
            password="a-long-enough-passphrase",
            role="patient",
            profile={"full_name": f"P{i}"},
        ),
        range(8),
    )
    # The same person sending the same registration again while it is unconfirmed resumes
    # it (registration._registration_resume), so a loser may get the one account back
    # instead of EmailTaken; never a second account.
    assert User.objects.count() == 1
    account = User.objects.get()
    accounts = [r for r in results if isinstance(r, User)]
    assert accounts, results
    assert {a.pk for a in accounts} == {account.pk}, results
    assert all(isinstance(r, EmailTaken) for r in results if not isinstance(r, User)), results


def _slow_password_check(monkeypatch):
    """Make the password check take as long as a real Argon2 hash, so that guesses overlap."""
    real = ModelBackend.authenticate

    def slow(backend, request, **credentials):
        time.sleep(0.05)
        return real(backend, request, **credentials)

    monkeypatch.setattr(ModelBackend, "authenticate", slow)


def test_thirty_parallel_guesses_reach_the_password_check_exactly_the_limit(
    settings, shared_cache, monkeypatch
):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 5
    user = UserFactory()
    _slow_password_check(monkeypatch)

    def guess(i):
        return APIClient().post(
            "/api/v1/auth/token",
            {"email": user.email, "password": f"wrong-guess-{i}"},
            format="json",
        )

    answers = [(r.status_code, r.json()["code"]) for r in race(guess, range(30))]
    assert answers.count((401, "invalid-credentials")) == 5, (shared_cache, answers)
    assert answers.count((429, "throttled")) == 25, answers
    # The account stays locked, even for the right password.
    right = APIClient().post(
        "/api/v1/auth/token", {"email": user.email, "password": PASSWORD}, format="json"
    )
    assert_problem(right, 429, "throttled")


def test_parallel_guesses_from_one_address_across_accounts_stop_at_the_address_limit(
    settings, shared_cache, monkeypatch
):
    settings.LOGIN_FAILURES_PER_ADDRESS = 7
    _slow_password_check(monkeypatch)

    def guess(i):
        return APIClient().post(
            "/api/v1/auth/token",
            {"email": f"victim{i}@example.com", "password": "wrong-guess"},
            format="json",
            REMOTE_ADDR="203.0.113.9",
        )

    answers = [(r.status_code, r.json()["code"]) for r in race(guess, range(30))]
    assert answers.count((401, "invalid-credentials")) == 7, (shared_cache, answers)
    assert answers.count((429, "throttled")) == 23, answers


@pytest.mark.parametrize("operation", ["reset", "deactivate"])
def test_no_sign_in_outlives_a_reset_or_deactivation_racing_its_refreshes(operation):
    from auth_service.accounts import selectors
    from auth_service.accounts.tests.factories import staff_user

    user = UserFactory()
    admin = staff_user("clinic-admin")
    pairs = [sign_in.token_pair_issue(user=user) for _ in range(8)]
    end = {
        "reset": account_actions.user_password_reset,
        "deactivate": account_actions.user_deactivate,
    }[operation]

    def run(item):
        if item is None:
            return end(user=user, actor=admin)
        return sign_in.token_refresh(refresh=item.refresh)

    results = race(run, [*pairs, None])

    issued = [r for r in results if isinstance(r, sign_in.TokenPair)]
    assert all(
        isinstance(r, sign_in.TokenPair | InvalidRefreshToken | str | bool) for r in results
    ), results
    # Whatever won, no refresh token is live and every access token issued is refused.
    assert not RefreshTokenRecord.objects.filter(user=user, revoked_at__isnull=True).exists()
    for pair in issued:
        claims = jwt.decode(pair.access, options={"verify_signature": False})
        assert selectors.access_token_is_revoked(user_id=user.pk, iat=claims["iat"])
