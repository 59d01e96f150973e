"""Service functions: reconciliation, staff, demo accounts, key handling."""

import uuid

import jwt
import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError

from auth_service.accounts import keys
from auth_service.accounts.models import User
from auth_service.accounts.services import sign_in, staff
from auth_service.accounts.tests.factories import UserFactory
from common.testing import assert_problem

pytestmark = pytest.mark.django_db


def test_staff_create_and_reset():
    user = staff.staff_create(email="Boss@Example.com", password="a-long-enough-passphrase")
    assert user.email == "boss@example.com"
    assert user.is_staff and user.is_superuser and user.role == "staff"
    again = staff.staff_create(email="boss@example.com", password="another-long-passphrase")
    assert again.pk == user.pk
    assert again.check_password("another-long-passphrase")


def test_staff_create_refuses_weak_password():
    with pytest.raises(ValidationError):
        staff.staff_create(email="boss@example.com", password="123")
    assert User.objects.count() == 0


def test_demo_upsert_is_idempotent():
    user_id = uuid.uuid4()
    for _ in range(2):
        staff.user_upsert_demo(
            user_id=user_id, email="d@example.com", password="pw-demo-12345", role="doctor"
        )
    assert User.objects.get().pk == user_id


def test_email_is_stored_lower_case():
    user = User.objects.create_user("MiXeD@Example.COM", "pw", role="patient")
    assert user.email == "mixed@example.com"


def test_create_superuser_is_staff():
    user = User.objects.create_superuser("root@example.com", "pw")
    assert user.role == "staff" and user.is_superuser


def test_active_key_needs_a_choice_when_several_keys_are_published(settings, tmp_path):
    settings.JWT_KEYS_DIR = tmp_path
    keys.load_keys.cache_clear()
    try:
        with pytest.raises(ImproperlyConfigured):
            keys.active_key()  # none
        first = keys.generate_key()
        assert keys.active_key().kid == first.kid
        # A key copied in by hand, with no choice written: which one signs is unclear.
        second = keys.generate_key(tmp_path / "elsewhere")
        second.path.rename(tmp_path / second.path.name)
        keys.load_keys.cache_clear()
        with pytest.raises(ImproperlyConfigured):
            keys.active_key()
        settings.JWT_ACTIVE_KID = second.kid
        assert keys.active_key().kid == second.kid
        settings.JWT_ACTIVE_KID = "unknown"
        with pytest.raises(ImproperlyConfigured):
            keys.active_key()
        assert {k["kid"] for k in keys.jwks_document()["keys"]} == {first.kid, second.kid}
    finally:
        keys.load_keys.cache_clear()


def test_key_rotation_old_tokens_stay_valid_while_published(settings, tmp_path, anon_client):
    """Publish the next key, switch to it, and tokens of the old key still verify."""
    settings.JWT_KEYS_DIR = tmp_path
    keys.load_keys.cache_clear()
    try:
        old = keys.generate_key()
        user = UserFactory()
        old_pair = sign_in.token_pair_issue(user=user)
        new = keys.generate_key()
        assert keys.active_key().kid == old.kid  # published, signing nothing yet
        keys.activate_key(new.kid)
        new_pair = sign_in.token_pair_issue(user=user)
        assert jwt.get_unverified_header(new_pair.access)["kid"] == new.kid
        for pair in (old_pair, new_pair):
            anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair.access}")
            assert anon_client.get("/api/v1/auth/me").status_code == 200
        keys.retire_key(old.kid)  # once its tokens have expired
        anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {old_pair.access}")
        assert_problem(anon_client.get("/api/v1/auth/me"), 401, "not-authenticated")
    finally:
        keys.load_keys.cache_clear()


def test_non_rsa_key_file_is_refused(settings, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (tmp_path / "ec.pem").write_bytes(pem)
    with pytest.raises(ImproperlyConfigured):
        keys.load_keys(tmp_path)
