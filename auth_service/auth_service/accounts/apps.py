"""App config of the accounts app."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "auth_service.accounts"
    label = "accounts"
    verbose_name = "Accounts and tokens"
