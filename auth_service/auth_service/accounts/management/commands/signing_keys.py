"""Manage the JWT signing keys: list, ensure one exists, generate, activate and retire keys."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from auth_service.accounts import keys


class Command(BaseCommand):
    help = (
        "List, ensure, generate, activate or retire JWT signing keys in JWT_KEYS_DIR. "
        "The running auth_service picks the change up within JWT_KEYS_RESCAN_SECONDS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="action")
        actions.add_parser("list", help="List the keys: which signs, which are published.")
        actions.add_parser("ensure", help="Generate a first key when there is none.")
        actions.add_parser("generate", help="Publish a new key that signs nothing yet.")
        activate = actions.add_parser("activate", help="Sign with a published key from now on.")
        retire = actions.add_parser("retire", help="Delete a key that no longer signs.")
        for sub in (activate, retire):
            sub.add_argument("kid", help="The key's id; put -- before it (a kid may start with -).")
        activate.add_argument(
            "--now",
            action="store_true",
            help="Activate even a key published less than JWT_KEY_ACTIVATE_AFTER_SECONDS ago "
            "(services that have not fetched it yet refuse its tokens until they do).",
        )

    def handle(
        self, *args: str, action: str, kid: str | None = None, now: bool = False, **options: Any
    ) -> None:
        if action == "activate":
            self._activate(kid, now=now)
        elif action == "retire":
            self._retire(kid)
        elif action == "generate" or (action == "ensure" and not keys.load_keys()):
            key = keys.generate_key()
            self.stdout.write(f"Generated key {key.kid} in {settings.JWT_KEYS_DIR}")
            if action == "generate":
                wait = settings.JWT_KEY_ACTIVATE_AFTER_SECONDS
                self.stdout.write(
                    "It is published now and signs nothing yet. In "
                    f"{wait} seconds, once every service can have fetched it, run "
                    f"`manage.py signing_keys activate -- {key.kid}`."
                )
        self._list()

    def _activate(self, kid: str, *, now: bool) -> None:
        key = keys.load_keys().get(kid) or keys.key_folder().state(force=True).keys.get(kid)
        if key is None:
            raise CommandError(f"No key {kid} in {settings.JWT_KEYS_DIR}.")
        wait = settings.JWT_KEY_ACTIVATE_AFTER_SECONDS - keys.key_age_seconds(key)
        if wait > 0 and not now:
            raise CommandError(
                f"{kid} was published {int(keys.key_age_seconds(key))} seconds ago; other "
                f"services may not know it yet. Try again in {int(wait) + 1} seconds."
            )
        keys.activate_key(kid)
        self.stdout.write(
            f"{kid} signs from now on (auth_service sees it within "
            f"{settings.JWT_KEYS_RESCAN_SECONDS:g} s)."
        )

    def _retire(self, kid: str) -> None:
        try:
            keys.retire_key(kid)
        except KeyError as exc:
            raise CommandError(f"No key {kid} in {settings.JWT_KEYS_DIR}.") from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Retired {kid}: no longer published; tokens it signed are refused.")

    def _list(self) -> None:
        try:
            active = keys.active_key().kid
        except ImproperlyConfigured:
            active = None
        for kid, key in keys.load_keys().items():
            marker = "active" if kid == active else "published"
            self.stdout.write(f"{kid}  {marker}  {int(keys.key_age_seconds(key))}s old")
