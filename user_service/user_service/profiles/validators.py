"""Field validators shared by the models and the input serializers."""

from __future__ import annotations

import zoneinfo
from functools import cache

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator


@cache
def _timezones() -> frozenset[str]:
    # Reading the tz database walks the filesystem: do it once per process.
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value: str) -> None:
    """Raise ``ValidationError`` unless ``value`` is an IANA time zone name (``Europe/Berlin``)."""
    if value not in _timezones():
        raise ValidationError(
            "'%(value)s' is not an IANA time zone name (like 'Europe/Berlin').",
            code="invalid-timezone",
            params={"value": value},
        )


validate_phone = RegexValidator(
    regex=r"^\+?[0-9][0-9 ()./-]{2,30}$",
    message="Enter a phone number: digits, spaces and ()./- only, optionally starting with +.",
    code="invalid-phone",
)
