"""Races against PostgreSQL: refresh rotation and registration under concurrency."""

import pytest

from auth_service.accounts import services
from auth_service.accounts.exceptions import EmailTaken, InvalidRefreshToken
from auth_service.accounts.models import RefreshTokenRecord, User
from auth_service.accounts.tests.factories import UserFactory
from common.testing import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_one_refresh_token_used_ten_times_at_once_yields_exactly_one_pair():
    user = UserFactory()
    pair = services.token_pair_issue(user=user)
    results = race(lambda i: services.token_refresh(refresh=pair.refresh), range(10))
    pairs = [r for r in results if isinstance(r, services.TokenPair)]
    refused = [r for r in results if isinstance(r, InvalidRefreshToken)]
    assert len(pairs) == 1, results
    assert len(refused) == 9
    # Exactly one new refresh token was recorded, and reuse revoked the family.
    assert RefreshTokenRecord.objects.count() == 2
    assert not RefreshTokenRecord.objects.filter(revoked_at__isnull=True).exists()


def test_concurrent_registrations_of_one_email_make_one_account(monkeypatch):
    from auth_service.accounts import clients

    monkeypatch.setattr(
        clients,
        "user_profile_create",
        lambda **kw: clients.Profile(user_id=kw["user_id"], role="patient", full_name="x"),
    )
    results = race(
        lambda i: services.user_register(
            email="same@example.com",
            password="a-long-enough-passphrase",
            role="patient",
            profile={"full_name": f"P{i}"},
        ),
        range(8),
    )
    created = [r for r in results if isinstance(r, User)]
    assert len(created) == 1, results
    assert all(isinstance(r, EmailTaken) for r in results if not isinstance(r, User))
    assert User.objects.count() == 1
