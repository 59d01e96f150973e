"""Management commands."""

import json
import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from auth_service.accounts import keys
from auth_service.accounts.models import ServiceAccount, User
from common.errors import ServiceUnavailable

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
    assert account.grants == {"schedule_service": ["slots:read", "slots:reserve"]}
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


def test_reconcile_command_fails_when_user_service_cannot_be_asked(user_service):
    user_service.errors["list"] = ServiceUnavailable("The user_service service could not answer.")
    out = StringIO()
    with pytest.raises(CommandError, match="left for the next run"):
        call_command("reconcile_registrations", stdout=out)
    assert out.getvalue().strip() == "activated: 0, deleted: 0, skipped: 1, profiles_deleted: 0"


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


def test_service_account_scopes_belong_to_the_audience_before_them(monkeypatch):
    monkeypatch.setenv("SECRET", "z" * 40)
    out = run(
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
        "--audience",
        "auth_service",
        "--scope",
        "staff:sign-in",
        "--audience",
        "schedule_service",
        "--scope",
        "slots:release",
    )
    assert ServiceAccount.objects.get().grants == {
        "auth_service": ["staff:sign-in"],
        "schedule_service": ["slots:read", "slots:release", "slots:reserve"],
    }
    assert "auth_service: staff:sign-in" in out
    # Run again with fewer grants: they replace the old ones.
    run(
        "service_account",
        "--client-id",
        "appointment_service",
        "--secret-env",
        "SECRET",
        "--audience",
        "schedule_service",
    )
    assert ServiceAccount.objects.get().grants == {"schedule_service": []}


def test_service_account_refuses_a_scope_before_any_audience(monkeypatch):
    monkeypatch.setenv("SECRET", "z" * 40)
    with pytest.raises(CommandError, match="--scope slots:read must follow"):
        run(
            "service_account", "--client-id", "x", "--secret-env", "SECRET", "--scope", "slots:read"
        )
    with pytest.raises(CommandError, match="at least one --audience"):
        run("service_account", "--client-id", "x", "--secret-env", "SECRET")
    assert not ServiceAccount.objects.exists()


def test_service_account_refuses_a_placeholder_secret_naming_the_variable(monkeypatch):
    monkeypatch.setenv("PORTAL_CLIENT_SECRET", "change-me-portal-client-secret")
    with pytest.raises(CommandError, match="PORTAL_CLIENT_SECRET still holds the change-me"):
        run(
            "service_account",
            "--client-id",
            "portal",
            "--secret-env",
            "PORTAL_CLIENT_SECRET",
            "--audience",
            "user_service",
        )
    assert not ServiceAccount.objects.exists()


def test_create_staff_refuses_a_placeholder_password_naming_the_variable(monkeypatch):
    monkeypatch.setenv("STAFF_PASSWORD", "change-me-staff-password")
    with pytest.raises(CommandError, match="set STAFF_PASSWORD to the staff member's real"):
        run("create_staff", "--email", "s@example.com", "--password-env", "STAFF_PASSWORD")
    monkeypatch.setattr("getpass.getpass", lambda prompt: "Change-Me-please-now")
    with pytest.raises(CommandError, match="change-me is refused"):
        run("create_staff", "--email", "s@example.com")
    assert not User.objects.exists()


def groups_of(email):
    return sorted(User.objects.get(email=email).groups.values_list("name", flat=True))


def test_create_staff_groups(monkeypatch):
    monkeypatch.setenv("STAFF_PW", "a-long-enough-passphrase")
    base = ["create_staff", "--password-env", "STAFF_PW", "--email"]

    # A new staff account without --group is a clinic-admin (the first one sets up the rest).
    assert "clinic-admin" in run(*base, "boss@example.com")
    assert groups_of("boss@example.com") == ["clinic-admin"]
    assert User.objects.get(email="boss@example.com").is_superuser

    out = run(*base, "desk@example.com", "--group", "front-desk", "--group", "read-only")
    assert "front-desk, read-only" in out
    desk = User.objects.get(email="desk@example.com")
    assert desk.is_staff and not desk.is_superuser

    # A password reset without --group keeps the groups (never gives rights back)...
    User.objects.get(email="desk@example.com").groups.clear()
    run(*base, "desk@example.com")
    assert groups_of("desk@example.com") == []
    assert not User.objects.get(email="desk@example.com").is_staff
    # ... and --group replaces them.
    run(*base, "desk@example.com", "--group", "read-only")
    assert groups_of("desk@example.com") == ["read-only"]


def test_create_staff_refuses_an_unknown_group(monkeypatch):
    monkeypatch.setenv("STAFF_PW", "a-long-enough-passphrase")
    with pytest.raises(CommandError):
        run(
            "create_staff", "--email", "x@example.com", "--password-env", "STAFF_PW", "--group", "x"
        )
    assert not User.objects.exists()


def test_seed_demo_puts_staff_in_their_groups(tmp_path):
    data = {
        "password": "demo-password-2026",
        "staff": [
            {"id": str(uuid.uuid4()), "email": "admin@demo.example"},
            {"id": str(uuid.uuid4()), "email": "desk@demo.example", "groups": ["front-desk"]},
        ],
    }
    path = tmp_path / "demo.json"
    path.write_text(json.dumps(data))
    run("seed_demo", "--file", str(path))

    assert groups_of("admin@demo.example") == ["clinic-admin"]
    assert groups_of("desk@demo.example") == ["front-desk"]
    desk = User.objects.get(email="desk@demo.example")
    assert desk.is_staff and not desk.is_superuser
