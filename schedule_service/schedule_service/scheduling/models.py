"""Doctors' schedules: booking policy, weekly availability rules, time off and held slots."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from common.dates import WEEKDAYS, date_window
from schedule_service.scheduling.slots import is_timezone

TIMEZONE_MAX_LENGTH = 64
REASON_MAX_LENGTH = 200

# Booking policy bounds: (default, min, max).
MIN_NOTICE_MINUTES = (60, 0, 7 * 24 * 60)
HORIZON_DAYS = (90, 1, 365)
BUFFER_MINUTES = (0, 0, 240)
CUTOFF_HOURS = (24, 0, 720)
SLOT_MINUTES_MIN, SLOT_MINUTES_MAX = 5, 240

WEEKDAY_CHOICES = WEEKDAYS


def validate_timezone(value: str) -> None:
    """Raise ``ValidationError`` unless ``value`` is an IANA time zone name (``Europe/Berlin``)."""
    if not is_timezone(value):
        raise ValidationError(
            "'%(value)s' is not an IANA time zone name (like 'Europe/Berlin').",
            code="invalid-timezone",
            params={"value": value},
        )


def validate_whole_minute(value: datetime.time) -> None:
    """Raise ``ValidationError`` for a time with seconds: slots start on whole minutes."""
    if value.second or value.microsecond:
        raise ValidationError("Use whole minutes (HH:MM).", code="whole-minutes")


def in_date_window(value: datetime.date | datetime.datetime) -> bool:
    """True when ``value`` (a date, or an aware date-time taken in UTC) is inside the window."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            try:
                value = value.astimezone(datetime.UTC)
            except OverflowError:
                return False
        value = value.date()
    first, last = date_window()
    return first <= value <= last


def validate_date_in_window(value: datetime.date | datetime.datetime) -> None:
    """Raise ``ValidationError`` (``date-out-of-range``) for a date outside ``date_window()``."""
    if not in_date_window(value):
        first, last = date_window()
        raise ValidationError(
            "Give a date from %(first)s to %(last)s.",
            code="date-out-of-range",
            params={"first": first.isoformat(), "last": last.isoformat()},
        )


def _bounded(bounds: tuple[int, int, int], **kwargs) -> models.PositiveIntegerField:
    default, low, high = bounds
    return models.PositiveIntegerField(
        default=default, validators=[MinValueValidator(low), MaxValueValidator(high)], **kwargs
    )


def _range_check(name: str, bounds: tuple[int, int, int]) -> models.CheckConstraint:
    _, low, high = bounds
    return models.CheckConstraint(
        condition=Q(**{f"{name}__gte": low, f"{name}__lte": high}),
        name=f"schedule_{name}_range",
    )


class DoctorSchedule(models.Model):
    """One doctor's schedule and booking policy; ``id`` is the doctor's number in slot ids."""

    id = models.BigAutoField(primary_key=True)
    doctor_id = models.UUIDField(unique=True, help_text="The doctor's user id.")
    timezone = models.CharField(
        max_length=TIMEZONE_MAX_LENGTH,
        validators=[validate_timezone],
        help_text="IANA time zone of the rules, copied from the doctor's profile in user_service.",
    )
    timezone_checked_at = models.DateTimeField(
        null=True, blank=True, help_text="When user_service last confirmed the time zone."
    )
    doctor_approved = models.BooleanField(
        default=False,
        help_text="Copied from user_service: staff approved the doctor, who may be listed and "
        "booked. Once true it stays true (user_service is not asked again).",
    )
    approval_checked_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When user_service was last asked whether the (pending) doctor is approved.",
    )
    min_notice_minutes = _bounded(
        MIN_NOTICE_MINUTES, help_text="A slot must start at least this long after booking."
    )
    horizon_days = _bounded(HORIZON_DAYS, help_text="Slots are offered this many days ahead.")
    buffer_minutes = _bounded(BUFFER_MINUTES, help_text="Kept free after each appointment.")
    cancel_cutoff_hours = _bounded(
        CUTOFF_HOURS, help_text="Patients may cancel until this long before the start."
    )
    reschedule_cutoff_hours = _bounded(
        CUTOFF_HOURS, help_text="Patients may reschedule until this long before the start."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=~Q(timezone=""), name="schedule_timezone_not_empty"),
            _range_check("min_notice_minutes", MIN_NOTICE_MINUTES),
            _range_check("horizon_days", HORIZON_DAYS),
            _range_check("buffer_minutes", BUFFER_MINUTES),
            _range_check("cancel_cutoff_hours", CUTOFF_HOURS),
            _range_check("reschedule_cutoff_hours", CUTOFF_HOURS),
        ]

    def __str__(self) -> str:
        return str(self.doctor_id)


class AvailabilityRule(models.Model):
    """A weekly window in which a doctor offers slots, in the doctor's local time."""

    doctor = models.ForeignKey(DoctorSchedule, on_delete=models.CASCADE, related_name="rules")
    weekday = models.PositiveSmallIntegerField(
        choices=WEEKDAY_CHOICES, validators=[MaxValueValidator(6)], help_text="0 is Monday."
    )
    start_time = models.TimeField(validators=[validate_whole_minute])
    end_time = models.TimeField(validators=[validate_whole_minute])
    slot_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(SLOT_MINUTES_MIN), MaxValueValidator(SLOT_MINUTES_MAX)]
    )
    valid_from = models.DateField(null=True, blank=True, help_text="First date, or open.")
    valid_until = models.DateField(null=True, blank=True, help_text="Last date, or open.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["doctor", "weekday", "start_time", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="rule_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=SLOT_MINUTES_MIN, slot_minutes__lte=SLOT_MINUTES_MAX),
                name="rule_slot_minutes_range",
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="rule_weekday_range"
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="rule_valid_until_after_from",
            ),
        ]

    def __str__(self) -> str:
        day = dict(WEEKDAY_CHOICES).get(self.weekday, self.weekday)
        return f"{day} {self.start_time:%H:%M}-{self.end_time:%H:%M} / {self.slot_minutes} min"

    def clean(self) -> None:
        errors = {}
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = ValidationError(
                "The end must be after the start.", code="end-before-start"
            )
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = ValidationError(
                "The last date must not be before the first.", code="until-before-from"
            )
        if errors:
            raise ValidationError(errors)


class TimeOff(models.Model):
    """A period in which a doctor offers no slot (UTC instants)."""

    doctor = models.ForeignKey(DoctorSchedule, on_delete=models.CASCADE, related_name="time_off")
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=REASON_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["doctor", "start", "id"]
        verbose_name_plural = "time off"
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="time_off_end_after_start")
        ]
        indexes = [
            models.Index(fields=["doctor", "start"], name="time_off_doctor_start_idx"),
            # What has not ended (slot listings, the cap on time off): past entries skipped.
            models.Index(fields=["doctor", "end"], name="time_off_doctor_end_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M} - {self.end:%Y-%m-%d %H:%M} UTC"

    def clean(self) -> None:
        if self.start and self.end and self.end <= self.start:
            raise ValidationError(
                {
                    "end": ValidationError(
                        "The end must be after the start.", code="end-before-start"
                    )
                }
            )


class SlotHold(models.Model):
    """A slot held by an appointment.

    The primary key is the slot id: two holds of one slot cannot both be
    inserted. On PostgreSQL an exclusion constraint (migration 0002) also
    keeps a doctor's ``[start, blocked_until)`` spans from overlapping.
    """

    slot_id = models.UUIDField(primary_key=True)
    doctor = models.ForeignKey(DoctorSchedule, on_delete=models.CASCADE, related_name="holds")
    start = models.DateTimeField()
    end = models.DateTimeField()
    blocked_until = models.DateTimeField(
        help_text="The end plus the doctor's buffer when the slot was reserved."
    )
    appointment_id = models.UUIDField(help_text="The appointment in appointment_service.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["doctor", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="hold_end_after_start"),
            models.CheckConstraint(
                condition=Q(blocked_until__gte=F("end")), name="hold_blocked_after_end"
            ),
        ]
        indexes = [
            models.Index(fields=["doctor", "start"], name="hold_doctor_start_idx"),
            models.Index(fields=["appointment_id"], name="hold_appointment_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M} UTC for {self.appointment_id}"
