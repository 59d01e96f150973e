"""Create or update a service account for the client-credentials grant."""

import os

from django.core.management.base import BaseCommand, CommandError

from auth_service.accounts import services


class Command(BaseCommand):
    help = "Create or update a service account; the secret comes from an environment variable."

    def add_arguments(self, parser):
        parser.add_argument("--client-id", required=True)
        parser.add_argument(
            "--secret-env", required=True, help="Variable holding the client secret."
        )
        parser.add_argument(
            "--audience", action="append", required=True, help="Repeat for several."
        )
        parser.add_argument("--scope", action="append", default=[], help="Repeat for several.")

    def handle(self, *args, client_id, secret_env, audience, scope, **options):
        secret = os.environ.get(secret_env, "")
        if not secret:
            raise CommandError(f"{secret_env} is empty.")
        account = services.service_account_upsert(
            client_id=client_id, secret=secret, audiences=audience, scopes=scope
        )
        self.stdout.write(
            f"Service account {account.client_id}: audiences {account.allowed_audiences}, "
            f"scopes {account.allowed_scopes}"
        )
