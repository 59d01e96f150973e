"""Manage the JWT signing keys: list, ensure one exists, generate the next."""

from django.conf import settings
from django.core.management.base import BaseCommand

from auth_service.accounts import keys


class Command(BaseCommand):
    help = "List, ensure or generate JWT signing keys in JWT_KEYS_DIR."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "ensure", "generate"])

    def handle(self, *args, action, **options):
        if action == "generate" or (action == "ensure" and not keys.load_keys()):
            key = keys.generate_key()
            self.stdout.write(f"Generated key {key.kid} in {settings.JWT_KEYS_DIR}")
            if action == "generate":
                self.stdout.write(
                    "It is published now and signs nothing yet. After the other services' JWKS "
                    f"cache has expired, set JWT_ACTIVE_KID={key.kid} and restart."
                )
        active = settings.JWT_ACTIVE_KID
        for kid in keys.load_keys():
            marker = "active" if kid == active or len(keys.load_keys()) == 1 else "published"
            self.stdout.write(f"{kid}  {marker}")
