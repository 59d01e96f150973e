"""Create the demo accounts (staff with their groups, patients, doctors) with fixed ids; idempotent."""

import json
import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from auth_service.accounts.services import staff


class Command(BaseCommand):
    help = "Upsert the demo accounts listed in a demo data file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", required=True)

    def handle(self, *args: str, file: str, **options: Any) -> None:
        with open(file, encoding="utf-8") as handle:
            data = json.load(handle)
        password = data["password"]
        count = 0
        for role, key in (("staff", "staff"), ("patient", "patients"), ("doctor", "doctors")):
            for person in data.get(key, []):
                staff.user_upsert_demo(
                    user_id=uuid.UUID(person["id"]),
                    email=person["email"],
                    password=password,
                    role=role,
                    groups=person.get("groups"),
                )
                count += 1
        self.stdout.write(f"{count} demo accounts ready.")
