"""Create a staff account (or reset its password): it signs in to the admins its groups open."""

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from auth_service.accounts.services import staff
from common.conf import PLACEHOLDER_MARKER, is_placeholder
from common.permissions import STAFF_GROUPS


class Command(BaseCommand):
    help = (
        "Create or update a staff account. The password comes from --password-env or a prompt. "
        "--group (repeat for several) sets its staff groups; without it a new staff account "
        "joins clinic-admin and an existing one keeps its groups."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument(
            "--password-env", help="Name of an environment variable holding the password."
        )
        parser.add_argument(
            "--group",
            action="append",
            choices=STAFF_GROUPS,
            dest="groups",
            help="A staff group to be in (repeat for several; replaces the account's groups).",
        )

    def handle(
        self,
        *args: str,
        email: str,
        password_env: str | None,
        groups: list[str] | None,
        **options: Any,
    ) -> None:
        if password_env:
            password = os.environ.get(password_env, "")
            if not password:
                raise CommandError(f"{password_env} is empty.")
            if is_placeholder(password):
                raise CommandError(
                    f"{password_env} still holds the {PLACEHOLDER_MARKER} placeholder of "
                    f".env.sample: set {password_env} to the staff member's real password."
                )
        else:
            from getpass import getpass

            password = getpass("Password: ")
            if is_placeholder(password):
                raise CommandError(f"A password containing {PLACEHOLDER_MARKER} is refused.")
        user = staff.staff_create(email=email, password=password, groups=groups)
        joined = ", ".join(g.name for g in user.groups.order_by("name")) or "no group (no admin)"
        self.stdout.write(f"Staff account {user.email} ({user.id}) is ready: {joined}.")
