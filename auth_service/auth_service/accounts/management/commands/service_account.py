"""Create or update a service account for the client-credentials grant."""

import argparse
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from auth_service.accounts.services import service_accounts
from common.conf import PLACEHOLDER_MARKER, is_placeholder


class _GrantAction(argparse.Action):
    """``--audience A --scope s --scope t --audience B ...``: each scope belongs to the audience
    before it."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str,
        option_string: str | None = None,
    ) -> None:
        grants = list(getattr(namespace, self.dest, None) or [])
        if option_string == "--audience":
            grants.append((values, []))
        elif not grants:
            raise CommandError(f"--scope {values} must follow the --audience it is for.")
        else:
            grants[-1] = (grants[-1][0], [*grants[-1][1], values])
        setattr(namespace, self.dest, grants)


class Command(BaseCommand):
    help = (
        "Create or update a service account; the secret comes from an environment variable. "
        "Give each audience and then its scopes: --audience schedule_service --scope slots:read "
        "--audience user_service --scope profiles:read. The grants replace the account's."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--client-id", required=True)
        parser.add_argument(
            "--secret-env", required=True, help="Variable holding the client secret."
        )
        parser.add_argument(
            "--audience",
            action=_GrantAction,
            dest="grants",
            help="A service it may get tokens for; the --scope options after it are its scopes.",
        )
        parser.add_argument(
            "--scope", action=_GrantAction, dest="grants", help="A scope for the --audience before."
        )

    def handle(
        self,
        *args: str,
        client_id: str,
        secret_env: str,
        grants: list[tuple[str, list[str]]] | None,
        **options: Any,
    ) -> None:
        secret = os.environ.get(secret_env, "")
        if not secret:
            raise CommandError(f"{secret_env} is empty.")
        if is_placeholder(secret):
            raise CommandError(
                f"{secret_env} still holds the {PLACEHOLDER_MARKER} placeholder of .env.sample: "
                f'set {secret_env} to a real secret (python -c "import secrets; '
                f'print(secrets.token_urlsafe(48))").'
            )
        if not grants:
            raise CommandError("Give at least one --audience (each followed by its --scope).")
        merged: dict[str, list[str]] = {}
        for audience, scopes in grants:
            merged.setdefault(audience, []).extend(scopes)
        account = service_accounts.service_account_upsert(
            client_id=client_id, secret=secret, grants=merged
        )
        described = "; ".join(
            f"{audience}: {' '.join(scopes) or '(no scope)'}"
            for audience, scopes in sorted(account.grants.items())
        )
        self.stdout.write(f"Service account {account.client_id}: {described}")
