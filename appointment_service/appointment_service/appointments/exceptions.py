"""Domain errors of the appointments app, rendered as problem details by common's handler."""

from __future__ import annotations

from enum import StrEnum

from rest_framework import status

from common.errors import Problem


class ProblemCode(StrEnum):
    APPOINTMENT_NOT_FOUND = "appointment-not-found"
    SLOT_NOT_FOUND = "slot-not-found"
    SLOT_TAKEN = "slot-taken"
    SLOT_UNAVAILABLE = "slot-unavailable"
    SLOT_HELD_BY_OTHER = "slot-held-by-other"
    DOCTOR_NOT_BOOKABLE = "doctor-not-bookable"
    OVERLAPPING_APPOINTMENT = "overlapping-appointment"
    TOO_MANY_APPOINTMENTS = "too-many-appointments"
    TOO_MANY_APPOINTMENTS_WITH_DOCTOR = "too-many-appointments-with-doctor"
    DIFFERENT_DOCTOR = "different-doctor"
    RESCHEDULE_TOO_LATE = "reschedule-too-late"
    TOO_MANY_RESCHEDULES = "too-many-reschedules"
    APPOINTMENT_NOT_UPCOMING = "appointment-not-upcoming"
    APPOINTMENT_COMPLETED = "appointment-completed"
    APPOINTMENT_CANCELLED = "appointment-cancelled"
    APPOINTMENT_NOT_STARTED = "appointment-not-started"
    APPOINTMENT_CHANGED = "appointment-changed"
    IDEMPOTENCY_KEY_REUSED = "idempotency-key-reused"
    IDEMPOTENCY_IN_PROGRESS = "idempotency-in-progress"


class AppointmentNotFound(Problem):
    """Also the answer for someone else's appointment (never a 403 that confirms it exists)."""

    status_code = status.HTTP_404_NOT_FOUND
    code = ProblemCode.APPOINTMENT_NOT_FOUND.value
    title = "Appointment not found"
    default_detail = "You have no appointment with this id."


class SlotNotFound(Problem):
    status_code = status.HTTP_404_NOT_FOUND
    code = ProblemCode.SLOT_NOT_FOUND.value
    title = "Slot not found"
    default_detail = "No slot has this id."


class SlotTaken(Problem):
    status_code = status.HTTP_409_CONFLICT
    code = ProblemCode.SLOT_TAKEN.value
    title = "Slot taken"
    default_detail = "Another appointment holds this slot; choose another one."


class SlotUnavailable(Problem):
    status_code = status.HTTP_409_CONFLICT
    code = ProblemCode.SLOT_UNAVAILABLE.value
    title = "Slot unavailable"
    default_detail = "This slot cannot be booked (past, too soon, too far ahead or time off)."


class DoctorNotBookable(SlotUnavailable):
    """schedule_service's ``doctor-not-bookable``: a kind of unavailable slot, said plainly."""

    code = ProblemCode.DOCTOR_NOT_BOOKABLE.value
    title = "Doctor not bookable yet"
    default_detail = "This doctor is waiting for the clinic's approval and cannot be booked yet."


class SlotHeldByOther(Problem):
    """schedule_service refused to release a slot another appointment holds (internal)."""

    status_code = status.HTTP_409_CONFLICT
    code = ProblemCode.SLOT_HELD_BY_OTHER.value
    title = "Slot held by another appointment"
    default_detail = "Another appointment holds this slot; nothing was released."


class OverlappingAppointment(Problem):
    status_code = status.HTTP_409_CONFLICT
    code = ProblemCode.OVERLAPPING_APPOINTMENT.value
    title = "Overlapping appointment"
    default_detail = "You already have an appointment at this time."


class TooManyAppointments(Problem):
    status_code = status.HTTP_409_CONFLICT
    code = ProblemCode.TOO_MANY_APPOINTMENTS.value
    title = "Too many upcoming appointments"
    default_detail = "You have as many upcoming appointments as allowed; cancel one first."


class TooManyAppointmentsWithDoctor(Problem):
    status_code = status.HTTP_409_CONFLICT
    code = ProblemCode.TOO_MANY_APPOINTMENTS_WITH_DOCTOR.value
    title = "Too many upcoming appointments with this doctor"
    default_detail = (
        "You have as many upcoming appointments with this doctor as allowed; cancel one first."
    )


class DifferentDoctor(Problem):
    status_code = status.HTTP_409_CONFLICT
    code = ProblemCode.DIFFERENT_DOCTOR.value
    title = "Slot of another doctor"
    default_detail = "An appointment can only move to another slot of the same doctor."


class RescheduleTooLate(Problem):
    status_code = status.HTTP_409_CONFLICT
    code = ProblemCode.RESCHEDULE_TOO_LATE.value
    title = "Too late to reschedule"
    default_detail = "The appointment is too close to move; the doctor's cut-off has passed."


class TooManyReschedules(Problem):
    status_code = status.HTTP_409_CONFLICT
    code = ProblemCode.TOO_MANY_RESCHEDULES.value
    title = "Too many reschedules"
    default_detail = "This appointment has been moved as often as allowed."


class AppointmentNotUpcoming(Problem):
    status_code = status.HTTP_409_CONFLICT
    code = ProblemCode.APPOINTMENT_NOT_UPCOMING.value
    title = "Appointment not upcoming"
    default_detail = "Only an upcoming appointment can be changed."


class AppointmentCompleted(Problem):
    status_code = status.HTTP_409_CONFLICT
    code = ProblemCode.APPOINTMENT_COMPLETED.value
    title = "Appointment completed"
    default_detail = "A completed appointment cannot be cancelled."


class AppointmentCancelled(Problem):
    status_code = status.HTTP_409_CONFLICT
    code = ProblemCode.APPOINTMENT_CANCELLED.value
    title = "Appointment cancelled"
    default_detail = "A cancelled appointment cannot be marked completed or no-show."


class AppointmentNotStarted(Problem):
    status_code = status.HTTP_409_CONFLICT
    code = ProblemCode.APPOINTMENT_NOT_STARTED.value
    title = "Appointment not started"
    default_detail = "An appointment can be marked only once it has started."


class AppointmentChanged(Problem):
    status_code = status.HTTP_409_CONFLICT
    code = ProblemCode.APPOINTMENT_CHANGED.value
    title = "Appointment changed meanwhile"
    default_detail = "The appointment was changed by another request; reload it and try again."


class IdempotencyKeyReused(Problem):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    code = ProblemCode.IDEMPOTENCY_KEY_REUSED.value
    title = "Idempotency key reused"
    default_detail = "This Idempotency-Key was used with a different request body."


class IdempotencyInProgress(Problem):
    """The first request with this Idempotency-Key has no answer yet: retry after a moment
    (no request waits for another; the answer carries ``Retry-After``)."""

    status_code = status.HTTP_409_CONFLICT
    code = ProblemCode.IDEMPOTENCY_IN_PROGRESS.value
    title = "Request in progress"
    default_detail = "A request with this Idempotency-Key is still running; retry shortly."
    # Seconds a client should wait before retrying (the Retry-After header).
    retry_after = 1
