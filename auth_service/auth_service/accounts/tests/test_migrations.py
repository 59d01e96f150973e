"""The data migration to staff groups and per-audience service grants."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("accounts", "0001_initial")]
AFTER = [("accounts", "0003_remove_flat_service_scopes")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_apps():
    apps = migrate(BEFORE)
    yield apps
    migrate(executor_leaf_nodes())


def executor_leaf_nodes():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def test_superuser_staff_join_clinic_admin_and_flat_scopes_split_per_audience(old_apps):
    User = old_apps.get_model("accounts", "User")
    ServiceAccount = old_apps.get_model("accounts", "ServiceAccount")
    User.objects.create(email="boss@example.com", role="staff", is_staff=True, is_superuser=True)
    User.objects.create(email="half@example.com", role="staff", is_staff=True)
    User.objects.create(email="odd@example.com", role="patient", is_staff=True, is_superuser=True)
    ServiceAccount.objects.create(
        client_id="appointment_service",
        secret_hash="x",
        allowed_audiences=["schedule_service", "user_service"],
        allowed_scopes=["slots:read", "slots:reserve", "profiles:read", "audit:write"],
    )

    new_apps = migrate(AFTER)

    User = new_apps.get_model("accounts", "User")
    boss = User.objects.get(email="boss@example.com")
    assert [g.name for g in boss.groups.all()] == ["clinic-admin"]
    assert boss.is_staff and boss.is_superuser
    half = User.objects.get(email="half@example.com")
    assert not half.groups.exists() and not half.is_staff
    odd = User.objects.get(email="odd@example.com")
    assert not odd.groups.exists() and not odd.is_staff and not odd.is_superuser
    account = new_apps.get_model("accounts", "ServiceAccount").objects.get()
    # Scopes of a known family go to their service; any other to every audience.
    assert account.grants == {
        "schedule_service": ["audit:write", "slots:read", "slots:reserve"],
        "user_service": ["audit:write", "profiles:read"],
    }


def test_the_grants_migrate_back_to_flat_fields(old_apps):
    migrate(AFTER)
    from auth_service.accounts.models import ServiceAccount

    ServiceAccount.objects.create(
        client_id="portal", secret_hash="x", grants={"user_service": ["profiles:read"]}
    )

    back = migrate(BEFORE).get_model("accounts", "ServiceAccount").objects.get()

    assert back.allowed_audiences == ["user_service"]
    assert back.allowed_scopes == ["profiles:read"]
