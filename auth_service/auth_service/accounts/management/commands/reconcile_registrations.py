"""Finish or undo registrations left unconfirmed (safe to run at any time, e.g. every 5 minutes)."""

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from auth_service.accounts.services import registration


class Command(BaseCommand):
    help = (
        "Activate pending accounts whose profile exists and delete those without one; then "
        "delete profiles in user_service whose account was never made or was undone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            default=300,
            help="Leave registrations and profiles younger than this many seconds (default 300).",
        )
        parser.add_argument(
            "--profiles-since",
            type=int,
            default=7 * 24 * 3600,
            help="Look for orphan profiles made in this many seconds before now (default a "
            "week; 0: every profile, for a first run or a repair).",
        )

    def handle(self, *args: str, older_than: int, profiles_since: int, **options: Any) -> None:
        counts = registration.registration_reconcile(
            older_than=timedelta(seconds=older_than),
            profiles_since=timedelta(seconds=profiles_since) if profiles_since else None,
        )
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
        if counts["skipped"]:
            # A failed run (exit status 1), so that a schedule sees user_service out of reach.
            raise CommandError(
                f"user_service could not be asked about {counts['skipped']} registration(s) or "
                "the profile list: they are left for the next run; everything counted above "
                "was done."
            )
