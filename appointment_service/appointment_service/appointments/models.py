"""Appointments (ids minted here), their history, idempotency keys and per-patient locks."""

from __future__ import annotations

import datetime
import uuid

from django.db import models
from django.db.models import F, Q

from common.permissions import ROLE_DOCTOR, ROLE_PATIENT, ROLE_STAFF

REASON_MAX_LENGTH = 1000
IDEMPOTENCY_KEY_MAX_LENGTH = 255


class AppointmentState(models.TextChoices):
    """What is stored; the API shows the derived ``AppointmentStatus``.

    New bookings are written as booked once their slot is reserved; ``pending``
    remains for rows written before that, which reconciliation still clears.
    """

    PENDING = "pending", "Pending (slot being reserved)"
    BOOKED = "booked", "Booked"
    CANCELLED = "cancelled", "Cancelled"
    COMPLETED = "completed", "Completed (marked by the doctor)"
    NO_SHOW = "no_show", "No-show (marked by the doctor)"


# The states in which an appointment holds (or is about to hold) its slot.
LIVE_STATES = (AppointmentState.PENDING, AppointmentState.BOOKED)


class AppointmentStatus(models.TextChoices):
    """The status the API shows, derived from the state and the clock."""

    UPCOMING = "upcoming", "Upcoming"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class Outcome(models.TextChoices):
    COMPLETED = "completed", "Completed"
    NO_SHOW = "no_show", "No-show"


class ActorRole(models.TextChoices):
    PATIENT = ROLE_PATIENT, "Patient"
    DOCTOR = ROLE_DOCTOR, "Doctor"
    STAFF = ROLE_STAFF, "Clinic staff"
    SYSTEM = "system", "System"


class Override(models.TextChoices):
    """A patient-facing rule that clinic staff may set aside (recorded in the event's data)."""

    CANCEL_CUTOFF = "cancel-cutoff", "Cancellation cut-off (not recorded as late)"
    RESCHEDULE_CUTOFF = "reschedule-cutoff", "Reschedule cut-off"
    RESCHEDULE_COUNT = "reschedule-count", "Number of reschedules"
    UPCOMING_CAP = "upcoming-cap", "Upcoming appointments per patient"
    DOCTOR_CAP = "doctor-cap", "Upcoming appointments per patient with one doctor"


class EventAction(models.TextChoices):
    """What an event records; ``created`` only on appointments booked when bookings were
    written in two steps (a booking now records one ``booked`` event)."""

    CREATED = "created", "Created (pending)"
    BOOKED = "booked", "Booked"
    REASON_CHANGED = "reason_changed", "Reason changed"
    RESCHEDULED = "rescheduled", "Rescheduled"
    CANCELLED = "cancelled", "Cancelled"
    COMPLETED = "completed", "Marked completed"
    NO_SHOW = "no_show", "Marked no-show"
    REPAIRED = "repaired", "Repaired by reconciliation"


class Appointment(models.Model):
    """A patient's appointment with a doctor in one slot of schedule_service.

    ``patient_id``, ``doctor_id`` and ``slot_id`` belong to other services
    (UUIDs, never foreign keys); start, end and doctor are copied from the slot.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient_id = models.UUIDField()
    doctor_id = models.UUIDField()
    slot_id = models.UUIDField()
    start = models.DateTimeField()
    end = models.DateTimeField()
    state = models.CharField(
        max_length=16, choices=AppointmentState.choices, default=AppointmentState.PENDING
    )
    reason = models.CharField(max_length=REASON_MAX_LENGTH, blank=True)
    cancel_reason = models.CharField(max_length=REASON_MAX_LENGTH, blank=True)
    cancelled_by = models.CharField(max_length=16, choices=ActorRole.choices, blank=True)
    late_cancellation = models.BooleanField(default=False)
    reschedule_count = models.PositiveIntegerField(default=0)
    cancel_cutoff_hours = models.PositiveIntegerField(
        default=0, help_text="From schedule_service when the slot was reserved."
    )
    reschedule_cutoff_hours = models.PositiveIntegerField(
        default=0, help_text="From schedule_service when the slot was reserved."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            # Invariant 1, this service's side: one live appointment per slot.
            # (PostgreSQL also gets appointment_patient_no_overlap, see migration 0002.)
            models.UniqueConstraint(
                fields=["slot_id"],
                condition=Q(state__in=LIVE_STATES),
                name="appointment_live_slot_unique",
            ),
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="appointment_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(state__in=AppointmentState.values), name="appointment_state_valid"
            ),
        ]
        permissions = [
            ("book_for_patient", "Can book an appointment for a patient (admin)"),
            ("reschedule_for_patient", "Can reschedule a patient's appointment (admin)"),
            ("cancel_for_patient", "Can cancel a patient's appointment (admin)"),
            ("mark_outcome", "Can mark an appointment completed or no-show (admin)"),
            ("override_rules", "Can override the patients' cut-offs and limits (admin)"),
        ]
        indexes = [
            models.Index(fields=["patient_id", "start"], name="appointment_patient_start_idx"),
            models.Index(fields=["doctor_id", "start"], name="appointment_doctor_start_idx"),
            models.Index(fields=["state", "created_at"], name="appointment_state_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M} UTC ({self.state})"

    def status_at(self, now: datetime.datetime) -> str:
        """The API status at ``now``; mirrors ``selectors.with_status`` (pending reads as upcoming)."""
        if self.state == AppointmentState.CANCELLED:
            return AppointmentStatus.CANCELLED
        if self.state in (AppointmentState.COMPLETED, AppointmentState.NO_SHOW) or self.end <= now:
            return AppointmentStatus.COMPLETED
        return AppointmentStatus.UPCOMING

    def outcome_at(self, now: datetime.datetime) -> str | None:
        """``completed``, ``no_show`` or None at ``now``; mirrors ``selectors.with_status``."""
        if self.state == AppointmentState.NO_SHOW:
            return Outcome.NO_SHOW
        if self.state == AppointmentState.COMPLETED or (
            self.state == AppointmentState.BOOKED and self.end <= now
        ):
            return Outcome.COMPLETED
        return None


class AppointmentEvent(models.Model):
    """One change in an appointment's life, kept for its history."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor_id = models.UUIDField(null=True, blank=True, help_text="Empty for the system.")
    actor_role = models.CharField(max_length=16, choices=ActorRole.choices)
    action = models.CharField(max_length=32, choices=EventAction.choices)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["appointment", "at"], name="event_appointment_at_idx")]

    def __str__(self) -> str:
        return f"{self.action} at {self.at:%Y-%m-%d %H:%M:%S} by {self.actor_role}"


class IdempotencyKey(models.Model):
    """An ``Idempotency-Key`` of a booking request and the answer it got.

    The row is inserted before the booking runs (the unique constraint elects
    one request per key); the answer is stored when it is known. A row without
    an answer is a request in flight.
    """

    patient_id = models.UUIDField()
    key = models.CharField(max_length=IDEMPOTENCY_KEY_MAX_LENGTH)
    request_hash = models.CharField(max_length=64, help_text="SHA-256 of the canonical body.")
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patient_id", "key"], name="idempotency_key_unique")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]

    def __str__(self) -> str:
        return self.key
