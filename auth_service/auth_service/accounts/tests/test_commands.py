"""Management commands."""

import json
import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from auth_service.accounts import keys
from auth_service.accounts.models import ServiceAccount, User

pytestmark = pytest.mark.django_db


def run(*args, **kwargs) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue()


def test_create_staff_from_env(monkeypatch):
    monkeypatch.setenv("STAFF_PW", "a-long-enough-passphrase")
    assert "is ready" in run(
        "create_staff", "--email", "staff@example.com", "--password-env", "STAFF_PW"
    )
    assert User.objects.get(email="staff@example.com").is_staff


def test_create_staff_with_empty_env_fails(monkeypatch):
    monkeypatch.setenv("STAFF_PW", "")
    with pytest.raises(CommandError):
        run("create_staff", "--email", "staff@example.com", "--password-env", "STAFF_PW")


def test_create_staff_prompts(monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt: "a-long-enough-passphrase")
    run("create_staff", "--email", "p@example.com")
    assert User.objects.filter(email="p@example.com").exists()


def test_service_account_command(monkeypatch):
    monkeypatch.setenv("SECRET", "z" * 40)
    run(
        "service_account",
        "--client-id",
        "appointment_service",
        "--secret-env",
        "SECRET",
        "--audience",
        "schedule_service",
        "--scope",
        "slots:reserve",
        "--scope",
        "slots:read",
    )
    account = ServiceAccount.objects.get()
    assert account.allowed_scopes == ["slots:read", "slots:reserve"]
    monkeypatch.setenv("SECRET", "")
    with pytest.raises(CommandError):
        run("service_account", "--client-id", "x", "--secret-env", "SECRET", "--audience", "a")


def test_seed_demo_is_idempotent(tmp_path):
    data = {
        "password": "demo-password-2026",
        "staff": [{"id": str(uuid.uuid4()), "email": "staff@demo.example"}],
        "patients": [{"id": str(uuid.uuid4()), "email": "p@demo.example"}],
        "doctors": [{"id": str(uuid.uuid4()), "email": "d@demo.example"}],
    }
    path = tmp_path / "demo.json"
    path.write_text(json.dumps(data))
    run("seed_demo", "--file", str(path))
    run("seed_demo", "--file", str(path))
    assert User.objects.count() == 3
    assert User.objects.get(email="staff@demo.example").is_staff


def test_reconcile_command(user_service):
    out = run("reconcile_registrations", "--older-than", "60")
    assert out.strip() == "activated: 0, deleted: 0, skipped: 0, profiles_deleted: 0"
    run("reconcile_registrations", "--profiles-since", "0")
    (before, after_week), (_, after_all) = user_service.listed
    assert after_week is not None and after_all is None


def test_signing_keys_command(settings, tmp_path):
    settings.JWT_KEYS_DIR = tmp_path
    keys.load_keys.cache_clear()
    try:
        out = run("signing_keys", "ensure")
        assert "Generated" in out and "active" in out
        assert "Generated" not in run("signing_keys", "ensure")
        out = run("signing_keys", "generate")
        assert "signing_keys activate" in out
        listing = run("signing_keys", "list")
        assert listing.count("published") == 1 and listing.count("active") == 1
    finally:
        keys.load_keys.cache_clear()
