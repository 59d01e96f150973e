"""Finish or undo registrations left pending (safe to run at any time, e.g. every 5 minutes)."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from auth_service.accounts import services


class Command(BaseCommand):
    help = "Activate pending accounts whose profile exists; delete those without one."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=300, help="Seconds (default 300).")

    def handle(self, *args, older_than, **options):
        counts = services.registration_reconcile(older_than=timedelta(seconds=older_than))
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
