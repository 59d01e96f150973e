"""Public endpoints under /api/v1/appointments/: patients book and manage, doctors see theirs."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from appointment_service.appointments import selectors, services
from appointment_service.appointments.models import IDEMPOTENCY_KEY_MAX_LENGTH
from appointment_service.appointments.serializers import (
    AppointmentCancelInputSerializer,
    AppointmentCompleteInputSerializer,
    AppointmentCreateInputSerializer,
    AppointmentEventOutputSerializer,
    AppointmentListFilterInputSerializer,
    AppointmentOutputSerializer,
    AppointmentRescheduleInputSerializer,
    AppointmentUpdateInputSerializer,
    appointment_ics,
)
from appointment_service.appointments.throttling import (
    IDEMPOTENCY_HEADER,
    BookingThrottle,
    CancelThrottle,
    RescheduleThrottle,
)
from common.errors import PROBLEM_CONTENT_TYPE
from common.pagination import PageNumberPagination, paginated_response
from common.permissions import ROLE_DOCTOR, ROLE_PATIENT, IsDoctor, IsPatient, IsUser
from common.schema import FORBIDDEN, UNAUTHORIZED, UNAVAILABLE, problem

TAGS = ["appointments"]


class IsPatientOrDoctor(IsUser):
    """Patients and doctors; staff use the admin."""

    roles = (ROLE_PATIENT, ROLE_DOCTOR)


# Schema bits --------------------------------------------------------------------------

APPOINTMENT_EXAMPLE = {
    "id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    "patient_id": "5e1c9d2a-7b3f-4c6d-8e9a-1b2c3d4e5f60",
    "doctor_id": "0b8f5a7e-3c1d-4a8e-9f6b-2d4c6e8a0b1c",
    "slot_id": "3b241101-e2bb-4255-8caf-4136c566a962",
    "start": "2026-12-01T09:00:00Z",
    "end": "2026-12-01T09:30:00Z",
    "status": "upcoming",
    "outcome": None,
    "reason": "Follow-up on blood pressure.",
    "cancel_reason": "",
    "late_cancellation": False,
    "reschedule_count": 0,
    "cancel_cutoff_hours": 24,
    "reschedule_cutoff_hours": 12,
    "created_at": "2026-11-20T18:04:11Z",
    "updated_at": "2026-11-20T18:04:12Z",
}
CANCELLED_EXAMPLE = {
    **APPOINTMENT_EXAMPLE,
    "status": "cancelled",
    "cancel_reason": "Feeling better.",
    "late_cancellation": True,
    "updated_at": "2026-11-30T20:15:00Z",
}
EVENT_EXAMPLE = {
    "at": "2026-11-25T10:00:00Z",
    "actor_id": "5e1c9d2a-7b3f-4c6d-8e9a-1b2c3d4e5f60",
    "actor_role": "patient",
    "action": "rescheduled",
    "data": {
        "from": {
            "slot_id": "1f0e6a52-4c2b-4b8e-9a41-7d1f3c5e2b90",
            "start": "2026-11-30T09:00:00+00:00",
            "end": "2026-11-30T09:30:00+00:00",
        },
        "to": {
            "slot_id": "3b241101-e2bb-4255-8caf-4136c566a962",
            "start": "2026-12-01T09:00:00+00:00",
            "end": "2026-12-01T09:30:00+00:00",
        },
        "count": 1,
    },
}
ICS_EXAMPLE = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Clinic booking//appointment_service//EN\r\n"
    "CALSCALE:GREGORIAN\r\nBEGIN:VEVENT\r\nSUMMARY:Clinic appointment\r\n"
    "DTSTART:20261201T090000Z\r\nDTEND:20261201T093000Z\r\nDTSTAMP:20261120T180412Z\r\n"
    "UID:7c9e6679-7425-40de-944b-e07fc1f90ae7@clinic\r\nSEQUENCE:0\r\nSTATUS:CONFIRMED\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)

ID_PARAMETER = OpenApiParameter(
    "id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Appointment id"
)
NOT_FOUND = problem(
    "No such appointment of yours (also someone else's)",
    status=404,
    code="appointment-not-found",
)
SLOT_NOT_FOUND = problem("No slot has this id", status=404, code="slot-not-found")
INVALID = problem("Invalid field or malformed JSON")
THROTTLED = problem(
    "Too many requests of this kind from you: try again after `Retry-After` seconds",
    status=429,
    code="throttled",
)
RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    response=[429],
    description="Seconds to wait before this request can succeed.",
)


def _rate_limit(setting: str, default: str) -> str:
    return (
        f" At most `{setting}` ({default} by default) such requests per user, counted whether "
        "they succeed or not; more are a 429 with `Retry-After`."
    )


def _conflict(description: str, codes: str) -> OpenApiResponse:
    """A 409 answer; ``codes`` lists every ``code`` it may carry."""
    first = codes.split(",")[0].strip()
    return problem(
        description,
        status=409,
        code=first,
        detail=f"{description}. Codes: {codes}.",
    )


def _output(appointment) -> dict:
    return AppointmentOutputSerializer(selectors.appointment_with_status(appointment)).data


def _answer(answer: services.BookingAnswer) -> Response:
    response = Response(answer.body, status=answer.status)
    if answer.status >= 400:
        response.content_type = PROBLEM_CONTENT_TYPE
    return response


def _idempotency_key(request: Request) -> str | None:
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
        raise serializers.ValidationError(
            {
                IDEMPOTENCY_HEADER: [
                    f"An Idempotency-Key has at most {IDEMPOTENCY_KEY_MAX_LENGTH} characters."
                ]
            }
        )
    return key or None


class _AppointmentApi(APIView):
    """Finds the caller's appointment from the URL (404 for anyone else's)."""

    permission_classes = [IsPatientOrDoctor]

    def get_appointment(self, request: Request, id):
        return selectors.appointment_get_for_user(
            appointment_id=id, user_id=request.user.id, role=request.user.role
        )


# Endpoints ----------------------------------------------------------------------------


class AppointmentListCreateApi(APIView):
    pagination_class = PageNumberPagination

    def get_permissions(self):
        if self.request.method == "POST":
            return [IsPatient()]
        return [IsPatientOrDoctor()]

    def get_throttles(self):
        return [BookingThrottle()] if self.request.method == "POST" else []

    @extend_schema(
        tags=TAGS,
        summary="List my appointments",
        description="A patient's own appointments, or a doctor's with them, ordered by start. "
        "`status` is derived at the time of the answer: an appointment whose end has passed is "
        "`completed` without anyone marking it. `from` and `to` (ISO 8601 date-times with "
        "their offset) keep the appointments whose `start` is at or after `from` and before "
        "`to`, e.g. one day of the caller's calendar.",
        parameters=[AppointmentListFilterInputSerializer],
        responses={
            200: AppointmentOutputSerializer(many=True),
            400: problem(
                "Unknown status filter, a malformed or naive (no offset) date-time, one outside "
                "2000-01-01 to ten years after today (`date-out-of-range`), or `to` not after "
                "`from`"
            ),
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: problem("No such page", status=404, code="not-found"),
        },
        examples=[OpenApiExample("appointments", value=APPOINTMENT_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request) -> Response:
        filters = AppointmentListFilterInputSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        appointments = selectors.appointment_list_for_user(
            user_id=request.user.id,
            role=request.user.role,
            status=filters.validated_data.get("status"),
            start_from=filters.validated_data.get("from"),
            start_before=filters.validated_data.get("to"),
        )
        return paginated_response(self, request, appointments, AppointmentOutputSerializer)

    @extend_schema(
        tags=TAGS,
        summary="Book a slot",
        description="Patients only. Doctor, start and end come from the slot. Send an "
        "`Idempotency-Key` header to retry safely: a retry with the same key and body gets "
        "the first answer (201 or the same problem); the same key with another body is a 422. "
        "A failed booking leaves nothing behind; a 503 may be retried. A patient holds at most "
        "`MAX_UPCOMING_APPOINTMENTS` (10) upcoming appointments (`too-many-appointments`), "
        "`MAX_UPCOMING_APPOINTMENTS_PER_DOCTOR` (3) of them with one doctor "
        "(`too-many-appointments-with-doctor`)."
        + _rate_limit("THROTTLE_BOOKING", "30/hour")
        + " A retry whose `Idempotency-Key` already has its answer is not counted.",
        parameters=[
            RETRY_AFTER,
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=False,
                description=f"A unique value per booking (at most {IDEMPOTENCY_KEY_MAX_LENGTH} "
                "characters), e.g. a UUID; kept for 24 hours.",
            ),
        ],
        request=AppointmentCreateInputSerializer,
        responses={
            201: AppointmentOutputSerializer,
            400: INVALID,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: SLOT_NOT_FOUND,
            409: _conflict(
                "The slot is taken or unavailable, or your limits forbid it",
                "slot-taken, slot-unavailable, doctor-not-bookable, overlapping-appointment, "
                "too-many-appointments, too-many-appointments-with-doctor, "
                "idempotency-in-progress",
            ),
            422: problem(
                "The Idempotency-Key was used with another body",
                status=422,
                code="idempotency-key-reused",
            ),
            429: THROTTLED,
            503: UNAVAILABLE,
        },
        examples=[
            OpenApiExample(
                "book",
                value={
                    "slot_id": APPOINTMENT_EXAMPLE["slot_id"],
                    "reason": APPOINTMENT_EXAMPLE["reason"],
                },
                request_only=True,
            ),
            OpenApiExample(
                "booked", value=APPOINTMENT_EXAMPLE, response_only=True, status_codes=["201"]
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        key = _idempotency_key(request)
        serializer = AppointmentCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        answer = services.appointment_book(
            patient_id=request.user.id,
            slot_id=serializer.validated_data["slot_id"],
            reason=serializer.validated_data["reason"],
            idempotency_key=key,
        )
        return _answer(answer)


class AppointmentDetailApi(_AppointmentApi):
    def get_permissions(self):
        if self.request.method == "PATCH":
            return [IsPatient()]
        return [IsPatientOrDoctor()]

    @extend_schema(
        tags=TAGS,
        summary="Get one appointment",
        parameters=[ID_PARAMETER],
        responses={
            200: AppointmentOutputSerializer,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        examples=[OpenApiExample("appointment", value=APPOINTMENT_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, id) -> Response:
        return Response(_output(self.get_appointment(request, id)))

    @extend_schema(
        tags=TAGS,
        summary="Change the reason of an upcoming appointment",
        description="Patients only. Only `reason` can change; status, ids and times are "
        "read-only and ignored when sent.",
        parameters=[ID_PARAMETER],
        request=AppointmentUpdateInputSerializer,
        responses={
            200: AppointmentOutputSerializer,
            400: INVALID,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: _conflict("The appointment is not upcoming", "appointment-not-upcoming"),
        },
        examples=[
            OpenApiExample("reason", value={"reason": "Also a rash."}, request_only=True),
            OpenApiExample("appointment", value=APPOINTMENT_EXAMPLE, response_only=True),
        ],
    )
    def patch(self, request: Request, id) -> Response:
        appointment = self.get_appointment(request, id)
        serializer = AppointmentUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appointment = services.appointment_reason_update(
            appointment=appointment,
            reason=serializer.validated_data.get("reason"),
            actor_id=request.user.id,
        )
        return Response(_output(appointment))


class AppointmentRescheduleApi(_AppointmentApi):
    permission_classes = [IsPatient]
    throttle_classes = [RescheduleThrottle]

    @extend_schema(
        tags=TAGS,
        summary="Move an appointment to another slot of the same doctor",
        description="Patients only. The new slot is taken before the old one is let go: on "
        "failure nothing changes. Refused inside the doctor's reschedule cut-off and after "
        "`MAX_RESCHEDULES` moves. Sending the slot it already has changes nothing."
        + _rate_limit("THROTTLE_RESCHEDULE", "30/hour"),
        parameters=[ID_PARAMETER, RETRY_AFTER],
        request=AppointmentRescheduleInputSerializer,
        responses={
            200: AppointmentOutputSerializer,
            400: INVALID,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: problem(
                "No such appointment of yours, or no such slot",
                status=404,
                code="appointment-not-found",
            ),
            409: _conflict(
                "The appointment cannot move to this slot",
                "slot-taken, slot-unavailable, doctor-not-bookable, different-doctor, "
                "reschedule-too-late, "
                "too-many-reschedules, overlapping-appointment, appointment-not-upcoming, "
                "appointment-changed",
            ),
            429: THROTTLED,
            503: UNAVAILABLE,
        },
        examples=[
            OpenApiExample(
                "reschedule",
                value={"slot_id": "9a1f3c5e-2b90-4c2b-8e9a-417d1f3c5e2b"},
                request_only=True,
            ),
            OpenApiExample(
                "moved",
                value={**APPOINTMENT_EXAMPLE, "reschedule_count": 1},
                response_only=True,
            ),
        ],
    )
    def post(self, request: Request, id) -> Response:
        appointment = self.get_appointment(request, id)
        serializer = AppointmentRescheduleInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appointment = services.appointment_reschedule(
            appointment=appointment,
            slot_id=serializer.validated_data["slot_id"],
            actor_id=request.user.id,
        )
        return Response(_output(appointment))


class AppointmentCancelApi(_AppointmentApi):
    throttle_classes = [CancelThrottle]

    @extend_schema(
        tags=TAGS,
        summary="Cancel an appointment",
        description="Its patient (reason optional) or its doctor (reason required). The slot "
        "is bookable again at once. Inside the doctor's cancellation cut-off the cancellation "
        "is allowed but recorded as late (`late_cancellation: true`). Cancelling a cancelled "
        "appointment answers it as it is." + _rate_limit("THROTTLE_CANCEL", "120/hour"),
        parameters=[ID_PARAMETER, RETRY_AFTER],
        request=AppointmentCancelInputSerializer,
        responses={
            200: AppointmentOutputSerializer,
            400: problem("Invalid field (a doctor must give a reason) or malformed JSON"),
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: _conflict(
                "A completed appointment cannot be cancelled",
                "appointment-completed, appointment-changed",
            ),
            429: THROTTLED,
            503: UNAVAILABLE,
        },
        examples=[
            OpenApiExample("cancel", value={"reason": "Feeling better."}, request_only=True),
            OpenApiExample("cancelled", value=CANCELLED_EXAMPLE, response_only=True),
        ],
    )
    def post(self, request: Request, id) -> Response:
        appointment = self.get_appointment(request, id)
        serializer = AppointmentCancelInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appointment = services.appointment_cancel(
            appointment=appointment,
            actor_id=request.user.id,
            actor_role=request.user.role,
            reason=serializer.validated_data["reason"],
        )
        return Response(_output(appointment))


class AppointmentCompleteApi(_AppointmentApi):
    permission_classes = [IsDoctor]

    @extend_schema(
        tags=TAGS,
        summary="Mark an appointment completed or no-show",
        description="The appointment's doctor only, once it has started. Marking it again with "
        "the other outcome corrects it.",
        parameters=[ID_PARAMETER],
        request=AppointmentCompleteInputSerializer,
        responses={
            200: AppointmentOutputSerializer,
            400: INVALID,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: _conflict(
                "The appointment has not started or is cancelled",
                "appointment-not-started, appointment-cancelled",
            ),
        },
        examples=[
            OpenApiExample("no-show", value={"outcome": "no_show"}, request_only=True),
            OpenApiExample(
                "marked",
                value={**APPOINTMENT_EXAMPLE, "status": "completed", "outcome": "no_show"},
                response_only=True,
            ),
        ],
    )
    def post(self, request: Request, id) -> Response:
        appointment = self.get_appointment(request, id)
        serializer = AppointmentCompleteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appointment = services.appointment_complete(
            appointment=appointment,
            outcome=serializer.validated_data["outcome"],
            actor_id=request.user.id,
        )
        return Response(_output(appointment))


class AppointmentHistoryApi(_AppointmentApi):
    pagination_class = PageNumberPagination

    @extend_schema(
        tags=TAGS,
        summary="The history of an appointment",
        description="Every change, oldest first: created, booked, reason_changed, rescheduled "
        "(from/to), cancelled (by whom, late or not), completed, no_show, repaired.",
        parameters=[ID_PARAMETER],
        responses={
            200: AppointmentEventOutputSerializer(many=True),
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        examples=[OpenApiExample("history", value=EVENT_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, id) -> Response:
        appointment = self.get_appointment(request, id)
        events = selectors.appointment_event_list(appointment=appointment)
        return paginated_response(self, request, events, AppointmentEventOutputSerializer)


class IgnoreAcceptNegotiation(DefaultContentNegotiation):
    """Always the first renderer (JSON, for problems): the calendar itself is a plain response."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class AppointmentICalendarApi(_AppointmentApi):
    content_negotiation_class = IgnoreAcceptNegotiation

    @extend_schema(
        tags=TAGS,
        summary="The appointment as an iCalendar file",
        description="RFC 5545 `text/calendar` with one VEVENT: UID `<id>@clinic`, times in UTC, "
        "STATUS CONFIRMED or CANCELLED, SEQUENCE = number of reschedules.",
        parameters=[ID_PARAMETER],
        responses={
            (200, "text/calendar"): OpenApiResponse(
                response=OpenApiTypes.STR,
                description="The calendar file.",
                examples=[OpenApiExample("calendar", value=ICS_EXAMPLE)],
            ),
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, id) -> HttpResponse:
        appointment = self.get_appointment(request, id)
        response = HttpResponse(
            appointment_ics(appointment), content_type="text/calendar; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="appointment-{appointment.id}.ics"'
        return response
