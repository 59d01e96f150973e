"""Create demo doctors' schedules and a realistic working week from a JSON file (no HTTP)."""

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
from schedule_service.scheduling import selectors, services

WEEKDAYS = range(5)  # Monday to Friday
MORNING = (datetime.time(9), datetime.time(12))
AFTERNOON = (datetime.time(13), datetime.time(17))
SATURDAY = 5


def demo_week(index: int) -> list[dict[str, Any]]:
    """The demo rules of the ``index``-th doctor: weekdays 09-12 and 13-17, varied a little.

    The second doctor has 20-minute slots, the third also works Saturday
    mornings, every other one has 30-minute slots.
    """
    slot_minutes = 20 if index == 1 else 30
    rules = [
        {"weekday": day, "start_time": start, "end_time": end, "slot_minutes": slot_minutes}
        for day in WEEKDAYS
        for start, end in (MORNING, AFTERNOON)
    ]
    if index == 2:
        rules.append(
            {
                "weekday": SATURDAY,
                "start_time": MORNING[0],
                "end_time": MORNING[1],
                "slot_minutes": slot_minutes,
            }
        )
    return rules


class Command(BaseCommand):
    help = (
        'Create demo schedules from a JSON file {"doctors": [{"id", "timezone"}]}: each doctor '
        "gets a working week (Monday-Friday 09:00-12:00 and 13:00-17:00) unless they already "
        "have rules. Other keys are ignored. Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", required=True, type=Path, help="Path of the JSON file.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        doctors = data.get("doctors", []) if isinstance(data, dict) else None
        if not isinstance(doctors, list) or not all(isinstance(d, dict) for d in doctors):
            raise CommandError("The file must hold an object whose 'doctors' is a list of objects.")

        created = rules_added = 0
        entry: dict[str, Any] = {}
        try:
            # All or nothing: one bad entry leaves the database as it was.
            with transaction.atomic():
                for index, entry in enumerate(doctors):
                    schedule, new = services.schedule_upsert_local(
                        doctor_id=uuid.UUID(str(entry["id"])), timezone=entry["timezone"]
                    )
                    created += new
                    if selectors.rule_list(schedule=schedule).exists():
                        continue  # the doctor's own rules win over the demo week
                    for rule in demo_week(index):
                        services.rule_create(schedule=schedule, data=rule)
                        rules_added += 1
        except KeyError as exc:
            raise CommandError(f"Entry {entry.get('id', entry)} lacks {exc}.") from exc
        except (ValueError, ValidationError, Problem) as exc:
            raise CommandError(f"Entry {entry.get('id', entry)} is invalid: {exc}") from exc

        self.stdout.write(
            f"schedules: {created} created, {len(doctors) - created} already there; "
            f"rules: {rules_added} added"
        )
        self.stdout.write(self.style.SUCCESS("Demo schedules are in place."))
