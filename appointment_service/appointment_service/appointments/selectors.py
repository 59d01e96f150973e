"""Every read of the appointments app, and the row-lock helpers."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When
from django.utils import timezone

from appointment_service.appointments.exceptions import AppointmentNotFound
from appointment_service.appointments.models import (
    LIVE_STATES,
    Appointment,
    AppointmentEvent,
    AppointmentState,
    AppointmentStatus,
    IdempotencyKey,
    Outcome,
)
from common.permissions import ROLE_DOCTOR, ROLE_PATIENT


def with_status(
    queryset: QuerySet[Appointment], *, now: datetime.datetime
) -> QuerySet[Appointment]:
    """Annotate ``status_value`` and ``outcome_value`` as the API shows them at ``now``.

    Derived in SQL (no background job marks appointments completed), so that
    filters on the status stay in the database. ``Appointment.status_at`` is
    the same rule in Python.
    """
    ended = Q(end__lte=now)
    return queryset.annotate(
        status_value=Case(
            When(state=AppointmentState.CANCELLED, then=Value(AppointmentStatus.CANCELLED.value)),
            When(
                Q(state__in=[AppointmentState.COMPLETED, AppointmentState.NO_SHOW]) | ended,
                then=Value(AppointmentStatus.COMPLETED.value),
            ),
            default=Value(AppointmentStatus.UPCOMING.value),
            output_field=CharField(),
        ),
        outcome_value=Case(
            When(state=AppointmentState.NO_SHOW, then=Value(Outcome.NO_SHOW.value)),
            When(
                Q(state=AppointmentState.COMPLETED) | (Q(state=AppointmentState.BOOKED) & ended),
                then=Value(Outcome.COMPLETED.value),
            ),
            default=Value(None),
            output_field=CharField(null=True),
        ),
    )


def appointment_with_status(
    appointment: Appointment, *, now: datetime.datetime | None = None
) -> Appointment:
    """Set ``status_value`` and ``outcome_value`` on an instance read without ``with_status``."""
    now = now or timezone.now()
    # The attributes ``with_status`` annotates, which the model does not declare.
    appointment.status_value = appointment.status_at(now)  # type: ignore[attr-defined]
    appointment.outcome_value = appointment.outcome_at(now)  # type: ignore[attr-defined]
    return appointment


def _visible_to(*, user_id: uuid.UUID, role: str) -> QuerySet[Appointment]:
    """A patient's own appointments, or a doctor's with them; never pending ones."""
    queryset = Appointment.objects.exclude(state=AppointmentState.PENDING)
    if role == ROLE_PATIENT:
        return queryset.filter(patient_id=user_id)
    if role == ROLE_DOCTOR:
        return queryset.filter(doctor_id=user_id)
    return queryset.none()


def appointment_list_for_user(
    *,
    user_id: uuid.UUID,
    role: str,
    status: str | None = None,
    start_from: datetime.datetime | None = None,
    start_before: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> QuerySet[Appointment]:
    """Return the caller's appointments by start, optionally of one API ``status``.

    ``start_from`` and ``start_before`` (aware) keep the appointments whose start
    is in ``[start_from, start_before)``. One query however many rows (plus the
    paginator's count).
    """
    queryset = with_status(_visible_to(user_id=user_id, role=role), now=now or timezone.now())
    if status:
        queryset = queryset.filter(status_value=status)  # type: ignore[misc]  # annotated by with_status
    if start_from is not None:
        queryset = queryset.filter(start__gte=start_from)
    if start_before is not None:
        queryset = queryset.filter(start__lt=start_before)
    return queryset.order_by("start", "id")


def appointment_get_for_user(
    *,
    appointment_id: uuid.UUID | str,
    user_id: uuid.UUID,
    role: str,
    now: datetime.datetime | None = None,
) -> Appointment:
    """Return the caller's appointment ``appointment_id`` with its status.

    Raises ``AppointmentNotFound`` (404) when it does not exist, is pending or
    belongs to someone else: the answer never tells those apart.
    """
    queryset = with_status(_visible_to(user_id=user_id, role=role), now=now or timezone.now())
    try:
        return queryset.get(pk=appointment_id)
    except (Appointment.DoesNotExist, ValidationError) as exc:  # also a malformed id
        raise AppointmentNotFound() from exc


def appointment_get(*, appointment_id: uuid.UUID) -> Appointment | None:
    """Return the appointment ``appointment_id`` (any state), or None."""
    return Appointment.objects.filter(pk=appointment_id).first()


def appointment_event_list(*, appointment: Appointment) -> QuerySet[AppointmentEvent]:
    """Return the history of ``appointment``, oldest first."""
    return AppointmentEvent.objects.filter(appointment=appointment).order_by("at", "id")


def appointment_list_for_period(
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    now: datetime.datetime | None = None,
) -> QuerySet[Appointment]:
    """Every appointment starting in ``[start, end)`` (all patients and doctors), by start.

    For clinic staff: cancelled ones too, pending ones (bookings in flight) not;
    with ``status_value`` and ``outcome_value``. One query.
    """
    queryset = Appointment.objects.exclude(state=AppointmentState.PENDING).filter(
        start__gte=start, start__lt=end
    )
    return with_status(queryset, now=now or timezone.now()).order_by("start", "id")


@dataclass(frozen=True)
class PatientLoad:
    """What a new or moved appointment of a patient meets: the caps' counts and any overlap."""

    upcoming: int
    with_doctor: int
    overlapping: bool


def patient_load(
    *,
    patient_id: uuid.UUID,
    doctor_id: uuid.UUID,
    start: datetime.datetime,
    end: datetime.datetime,
    now: datetime.datetime,
    exclude_id: uuid.UUID | None = None,
) -> PatientLoad:
    """The patient's live appointments that have not ended (all, with ``doctor_id``), and whether
    one of them overlaps ``[start, end)`` (``exclude_id`` left out). One query.
    """
    overlap = Q(start__lt=end, end__gt=start)
    if exclude_id is not None:
        overlap &= ~Q(pk=exclude_id)
    upcoming = Q(end__gt=now)
    counts = Appointment.objects.filter(
        patient_id=patient_id, state__in=LIVE_STATES, end__gt=min(now, start)
    ).aggregate(
        upcoming=Count("pk", filter=upcoming),
        with_doctor=Count("pk", filter=upcoming & Q(doctor_id=doctor_id)),
        overlapping=Count("pk", filter=overlap),
    )
    return PatientLoad(
        upcoming=counts["upcoming"],
        with_doctor=counts["with_doctor"],
        overlapping=counts["overlapping"] > 0,
    )


def appointment_list_pending_stale(*, before: datetime.datetime) -> QuerySet[Appointment]:
    """Pending appointments created before ``before``: their booking request is over."""
    return Appointment.objects.filter(
        state=AppointmentState.PENDING, created_at__lt=before
    ).order_by("created_at", "id")


def appointment_list_booked_upcoming(
    *, now: datetime.datetime, unchanged_since: datetime.datetime
) -> QuerySet[Appointment]:
    """Booked appointments that have not ended and were last changed before ``unchanged_since``."""
    return Appointment.objects.filter(
        state=AppointmentState.BOOKED, end__gt=now, updated_at__lt=unchanged_since
    ).order_by("start", "id")


def idempotency_key_find(*, patient_id: uuid.UUID, key: str) -> IdempotencyKey | None:
    """Return the stored ``Idempotency-Key`` of the patient, or None."""
    return IdempotencyKey.objects.filter(patient_id=patient_id, key=key).first()


def idempotency_key_answered(*, patient_id: uuid.UUID, key: str) -> bool:
    """Whether the patient's ``Idempotency-Key`` has a stored answer (a retry would replay it)."""
    return IdempotencyKey.objects.filter(
        patient_id=patient_id, key=key, response_status__isnull=False
    ).exists()


# Row locks (call inside transaction.atomic()) ---------------------------------------


def appointment_select_for_update(*, appointment_id: uuid.UUID) -> Appointment:
    """Lock and return the appointment row (raises ``AppointmentNotFound`` when gone)."""
    try:
        return Appointment.objects.select_for_update().get(pk=appointment_id)
    except Appointment.DoesNotExist as exc:
        raise AppointmentNotFound() from exc
