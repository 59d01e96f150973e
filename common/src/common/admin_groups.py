"""Staff groups in every admin: the local permissions each of auth_service's staff groups gives.

A service declares ``ADMIN_GROUP_PERMISSIONS`` in its settings, e.g.::

    ADMIN_GROUP_PERMISSIONS = {
        "front-desk": ["view", "profiles.change_patient", "profiles.change_doctor"],
        "read-only": ["view"],
    }

``"view"`` stands for the view permission of every model registered with the
admin site; any other entry is ``app_label.codename``. ``clinic-admin`` needs
none: its members are superusers. The groups are made (and their permissions
set) after every ``migrate``, and again on sign-in when one is missing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from common.permissions import GROUP_CLINIC_ADMIN, STAFF_GROUPS

if TYPE_CHECKING:
    from django.contrib.auth.models import Group, Permission

VIEW_EVERYTHING = "view"


def _permissions(group: str, spec: str | Iterable[str]) -> list:
    from django.contrib import admin
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    entries = [spec] if isinstance(spec, str) else list(spec)
    found: list[Permission] = []
    for entry in entries:
        if entry == VIEW_EVERYTHING:
            models = list(admin.site._registry)
            types = ContentType.objects.get_for_models(*models, for_concrete_models=False)
            found.extend(
                Permission.objects.filter(
                    content_type__in=types.values(),
                    codename__in=[f"view_{model._meta.model_name}" for model in models],
                )
            )
            continue
        app_label, _, codename = entry.partition(".")
        permission = Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).first()
        if not codename or permission is None:
            raise ImproperlyConfigured(
                f"ADMIN_GROUP_PERMISSIONS[{group!r}] names {entry!r}: not 'view' and no "
                "permission app_label.codename."
            )
        found.append(permission)
    return found


def admin_groups_sync(*, names: Iterable[str] | None = None) -> dict[str, Group]:
    """Create the known staff groups (or only ``names``) and set their permissions from settings.

    Unknown names are ignored. Returns ``{name: Group}``. Raises
    ``ImproperlyConfigured`` when ``ADMIN_GROUP_PERMISSIONS`` names a
    permission that does not exist.
    """
    from django.contrib.auth.models import Group

    declared = getattr(settings, "ADMIN_GROUP_PERMISSIONS", {})
    wanted = [name for name in STAFF_GROUPS if names is None or name in set(names)]
    groups = {}
    for name in wanted:
        group, _ = Group.objects.get_or_create(name=name)
        spec = () if name == GROUP_CLINIC_ADMIN else declared.get(name, ())
        group.permissions.set(_permissions(name, spec))
        groups[name] = group
    return groups


def local_groups(names: Iterable[str]) -> list:
    """The local ``Group`` rows of the known staff groups in ``names`` (made when missing)."""
    from django.contrib.auth.models import Group

    known = sorted(set(names) & set(STAFF_GROUPS))
    groups = list(Group.objects.filter(name__in=known))
    if len(groups) < len(known):
        missing = set(known) - {group.name for group in groups}
        groups.extend(admin_groups_sync(names=missing).values())
    return groups


def sync_after_migrate(sender, **kwargs) -> None:
    """``post_migrate`` receiver: once every app's permissions exist, sync the staff groups."""
    from django.apps import apps

    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if with_models and sender is with_models[-1]:
        admin_groups_sync()
