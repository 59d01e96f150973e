"""Create demo doctors' schedules and a realistic working week from a JSON file (no HTTP)."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from common.demo import DemoDataCommand, all_or_nothing, demo_entries, read_demo_file
from schedule_service.scheduling import rules, selectors, services

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
    week = [
        {"weekday": day, "start_time": start, "end_time": end, "slot_minutes": slot_minutes}
        for day in WEEKDAYS
        for start, end in (MORNING, AFTERNOON)
    ]
    if index == 2:
        week.append(
            {
                "weekday": SATURDAY,
                "start_time": MORNING[0],
                "end_time": MORNING[1],
                "slot_minutes": slot_minutes,
            }
        )
    return week


class Command(DemoDataCommand):
    help = (
        'Create demo schedules from a JSON file {"doctors": [{"id", "timezone"}]}: each doctor '
        "gets a working week (Monday-Friday 09:00-12:00 and 13:00-17:00) unless they already "
        "have rules. Other keys are ignored. Running it again changes nothing."
    )

    def handle(self, *args, **options):
        doctors = demo_entries(read_demo_file(options["file"]), "doctors")

        created = rules_added = 0
        with all_or_nothing() as cursor:
            for index, entry in enumerate(cursor.walk(doctors)):
                schedule, new = services.schedule_upsert_local(
                    doctor_id=uuid.UUID(str(entry["id"])), timezone=entry["timezone"]
                )
                created += new
                if selectors.rule_list(schedule=schedule).exists():
                    continue  # the doctor's own rules win over the demo week
                for rule in demo_week(index):
                    rules.rule_create(schedule=schedule, data=rule)
                    rules_added += 1

        self.stdout.write(
            f"schedules: {created} created, {len(doctors) - created} already there; "
            f"rules: {rules_added} added"
        )
        self.stdout.write(self.style.SUCCESS("Demo schedules are in place."))
