"""Create a staff account (or reset its password): it signs in to every service's admin."""

import os

from django.core.management.base import BaseCommand, CommandError

from auth_service.accounts import services


class Command(BaseCommand):
    help = "Create or update a staff account. The password comes from --password-env or a prompt."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument(
            "--password-env", help="Name of an environment variable holding the password."
        )

    def handle(self, *args, email, password_env, **options):
        if password_env:
            password = os.environ.get(password_env, "")
            if not password:
                raise CommandError(f"{password_env} is empty.")
        else:
            from getpass import getpass

            password = getpass("Password: ")
        user = services.staff_create(email=email, password=password)
        self.stdout.write(f"Staff account {user.email} ({user.id}) is ready.")
