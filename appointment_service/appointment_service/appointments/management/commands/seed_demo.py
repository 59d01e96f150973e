"""Accept the shared demo file; appointments are not seeded (they need slots held in the schedule)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Part of `make run`'s demo setup, like the other services' seed_demo. Appointments are "
        "booked through the API (their slots must be held in schedule_service), so this only "
        "checks the file and seeds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", required=True, type=Path, help="Path of the JSON file.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        if not isinstance(data, dict):
            raise CommandError("The file must hold a JSON object.")
        self.stdout.write("No demo appointments: book them through the API or the portal.")
