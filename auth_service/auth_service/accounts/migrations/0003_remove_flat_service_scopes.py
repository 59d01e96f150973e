"""Drop the flat audiences and scopes (now grants per audience); only staff reach an admin."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_staff_groups_and_service_grants")]

    operations = [
        migrations.RemoveField(model_name="serviceaccount", name="allowed_audiences"),
        migrations.RemoveField(model_name="serviceaccount", name="allowed_scopes"),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(role="staff") | models.Q(is_staff=False, is_superuser=False),
                name="accounts_user_admin_only_staff",
            ),
        ),
    ]
