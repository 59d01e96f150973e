"""The seed_demo management command."""

import json
import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from schedule_service.scheduling import selectors
from schedule_service.scheduling.models import AvailabilityRule, DoctorSchedule
from schedule_service.scheduling.tests.factories import (
    AvailabilityRuleFactory,
    DoctorScheduleFactory,
)

pytestmark = pytest.mark.django_db

DEMO_FILE = Path(__file__).resolve().parents[4] / "demo" / "demo_data.json"


def _write(tmp_path, data) -> str:
    path = tmp_path / "demo.json"
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return str(path)


def test_seed_the_real_demo_file_twice(user_service):
    demo = json.loads(DEMO_FILE.read_text())
    call_command("seed_demo", "--file", str(DEMO_FILE))
    assert DoctorSchedule.objects.count() == len(demo["doctors"])
    for doctor in demo["doctors"]:
        schedule = DoctorSchedule.objects.get(doctor_id=doctor["id"])
        assert schedule.timezone == doctor["timezone"]
    rules = AvailabilityRule.objects.count()
    assert rules == 10 * len(demo["doctors"]) + 1  # one doctor also works Saturday mornings
    assert set(AvailabilityRule.objects.values_list("slot_minutes", flat=True)) == {20, 30}

    call_command("seed_demo", "--file", str(DEMO_FILE))
    assert AvailabilityRule.objects.count() == rules
    assert user_service.calls == []  # no HTTP
    # A patient sees slots in the coming weeks.
    first = DoctorSchedule.objects.get(doctor_id=demo["doctors"][0]["id"])
    assert len(selectors.slot_list(schedule=first)) > 0


def test_a_doctors_own_rules_are_left_alone(tmp_path):
    schedule = DoctorScheduleFactory(timezone="Asia/Tokyo")
    mine = AvailabilityRuleFactory(doctor=schedule)
    path = _write(
        tmp_path, {"doctors": [{"id": str(schedule.doctor_id), "timezone": "Asia/Tokyo"}]}
    )
    call_command("seed_demo", "--file", path)
    assert list(AvailabilityRule.objects.all()) == [mine]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("{not json", "Cannot read"),
        ([], "must hold an object"),
        ({"doctors": {"id": "x"}}, "must hold an object"),
        ({"doctors": [{"id": str(uuid.UUID(int=1))}]}, "lacks"),
        ({"doctors": [{"id": "not-a-uuid", "timezone": "UTC"}]}, "invalid"),
        (
            {
                "doctors": [
                    {"id": str(uuid.UUID(int=1)), "timezone": "UTC"},
                    {"id": str(uuid.UUID(int=2)), "timezone": "Mars/Olympus"},
                ]
            },
            "invalid",
        ),
    ],
)
def test_bad_files_change_nothing(tmp_path, data, message):
    with pytest.raises(CommandError, match=message):
        call_command("seed_demo", "--file", _write(tmp_path, data))
    assert not DoctorSchedule.objects.exists()
    assert not AvailabilityRule.objects.exists()


def test_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("seed_demo", "--file", str(tmp_path / "nope.json"))
