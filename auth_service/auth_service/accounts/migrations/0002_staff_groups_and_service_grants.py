"""Staff groups decide admin access; service accounts get scopes per audience.

Staff accounts that were superusers (every one made by create_staff or the
demo data) join clinic-admin, keeping the access they had; then is_staff and
is_superuser are set from the role and the groups. Each service account's flat
audiences and scopes become grants per audience: a scope of a known family
(profiles:, slots:, staff:) goes to the service that checks it, any other to
every audience the account had.
"""

from django.db import migrations, models

STAFF_GROUPS = ("clinic-admin", "front-desk", "read-only")
SCOPE_AUDIENCES = {
    "profiles:": "user_service",
    "slots:": "schedule_service",
    "staff:": "auth_service",
}


def _audience_of(scope):
    for prefix, audience in SCOPE_AUDIENCES.items():
        if scope.startswith(prefix):
            return audience
    return None


def staff_groups(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Group = apps.get_model("auth", "Group")
    clinic_admin, _ = Group.objects.get_or_create(name="clinic-admin")
    for user in User.objects.filter(role="staff", is_superuser=True):
        user.groups.add(clinic_admin)
    for user in User.objects.filter(models.Q(is_staff=True) | models.Q(is_superuser=True)):
        names = set(user.groups.values_list("name", flat=True))
        user.is_staff = user.role == "staff" and bool(names & set(STAFF_GROUPS))
        user.is_superuser = user.role == "staff" and "clinic-admin" in names
        user.save(update_fields=["is_staff", "is_superuser"])


def grants_from_flat(apps, schema_editor):
    ServiceAccount = apps.get_model("accounts", "ServiceAccount")
    for account in ServiceAccount.objects.all():
        audiences = list(account.allowed_audiences or [])
        account.grants = {
            audience: sorted(
                scope
                for scope in set(account.allowed_scopes or [])
                if _audience_of(scope) in (audience, None)
            )
            for audience in audiences
        }
        account.save(update_fields=["grants"])


def flat_from_grants(apps, schema_editor):
    ServiceAccount = apps.get_model("accounts", "ServiceAccount")
    for account in ServiceAccount.objects.all():
        account.allowed_audiences = sorted(account.grants)
        account.allowed_scopes = sorted({s for scopes in account.grants.values() for s in scopes})
        account.save(update_fields=["allowed_audiences", "allowed_scopes"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.AddField(
            model_name="serviceaccount",
            name="grants",
            field=models.JSONField(
                default=dict,
                help_text="The services it may get tokens for, each with the scopes it may ask "
                'for there: {"schedule_service": ["slots:read"], ...}.',
            ),
        ),
        migrations.AlterField(
            model_name="user",
            name="is_staff",
            field=models.BooleanField(
                default=False,
                help_text="May sign in to the admin sites: set from the role and the staff groups "
                "(a staff account with at least one of clinic-admin, front-desk, read-only).",
            ),
        ),
        migrations.RunPython(staff_groups, migrations.RunPython.noop),
        migrations.RunPython(grants_from_flat, flat_from_grants),
    ]
