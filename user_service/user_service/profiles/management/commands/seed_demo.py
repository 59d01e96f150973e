"""Upsert demo doctors and patients from a JSON file (the ids match auth_service's demo users)."""

from __future__ import annotations

import datetime
import json
import uuid
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from common.errors import Problem
from user_service.profiles import services


def _entries(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    entries = data.get(key, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise CommandError(f"'{key}' must be a list of objects.")
    return entries


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


class Command(BaseCommand):
    help = (
        "Create or update demo profiles from a JSON file "
        '{"doctors": [{"id", "full_name", "specialty", "timezone", "bio", "approved"?}], '
        '"patients": [{"id", "full_name", "phone"?, "date_of_birth"?}]}. '
        "Other keys (email, password, ...) are ignored. Running it again changes nothing."
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
        doctors, patients = _entries(data, "doctors"), _entries(data, "patients")

        counts = {"doctors": [0, 0], "patients": [0, 0]}
        entry: dict[str, Any] = {}
        try:
            # All or nothing: one bad entry leaves the database as it was.
            with transaction.atomic():
                for entry in doctors:
                    _, created = services.doctor_upsert(
                        user_id=uuid.UUID(str(entry["id"])),
                        full_name=entry["full_name"],
                        specialty_slug=entry["specialty"],
                        timezone=entry["timezone"],
                        bio=entry.get("bio", ""),
                        # Demo doctors are listed and bookable at once (``"approved": false``
                        # makes one that waits for staff).
                        approved_by="demo data" if entry.get("approved", True) else None,
                    )
                    counts["doctors"][0 if created else 1] += 1
                for entry in patients:
                    _, created = services.patient_upsert(
                        user_id=uuid.UUID(str(entry["id"])),
                        full_name=entry["full_name"],
                        phone=entry.get("phone", ""),
                        date_of_birth=_date(entry.get("date_of_birth")),
                    )
                    counts["patients"][0 if created else 1] += 1
        except KeyError as exc:
            raise CommandError(f"Entry {entry.get('id', entry)} lacks {exc}.") from exc
        except (ValueError, ValidationError, Problem) as exc:
            raise CommandError(f"Entry {entry.get('id', entry)} is invalid: {exc}") from exc

        for kind, (created, existing) in counts.items():
            self.stdout.write(f"{kind}: {created} created, {existing} already there (updated)")
        self.stdout.write(self.style.SUCCESS("Demo profiles are in place."))
