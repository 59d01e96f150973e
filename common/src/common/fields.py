"""Serializer fields the services share."""

from __future__ import annotations

import uuid
from typing import Any

from rest_framework import serializers


def as_uuid(value: Any) -> uuid.UUID | None:
    """``value`` as a UUID (a UUID, or text that spells one); None when it is not one."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


class UUIDListField(serializers.CharField):
    """Comma-separated UUIDs (``?ids=a,b``) → a list of UUIDs, once each, in the order given.

    More than ``max_items`` ids is a ``too-many-ids`` error; a part that is no
    UUID an ``invalid-uuid`` error naming it.
    """

    def __init__(self, *, max_items: int, **kwargs):
        self.max_items = max_items
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> list[uuid.UUID]:  # type: ignore[override]  # ids, not a string
        parts = [part.strip() for part in super().to_internal_value(data).split(",")]
        if len(parts) > self.max_items:
            raise serializers.ValidationError(
                f"At most {self.max_items} ids, {len(parts)} were given.", code="too-many-ids"
            )
        ids = []
        for part in parts:
            try:
                ids.append(uuid.UUID(part))
            except ValueError:
                raise serializers.ValidationError(
                    f"'{part[:40]}' is not a UUID.", code="invalid-uuid"
                ) from None
        return list(dict.fromkeys(ids))
