"""Accounts can be deactivated and their passwords reset: tokens issued before a time are refused."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_remove_flat_service_scopes'),
        ('auth', '0012_alter_user_first_name_max_length'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='user',
            options={'ordering': ['email'], 'permissions': [('deactivate_account', 'Can deactivate and reactivate accounts'), ('reset_password', "Can reset an account's password")]},
        ),
        migrations.AddField(
            model_name='user',
            name='must_change_password',
            field=models.BooleanField(default=False, help_text='Set when staff reset the password: the temporary password signs in to nothing until a new one is chosen (POST /api/v1/auth/password/renew).'),
        ),
        migrations.AddField(
            model_name='user',
            name='tokens_revoked_at',
            field=models.DateTimeField(blank=True, help_text='Every access token issued before this time is refused by every service (deactivation, password reset): auth_service lists it at /internal/v1/auth/revocations.', null=True),
        ),
        migrations.AddIndex(
            model_name='user',
            index=models.Index(fields=['tokens_revoked_at'], name='accounts_user_revoked_idx'),
        ),
    ]
