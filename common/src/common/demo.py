"""What every service's ``seed_demo`` command shares: reading the demo data file, loading it.

The file (``demo/demo_data.json``) holds one JSON object whose keys
(``staff``, ``patients``, ``doctors``, ...) are lists of entries with fixed
ids; each service loads the keys and fields it owns and ignores the rest.
Loading is all or nothing: one bad entry leaves the database as it was and
the command fails naming that entry.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from common.errors import Problem


class DemoDataCommand(BaseCommand):
    """A ``seed_demo`` command: ``--file`` names the demo data file."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", required=True, type=Path, help="Path of the JSON file.")


def read_demo_file(path: Path | str) -> dict[str, Any]:
    """The demo data file's object; a ``CommandError`` when it is missing or not an object."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CommandError(f"Cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise CommandError(f"The file must hold an object, not {type(data).__name__}.")
    return data


def demo_entries(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The entries under ``key`` (none when it is absent); they must be a list of objects."""
    entries = data.get(key, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise CommandError(f"The file must hold an object whose '{key}' is a list of objects.")
    return entries


class EntryCursor:
    """Walks entries and remembers the one being loaded, for the error that names it."""

    def __init__(self) -> None:
        self.entry: dict[str, Any] = {}

    def walk(self, entries: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for entry in entries:
            self.entry = entry
            yield entry

    @property
    def name(self) -> Any:
        return self.entry.get("id", self.entry)


@contextmanager
def all_or_nothing() -> Iterator[EntryCursor]:
    """Load the entries walked with the cursor in one transaction.

    An entry that lacks a field or is refused (bad value, validation,
    problem) rolls everything back and becomes a ``CommandError`` naming it.
    """
    cursor = EntryCursor()
    try:
        with transaction.atomic():
            yield cursor
    except KeyError as exc:
        raise CommandError(f"Entry {cursor.name} lacks {exc}.") from exc
    except (ValueError, ValidationError, Problem) as exc:
        raise CommandError(f"Entry {cursor.name} is invalid: {exc}") from exc
