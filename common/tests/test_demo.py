"""Tests of common.demo: reading the demo data file and loading it all or nothing."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from common.demo import EntryCursor, all_or_nothing, demo_entries, read_demo_file
from common.errors import Problem


def _write(tmp_path, text: str):
    path = tmp_path / "demo.json"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_file_is_read_as_an_object(tmp_path):
    assert read_demo_file(_write(tmp_path, json.dumps({"doctors": []}))) == {"doctors": []}


@pytest.mark.parametrize(
    ("text", "message"), [("{not json", "Cannot read"), ("[]", "must hold an object, not list")]
)
def test_a_bad_file_is_a_command_error(tmp_path, text, message):
    with pytest.raises(CommandError, match=message):
        read_demo_file(_write(tmp_path, text))


def test_a_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        read_demo_file(tmp_path / "nope.json")


def test_entries_are_a_list_of_objects():
    assert demo_entries({}, "doctors") == []
    assert demo_entries({"doctors": [{"id": "1"}]}, "doctors") == [{"id": "1"}]
    with pytest.raises(CommandError, match="'doctors' is a list of objects"):
        demo_entries({"doctors": [1]}, "doctors")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("error", "message"),
    [
        (KeyError("email"), "Entry b lacks 'email'"),
        (ValueError("bad id"), "Entry b is invalid: bad id"),
        (Problem("refused"), "Entry b is invalid"),
    ],
)
def test_one_bad_entry_loads_nothing_and_is_named(error, message):
    def load() -> None:
        with all_or_nothing() as cursor:
            for entry in cursor.walk([{"id": "a"}, {"id": "b"}]):
                get_user_model().objects.create(username=entry["id"])
                if entry["id"] == "b":
                    raise error

    with pytest.raises(CommandError, match=message):
        load()

    assert not get_user_model().objects.exists()


def test_an_entry_without_an_id_is_named_by_its_fields():
    walker = EntryCursor()
    assert list(walker.walk([{"full_name": "Ana"}])) == [{"full_name": "Ana"}]
    assert walker.name == {"full_name": "Ana"}
