"""Input and output serializers of the scheduling APIs (top level, uniquely named for the schema)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from schedule_service.scheduling.models import (
    BUFFER_MINUTES,
    CUTOFF_HOURS,
    HORIZON_DAYS,
    MIN_NOTICE_MINUTES,
    REASON_MAX_LENGTH,
    SLOT_MINUTES_MAX,
    SLOT_MINUTES_MIN,
    validate_date_in_window,
    validate_whole_minute,
)

WINDOW_HELP = "From 2000-01-01 to ten years after today."


def _bounded_integer(bounds: tuple[int, int, int], help_text: str, **kwargs):
    _, low, high = bounds
    return serializers.IntegerField(
        min_value=low, max_value=high, help_text=f"{help_text} ({low}..{high}).", **kwargs
    )


def _check_window(value):
    try:
        validate_date_in_window(value)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages, code=exc.code) from exc
    return value


class WindowDateField(serializers.DateField):
    """A date inside the API's date window (``models.date_window``); others are a 400."""

    def __init__(self, *, help_text: str = "", **kwargs):
        super().__init__(help_text=f"{help_text} {WINDOW_HELP}".strip(), **kwargs)

    def to_internal_value(self, value):
        return _check_window(super().to_internal_value(value))


class WindowDateTimeField(serializers.DateTimeField):
    """A date-time that names its offset (``Z`` or ``+01:00``), inside the API's date window.

    A naive one is refused rather than read as UTC: a doctor elsewhere would get time off
    shifted by their offset. The window is checked first (a far date says so), and before
    the conversion to UTC, which would overflow near year 1 or 9999.
    """

    default_error_messages = {
        "no-offset": "Give the offset too, e.g. 2026-12-01T00:00:00Z or 2026-12-01T00:00:00+01:00.",
    }

    def __init__(self, *, help_text: str = "", **kwargs):
        super().__init__(help_text=f"{help_text} {WINDOW_HELP}".strip(), **kwargs)

    def enforce_timezone(self, value):
        _check_window(value)
        if timezone.is_naive(value):
            self.fail("no-offset")
        return super().enforce_timezone(value)


# A wall time as the API writes it: HH:MM (OpenAPI's `time` format is RFC 3339's, with
# seconds and an offset, which these times never have).
WALL_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


@extend_schema_field({"type": "string", "pattern": WALL_TIME_PATTERN, "example": "09:00"})
class WallTimeField(serializers.TimeField):
    """A local wall time, HH:MM; whole minutes (seconds, if sent, must be 0)."""


# Output


class RuleOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    weekday = serializers.IntegerField(help_text="0 is Monday, 6 is Sunday.")
    start_time = WallTimeField(format="%H:%M")
    end_time = WallTimeField(format="%H:%M")
    slot_minutes = serializers.IntegerField()
    valid_from = serializers.DateField(allow_null=True)
    valid_until = serializers.DateField(allow_null=True)
    timezone = serializers.CharField(
        source="doctor.timezone",
        help_text="The doctor's IANA time zone: times are wall times there.",
    )


class HeldSlotOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="slot_id")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    appointment_id = serializers.UUIDField()


class TimeOffOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class TimeOffCreateOutputSerializer(TimeOffOutputSerializer):
    """The new time off with the held slots it overlaps."""

    # The view passes the held slots as context["overlapping_held_slots"].

    overlapping_held_slots = serializers.SerializerMethodField(
        help_text="Held slots inside the time off: they stay held until their appointments move."
    )

    @extend_schema_field(HeldSlotOutputSerializer(many=True))
    def get_overlapping_held_slots(self, obj) -> list:
        return HeldSlotOutputSerializer(self.context["overlapping_held_slots"], many=True).data


class PolicyOutputSerializer(serializers.Serializer):
    doctor_id = serializers.UUIDField()
    timezone = serializers.CharField()
    min_notice_minutes = serializers.IntegerField()
    horizon_days = serializers.IntegerField()
    buffer_minutes = serializers.IntegerField()
    cancel_cutoff_hours = serializers.IntegerField()
    reschedule_cutoff_hours = serializers.IntegerField()
    updated_at = serializers.DateTimeField()


class SlotOutputSerializer(serializers.Serializer):
    """A slot; `held` and `appointment_id` appear only with `include_held=true`."""

    # The view passes context={"include_held": bool}; without that key (the schema)
    # both optional fields are documented.

    id = serializers.UUIDField(help_text="Stable: the same doctor and start give the same id.")
    doctor_id = serializers.UUIDField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    held = serializers.BooleanField(required=False, help_text="Only with `include_held=true`.")
    appointment_id = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="Only with `include_held=true`: the holding appointment, null when free.",
    )

    def get_fields(self):
        fields = super().get_fields()
        if self.context.get("include_held") is False:
            del fields["held"], fields["appointment_id"]
        return fields


class SlotDetailOutputSerializer(serializers.Serializer):
    """One slot as any signed-in user may see it: never who holds it."""

    id = serializers.UUIDField()
    doctor_id = serializers.UUIDField(source="schedule.doctor_id")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    bookable = serializers.BooleanField(
        help_text="A new appointment could take it now: free, and inside the doctor's notice, "
        "horizon, buffer and time off rules."
    )


class SlotInternalOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    doctor_id = serializers.UUIDField(source="schedule.doctor_id")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    held = serializers.SerializerMethodField()
    appointment_id = serializers.UUIDField(source="hold.appointment_id", allow_null=True)
    bookable = serializers.BooleanField(
        help_text="Made by a current rule, not in time off, notice, horizon and buffer "
        "respected, not held, and the doctor approved by the clinic."
    )
    refusal = serializers.SerializerMethodField(
        help_text="Why it is not bookable: the problem code a reservation would meet "
        "(`doctor-not-bookable`, `slot-taken`, `slot-unavailable`); null when bookable."
    )
    cancel_cutoff_hours = serializers.IntegerField(source="schedule.cancel_cutoff_hours")
    reschedule_cutoff_hours = serializers.IntegerField(source="schedule.reschedule_cutoff_hours")

    def get_held(self, obj) -> bool:
        return obj.hold is not None

    def get_refusal(self, obj) -> str | None:
        return obj.refusal.code if obj.refusal is not None else None


class SlotReservationOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="hold.slot_id")
    doctor_id = serializers.UUIDField()
    start = serializers.DateTimeField(source="hold.start")
    end = serializers.DateTimeField(source="hold.end")
    appointment_id = serializers.UUIDField(source="hold.appointment_id")
    cancel_cutoff_hours = serializers.IntegerField()
    reschedule_cutoff_hours = serializers.IntegerField()


class SlotReleaseOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    held = serializers.BooleanField()


# Input


class RuleInputSerializer(serializers.Serializer):
    """A weekly rule in the doctor's wall time; PATCH sends only the fields to change."""

    weekday = serializers.IntegerField(min_value=0, max_value=6, help_text="0 is Monday.")
    start_time = WallTimeField(
        validators=[validate_whole_minute], help_text="Local wall time, HH:MM."
    )
    end_time = WallTimeField(
        validators=[validate_whole_minute], help_text="Local wall time, HH:MM; after start_time."
    )
    slot_minutes = serializers.IntegerField(
        min_value=SLOT_MINUTES_MIN, max_value=SLOT_MINUTES_MAX, help_text="Length of each slot."
    )
    valid_from = WindowDateField(
        required=False, allow_null=True, help_text="First date the rule applies; null: always."
    )
    valid_until = WindowDateField(
        required=False, allow_null=True, help_text="Last date the rule applies; null: forever."
    )


class TimeOffCreateInputSerializer(serializers.Serializer):
    start = WindowDateTimeField(help_text="ISO 8601 with an offset; stored in UTC.")
    end = WindowDateTimeField(help_text="ISO 8601 with an offset; after start, and not yet past.")
    reason = serializers.CharField(
        max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class PolicyPatchInputSerializer(serializers.Serializer):
    min_notice_minutes = _bounded_integer(
        MIN_NOTICE_MINUTES, "A slot must start at least this many minutes ahead", required=False
    )
    horizon_days = _bounded_integer(
        HORIZON_DAYS, "Slots are offered this many days ahead", required=False
    )
    buffer_minutes = _bounded_integer(
        BUFFER_MINUTES, "Minutes kept free after each appointment", required=False
    )
    cancel_cutoff_hours = _bounded_integer(
        CUTOFF_HOURS, "Cancelling closes this many hours before the start", required=False
    )
    reschedule_cutoff_hours = _bounded_integer(
        CUTOFF_HOURS, "Rescheduling closes this many hours before the start", required=False
    )


class SlotListFilterInputSerializer(serializers.Serializer):
    to = WindowDateField(
        required=False, help_text="Last local date (inclusive); default `from` + 6 days."
    )
    include_held = serializers.BooleanField(
        required=False,
        default=False,
        help_text="The doctor only: list held slots too, each marked `held`.",
    )

    def get_fields(self):
        # ``from`` is a Python keyword: add the field by name.
        fields = {
            "from": WindowDateField(
                required=False,
                help_text="First local date (the doctor's time zone); default today.",
            )
        }
        fields.update(super().get_fields())
        return fields


class SlotListInternalFilterSerializer(serializers.Serializer):
    """The public listing's range (``from``, ``to``), without ``include_held``."""

    to = WindowDateField(
        required=False, help_text="Last local date (inclusive); default `from` + 6 days."
    )

    def get_fields(self):
        fields = {
            "from": WindowDateField(
                required=False,
                help_text="First local date (the doctor's time zone); default today.",
            )
        }
        fields.update(super().get_fields())
        return fields


class SlotAppointmentInputSerializer(serializers.Serializer):
    appointment_id = serializers.UUIDField(help_text="The appointment in appointment_service.")


class HoldListInternalFilterSerializer(serializers.Serializer):
    doctor_id = serializers.UUIDField(required=False)


class HoldInternalOutputSerializer(serializers.Serializer):
    slot_id = serializers.UUIDField()
    doctor_id = serializers.UUIDField(source="doctor.doctor_id")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    appointment_id = serializers.UUIDField()
    created_at = serializers.DateTimeField()


class SlotDetailInternalQuerySerializer(serializers.Serializer):
    appointment_id = serializers.UUIDField(
        required=False,
        help_text="Judge `bookable` for this appointment: its own holds do not count against "
        "the buffer (a reschedule to a neighbouring slot).",
    )
