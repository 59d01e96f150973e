"""Upsert demo doctors and patients from a JSON file (the ids match auth_service's demo users)."""

from __future__ import annotations

import datetime
import uuid

from common.demo import DemoDataCommand, all_or_nothing, demo_entries, read_demo_file
from user_service.profiles import services


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


class Command(DemoDataCommand):
    help = (
        "Create or update demo profiles from a JSON file "
        '{"doctors": [{"id", "full_name", "specialty", "timezone", "bio", "approved"?}], '
        '"patients": [{"id", "full_name", "phone"?, "date_of_birth"?}]}. '
        "Other keys (email, password, ...) are ignored. Running it again changes nothing."
    )

    def handle(self, *args, **options):
        data = read_demo_file(options["file"])
        doctors, patients = demo_entries(data, "doctors"), demo_entries(data, "patients")

        counts = {"doctors": [0, 0], "patients": [0, 0]}
        with all_or_nothing() as cursor:
            for entry in cursor.walk(doctors):
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
            for entry in cursor.walk(patients):
                _, created = services.patient_upsert(
                    user_id=uuid.UUID(str(entry["id"])),
                    full_name=entry["full_name"],
                    phone=entry.get("phone", ""),
                    date_of_birth=_date(entry.get("date_of_birth")),
                )
                counts["patients"][0 if created else 1] += 1

        for kind, (created, existing) in counts.items():
            self.stdout.write(f"{kind}: {created} created, {existing} already there (updated)")
        self.stdout.write(self.style.SUCCESS("Demo profiles are in place."))
