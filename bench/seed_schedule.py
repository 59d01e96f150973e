"""Seed schedule_service's database for the benchmark (run inside the service's environment).

The doctors of the people file (bench/seed.py writes it; the same ids and time
zones as in user_service), each with a realistic week (Monday to Friday,
09:00-12:00 and 13:00-17:00, 30-minute slots, Saturday morning for every
fifth doctor), and about half of the slots from 2 to 31 days ahead held. The
ids of the free slots of those days are written to the output file, per doctor.

    cd schedule_service && python ../bench/seed_schedule.py people.json free_slots.json
"""

from __future__ import annotations

import datetime
import json
import os
import random
import sys
import uuid

import django
import django.utils.timezone

sys.path.insert(0, os.getcwd())  # run from schedule_service/
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schedule_service.settings.base")
django.setup()

from schedule_service.scheduling import slots  # noqa: E402
from schedule_service.scheduling.models import AvailabilityRule, DoctorSchedule, SlotHold  # noqa: E402


def week_rules(schedule: DoctorSchedule, index: int) -> list[AvailabilityRule]:
    """A doctor's week: weekday mornings and afternoons, Saturday morning for every fifth."""
    rules = [
        _rule(schedule, weekday, start, end)
        for weekday in range(5)
        for start, end in ((9, 12), (13, 17))
    ]
    if index % 5 == 0:
        rules.append(_rule(schedule, 5, 9, 12))
    return rules


def _rule(schedule: DoctorSchedule, weekday: int, start: int, end: int) -> AvailabilityRule:
    """A rule of 30-minute slots from ``start`` to ``end`` o'clock on ``weekday``."""
    return AvailabilityRule(
        doctor=schedule,
        weekday=weekday,
        start_time=datetime.time(start),
        end_time=datetime.time(end),
        slot_minutes=30,
    )


def held_slots(
    schedules: list[DoctorSchedule], rules: list[AvailabilityRule], rng: random.Random
) -> tuple[list[SlotHold], dict[str, list[list[str]]]]:
    """About half of each doctor's slots from 2 to 31 days ahead held by made-up appointments.

    Returns the holds and, per doctor id, the slots left free (id and start).
    """
    by_doctor: dict[int, list[AvailabilityRule]] = {}
    for rule in rules:
        by_doctor.setdefault(rule.doctor_id, []).append(rule)
    today = datetime.datetime.now(datetime.UTC).date()
    first, last = today + datetime.timedelta(days=2), today + datetime.timedelta(days=31)
    holds, free = [], {}
    for schedule in schedules:
        generated = slots.slots_generate(
            rules=by_doctor[schedule.id],
            zone=slots.zone_get(schedule.timezone),
            first=first,
            last=last,
        )
        free[str(schedule.doctor_id)] = []
        for slot in generated:
            slot_id = slots.slot_id_encode(
                seq=schedule.id, doctor_id=schedule.doctor_id, start=slot.start
            )
            if rng.random() >= 0.5:
                free[str(schedule.doctor_id)].append([str(slot_id), slot.start.isoformat()])
                continue
            holds.append(
                SlotHold(
                    slot_id=slot_id,
                    doctor=schedule,
                    start=slot.start,
                    end=slot.end,
                    blocked_until=slot.end,
                    appointment_id=uuid.uuid4(),
                )
            )
    return holds, free


def main(people_file: str, out_file: str) -> None:
    rng = random.Random(42)
    with open(people_file) as people:
        doctors = json.load(people)["doctors"]
    SlotHold.objects.all().delete()
    AvailabilityRule.objects.all().delete()
    DoctorSchedule.objects.all().delete()
    DoctorSchedule.objects.bulk_create(
        DoctorSchedule(
            doctor_id=uuid.UUID(doctor["id"]),
            timezone=doctor["timezone"],
            timezone_checked_at=django.utils.timezone.now(),  # confirmed recently, as in use
            doctor_approved=True,
            approval_checked_at=django.utils.timezone.now(),
        )
        for doctor in doctors
    )
    schedules = list(DoctorSchedule.objects.order_by("id"))
    rules = [
        rule for index, schedule in enumerate(schedules) for rule in week_rules(schedule, index)
    ]
    AvailabilityRule.objects.bulk_create(rules, batch_size=5000)
    holds, free = held_slots(schedules, rules, rng)
    SlotHold.objects.bulk_create(holds, batch_size=5000)
    with open(out_file, "w") as out:
        json.dump(free, out)
    print(f"seeded {len(schedules)} doctors, {len(rules)} rules, {len(holds)} held slots")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
