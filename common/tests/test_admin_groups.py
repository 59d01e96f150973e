"""Tests of common.admin_groups: the staff groups and their local permissions."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from common.admin_groups import admin_groups_sync, local_groups, sync_after_migrate

pytestmark = pytest.mark.django_db


def codenames(name):
    return sorted(Group.objects.get(name=name).permissions.values_list("codename", flat=True))


def test_migrate_made_the_three_groups_with_their_permissions():
    assert sorted(Group.objects.values_list("name", flat=True)) == [
        "clinic-admin",
        "front-desk",
        "read-only",
    ]
    assert codenames("clinic-admin") == []  # superusers need none
    # "view": the view permission of every model in this admin (auth's users and groups).
    assert codenames("read-only") == ["view_group", "view_user"]
    assert codenames("front-desk") == ["view_group", "view_user"]


@override_settings(
    ADMIN_GROUP_PERMISSIONS={"front-desk": ["view", "auth.change_user"], "read-only": "view"}
)
def test_sync_sets_the_declared_permissions_and_takes_away_others():
    Group.objects.get(name="read-only").permissions.clear()
    admin_groups_sync()

    assert codenames("front-desk") == ["change_user", "view_group", "view_user"]
    assert codenames("read-only") == ["view_group", "view_user"]

    with override_settings(ADMIN_GROUP_PERMISSIONS={}):
        admin_groups_sync(names=["front-desk", "made-up"])
    assert codenames("front-desk") == []
    assert not Group.objects.filter(name="made-up").exists()


@pytest.mark.parametrize("entry", ["auth.fly_user", "nonsense", "auth."])
def test_an_unknown_permission_is_a_configuration_error(entry):
    with (
        override_settings(ADMIN_GROUP_PERMISSIONS={"front-desk": [entry]}),
        pytest.raises(ImproperlyConfigured, match="front-desk"),
    ):
        admin_groups_sync()


def test_local_groups_makes_missing_ones_and_ignores_unknown_names():
    Group.objects.filter(name="read-only").delete()

    groups = local_groups(["read-only", "made-up", "clinic-admin"])

    assert sorted(g.name for g in groups) == ["clinic-admin", "read-only"]
    assert codenames("read-only") == ["view_group", "view_user"]


def test_the_post_migrate_hook_syncs_only_after_the_last_app():
    Group.objects.all().delete()
    configs = [c for c in apps.get_app_configs() if c.models_module is not None]

    sync_after_migrate(sender=configs[0])
    assert not Group.objects.exists()

    sync_after_migrate(sender=configs[-1])
    assert Group.objects.count() == 3
