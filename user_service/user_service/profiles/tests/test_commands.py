"""The seed_demo management command."""

import json
import uuid

import pytest
from django.core.management import CommandError, call_command

from user_service.profiles.models import Doctor, Patient

pytestmark = pytest.mark.django_db

DOCTOR_ID = str(uuid.UUID(int=101))
PATIENT_ID = str(uuid.UUID(int=202))


def _demo(**changes):
    data = {
        "doctors": [
            {
                "id": DOCTOR_ID,
                "email": "anna@clinic.example",
                "password": "ignored",
                "full_name": "Dr. Anna Weber",
                "specialty": "cardiology",
                "timezone": "Europe/Berlin",
                "bio": "Heart.",
            }
        ],
        "patients": [
            {"id": PATIENT_ID, "email": "jonas@example.com", "full_name": "Jonas Keller"},
        ],
        "staff": [{"email": "admin@clinic.example"}],
    }
    data.update(changes)
    return data


@pytest.fixture
def seed_file(tmp_path):
    def write(data) -> str:
        path = tmp_path / "demo.json"
        path.write_text(json.dumps(data) if not isinstance(data, str) else data)
        return str(path)

    return write


def _rows():
    return (
        list(Doctor.objects.order_by("pk").values()),
        list(Patient.objects.order_by("pk").values()),
    )


def test_seed_twice_gives_the_same_rows(seed_file, capsys):
    path = seed_file(_demo())
    call_command("seed_demo", file=path)
    first = _rows()
    call_command("seed_demo", file=path)
    assert _rows() == first
    assert len(first[0]) == len(first[1]) == 1
    doctor = Doctor.objects.get()
    assert (str(doctor.pk), doctor.specialty.slug, doctor.timezone) == (
        DOCTOR_ID,
        "cardiology",
        "Europe/Berlin",
    )
    assert "1 already there" in capsys.readouterr().out


def test_seed_updates_changed_entries(seed_file):
    call_command("seed_demo", file=seed_file(_demo()))
    changed = _demo()
    changed["doctors"][0].update({"timezone": "Europe/Vienna", "specialty": "neurology"})
    call_command("seed_demo", file=seed_file(changed))
    doctor = Doctor.objects.get()
    assert (doctor.timezone, doctor.specialty.slug) == ("Europe/Vienna", "neurology")


@pytest.mark.parametrize(
    "data",
    [
        "{not json",
        "[]",
        {"doctors": {"id": DOCTOR_ID}},
        {"doctors": [{"id": DOCTOR_ID, "full_name": "No specialty"}]},
        {"patients": [{"id": "not-a-uuid", "full_name": "P"}]},
        {"patients": [{"id": PATIENT_ID, "full_name": "P", "date_of_birth": "someday"}]},
        {"doctors": [{**_demo()["doctors"][0], "specialty": "astrology"}]},
        {"doctors": [{**_demo()["doctors"][0], "timezone": "Mars/Olympus"}]},
    ],
)
def test_seed_bad_file_changes_nothing(seed_file, data):
    with pytest.raises(CommandError):
        call_command("seed_demo", file=seed_file(data if isinstance(data, str) else _demo(**data)))
    assert _rows() == ([], [])


def test_seed_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("seed_demo", file=str(tmp_path / "nope.json"))
