"""Input and output serializers of the appointments APIs (top level, uniquely named for the schema)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from icalendar import Calendar, Event
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from appointment_service.appointments import selectors
from appointment_service.appointments.models import (
    REASON_MAX_LENGTH,
    ActorRole,
    Appointment,
    AppointmentState,
    AppointmentStatus,
    EventAction,
    Outcome,
)
from common.dates import date_window

WINDOW_HELP = "From 2000-01-01 to ten years after today (UTC)."


def validate_date_in_window(value: datetime) -> None:
    """Raise ``ValidationError`` (``date-out-of-range``) for an instant outside ``date_window()``.

    An aware value is taken in UTC (one too near year 1 or 9999 to convert is outside).
    """
    first, last = date_window()
    try:
        day = value.astimezone(UTC).date() if timezone.is_aware(value) else value.date()
    except OverflowError:
        day = None
    if day is None or not first <= day <= last:
        raise DjangoValidationError(
            "Give a date from %(first)s to %(last)s.",
            code="date-out-of-range",
            params={"first": first.isoformat(), "last": last.isoformat()},
        )


# Output


class AppointmentOutputSerializer(serializers.Serializer):
    """An appointment; ``status`` and ``outcome`` are derived at the time of the answer."""

    id = serializers.UUIDField()
    patient_id = serializers.UUIDField()
    doctor_id = serializers.UUIDField()
    slot_id = serializers.UUIDField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    status = serializers.ChoiceField(
        choices=AppointmentStatus.choices,
        source="status_value",
        help_text="`upcoming`; `completed` once its end has passed or the doctor marked it; "
        "`cancelled`.",
    )
    outcome = serializers.ChoiceField(
        choices=Outcome.choices,
        source="outcome_value",
        allow_null=True,
        help_text="For completed appointments: `completed` or `no_show`; otherwise null.",
    )
    reason = serializers.CharField()
    cancel_reason = serializers.CharField()
    late_cancellation = serializers.BooleanField(
        help_text="Cancelled inside the doctor's cancellation cut-off."
    )
    reschedule_count = serializers.IntegerField()
    cancel_cutoff_hours = serializers.IntegerField(
        read_only=True,
        help_text="The doctor's cancellation cut-off, captured at booking (and again at each "
        "reschedule): a cancellation inside this many hours before the start is recorded as "
        "late.",
    )
    reschedule_cutoff_hours = serializers.IntegerField(
        read_only=True,
        help_text="The doctor's reschedule cut-off, captured at booking (and again at each "
        "reschedule): inside this many hours before the start the appointment can no longer "
        "be moved.",
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


def appointment_output(appointment: Appointment) -> dict[str, Any]:
    """The API body of ``appointment``, its status derived now."""
    return dict(AppointmentOutputSerializer(selectors.appointment_with_status(appointment)).data)


# What a list shows of an appointment, read as ``values()`` rows (``appointment_row_output``).
APPOINTMENT_ROW_FIELDS = (
    "id",
    "patient_id",
    "doctor_id",
    "slot_id",
    "start",
    "end",
    "status_value",
    "outcome_value",
    "reason",
    "cancel_reason",
    "late_cancellation",
    "reschedule_count",
    "cancel_cutoff_hours",
    "reschedule_cutoff_hours",
    "created_at",
    "updated_at",
)


def appointment_row_output(row: dict) -> dict:
    """Return a ``values(*APPOINTMENT_ROW_FIELDS)`` row as ``AppointmentOutputSerializer`` would.

    For lists: a dict costs less than a model instance and a serializer.
    """
    shown = {name: row[name] for name in APPOINTMENT_ROW_FIELDS[:6]}
    shown["status"] = row["status_value"]
    shown["outcome"] = row["outcome_value"]
    shown.update((name, row[name]) for name in APPOINTMENT_ROW_FIELDS[8:])
    return shown


class AppointmentEventOutputSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor_id = serializers.UUIDField(allow_null=True, help_text="Null for the system.")
    actor_role = serializers.ChoiceField(choices=ActorRole.choices)
    action = serializers.ChoiceField(choices=EventAction.choices)
    data = serializers.DictField(help_text="Details of the change (times, slots, reasons).")


# Input


class StrictUUIDField(serializers.UUIDField):
    """A UUID given as a string only (DRF's field would also take the integer 42)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class AppointmentCreateInputSerializer(serializers.Serializer):
    slot_id = StrictUUIDField(help_text="A slot from `GET /api/v1/doctors/{id}/slots/`.")
    reason = serializers.CharField(
        max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date-time that names its offset (``Z`` or ``+01:00``); a naive one is refused.

    It must lie inside ``date_window()``: checked before the conversion to UTC,
    which would overflow near year 1 or 9999.
    """

    default_error_messages = {
        "no-offset": "Give the offset too, e.g. 2026-12-01T00:00:00Z or 2026-12-01T00:00:00+01:00.",
    }

    def __init__(self, *, help_text: str = "", **kwargs):
        super().__init__(help_text=f"{help_text} {WINDOW_HELP}".strip(), **kwargs)

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            self.fail("no-offset")
        try:
            validate_date_in_window(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages, code=exc.code) from exc
        return super().enforce_timezone(value)


class AppointmentListFilterInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=AppointmentStatus.choices, required=False)
    to = AwareDateTimeField(
        required=False,
        help_text="Only appointments that start before this instant (exclusive); an ISO 8601 "
        "date-time with its offset. Must be after `from`.",
    )

    def get_fields(self):
        # ``from`` is a Python keyword: add the field by name.
        fields = {
            "from": AwareDateTimeField(
                required=False,
                help_text="Only appointments that start at or after this instant; an ISO 8601 "
                "date-time with its offset (`Z`, or `+01:00` sent as `%2B01:00`).",
            )
        }
        fields.update(super().get_fields())
        return fields

    def validate(self, attrs):
        first, last = attrs.get("from"), attrs.get("to")
        if first is not None and last is not None and last <= first:
            raise serializers.ValidationError(
                {"to": [ErrorDetail("`to` must be after `from`.", code="to-not-after-from")]}
            )
        return attrs


class AppointmentUpdateInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH, required=False, allow_blank=True)


class AppointmentRescheduleInputSerializer(serializers.Serializer):
    slot_id = StrictUUIDField(help_text="Another slot of the same doctor.")


class AppointmentCancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=REASON_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="Optional for the patient, required for the doctor.",
    )


class AppointmentCompleteInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)


# iCalendar

ICS_PRODID = "-//Clinic booking//appointment_service//EN"


def appointment_ics(appointment: Appointment) -> bytes:
    """The appointment as an RFC 5545 calendar with one VEVENT (times in UTC).

    ``UID`` is stable (``<id>@clinic``) and ``SEQUENCE`` counts the reschedules,
    so a calendar that imported an earlier copy updates its event. The reason
    stays out: calendars are often synced to third parties.
    """
    calendar = Calendar()
    calendar.add("prodid", ICS_PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    event = Event()
    event.add("uid", f"{appointment.id}@clinic")
    # Without a METHOD, DTSTAMP is when the event was last revised (RFC 5545 §3.8.7.2).
    event.add("dtstamp", appointment.updated_at.astimezone(UTC))
    event.add("last-modified", appointment.updated_at.astimezone(UTC))
    event.add("created", appointment.created_at.astimezone(UTC))
    event.add("dtstart", appointment.start.astimezone(UTC))
    event.add("dtend", appointment.end.astimezone(UTC))
    event.add("summary", "Clinic appointment")
    event.add(
        "status", "CANCELLED" if appointment.state == AppointmentState.CANCELLED else "CONFIRMED"
    )
    event.add("sequence", appointment.reschedule_count)
    calendar.add_component(event)
    return calendar.to_ical()
