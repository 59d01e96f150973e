"""Create the demo accounts (staff with their groups, patients, doctors) with fixed ids; idempotent."""

import uuid
from typing import Any

from auth_service.accounts.services import staff
from common.demo import DemoDataCommand, all_or_nothing, demo_entries, read_demo_file


class Command(DemoDataCommand):
    help = "Upsert the demo accounts listed in a demo data file."

    def handle(self, *args: str, file: str, **options: Any) -> None:
        data = read_demo_file(file)
        password = data["password"]
        count = 0
        with all_or_nothing() as cursor:
            for role, key in (("staff", "staff"), ("patient", "patients"), ("doctor", "doctors")):
                for person in cursor.walk(demo_entries(data, key)):
                    staff.user_upsert_demo(
                        user_id=uuid.UUID(person["id"]),
                        email=person["email"],
                        password=password,
                        role=role,
                        groups=person.get("groups"),
                    )
                    count += 1
        self.stdout.write(f"{count} demo accounts ready.")
