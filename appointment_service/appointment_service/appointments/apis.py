"""Public endpoints under /api/v1/appointments/: patients book and manage, doctors see theirs."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from appointment_service.appointments import booking, changes, idempotency, schema, selectors
from appointment_service.appointments.exceptions import AppointmentNotUpcoming
from appointment_service.appointments.models import IDEMPOTENCY_KEY_MAX_LENGTH
from appointment_service.appointments.serializers import (
    APPOINTMENT_ROW_FIELDS,
    AppointmentCancelInputSerializer,
    AppointmentCompleteInputSerializer,
    AppointmentCreateInputSerializer,
    AppointmentEventOutputSerializer,
    AppointmentListFilterInputSerializer,
    AppointmentOutputSerializer,
    AppointmentRescheduleInputSerializer,
    AppointmentUpdateInputSerializer,
    appointment_ics,
    appointment_output,
    appointment_row_output,
)
from appointment_service.appointments.throttling import (
    IDEMPOTENCY_HEADER,
    BookingThrottle,
    CancelThrottle,
    RescheduleThrottle,
)
from common.errors import PROBLEM_CONTENT_TYPE
from common.pagination import (
    PageNumberPagination,
    WindowCountPagination,
    paginated_response,
    paginated_rows,
)
from common.permissions import ROLE_DOCTOR, ROLE_PATIENT, IsDoctor, IsPatient, IsUser
from common.schema import problem_for


class IsPatientOrDoctor(IsUser):
    """Patients and doctors; staff use the admin."""

    roles = (ROLE_PATIENT, ROLE_DOCTOR)


def _answer(answer: idempotency.Answer) -> Response:
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
    pagination_class = WindowCountPagination

    def get_permissions(self):
        if self.request.method == "POST":
            return [IsPatient()]
        return [IsPatientOrDoctor()]

    def get_throttles(self):
        return [BookingThrottle()] if self.request.method == "POST" else []

    @extend_schema(
        tags=schema.TAGS,
        summary="List my appointments",
        description="A patient's own appointments, or a doctor's with them, ordered by start. "
        "`status` is derived at the time of the answer: an appointment whose end has passed is "
        "`completed` without anyone marking it. `from` and `to` (ISO 8601 date-times with "
        "their offset) keep the appointments whose `start` is at or after `from` and before "
        "`to`, e.g. one day of the caller's calendar.",
        parameters=[AppointmentListFilterInputSerializer],
        responses={
            200: AppointmentOutputSerializer(many=True),
            **problem_for(schema.LIST_INVALID, *schema.AUTHENTICATED, schema.NO_SUCH_PAGE),
        },
        examples=schema.LIST_EXAMPLES,
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
        # Plain dicts, and the total read with the page (one query, not two).
        rows = appointments.values(*APPOINTMENT_ROW_FIELDS)
        return paginated_rows(self, request, rows, appointment_row_output)

    @extend_schema(
        tags=schema.TAGS,
        summary="Book a slot",
        description=schema.BOOK_DESCRIPTION,
        parameters=schema.BOOK_PARAMETERS,
        request=AppointmentCreateInputSerializer,
        responses={
            201: AppointmentOutputSerializer,
            **problem_for(
                schema.BOOK_INVALID,
                *schema.AUTHENTICATED,
                schema.SLOT_NOT_FOUND,
                *schema.SLOT_REFUSED,
                *schema.PATIENT_LIMITS,
                *schema.IDEMPOTENCY,
                schema.THROTTLED,
                schema.UNAVAILABLE,
            ),
        },
        examples=schema.BOOK_EXAMPLES,
    )
    def post(self, request: Request) -> Response:
        key = _idempotency_key(request)
        serializer = AppointmentCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        answer = idempotency.book_once(
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
        tags=schema.TAGS,
        summary="Get one appointment",
        parameters=[schema.ID_PARAMETER],
        responses={
            200: AppointmentOutputSerializer,
            **problem_for(*schema.AUTHENTICATED, schema.NOT_FOUND),
        },
        examples=schema.DETAIL_EXAMPLES,
    )
    def get(self, request: Request, id) -> Response:
        return Response(appointment_output(self.get_appointment(request, id)))

    @extend_schema(
        tags=schema.TAGS,
        summary="Change the reason of an upcoming appointment",
        description="Patients only. Only `reason` can change; status, ids and times are "
        "read-only and ignored when sent.",
        parameters=[schema.ID_PARAMETER],
        request=AppointmentUpdateInputSerializer,
        responses={
            200: AppointmentOutputSerializer,
            **problem_for(
                schema.INVALID, *schema.AUTHENTICATED, schema.NOT_FOUND, AppointmentNotUpcoming
            ),
        },
        examples=schema.UPDATE_EXAMPLES,
    )
    def patch(self, request: Request, id) -> Response:
        appointment = self.get_appointment(request, id)
        serializer = AppointmentUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appointment = changes.appointment_reason_update(
            appointment=appointment,
            reason=serializer.validated_data.get("reason"),
            actor_id=request.user.id,
        )
        return Response(appointment_output(appointment))


class AppointmentRescheduleApi(_AppointmentApi):
    permission_classes = [IsPatient]
    throttle_classes = [RescheduleThrottle]

    @extend_schema(
        tags=schema.TAGS,
        summary="Move an appointment to another slot of the same doctor",
        description="Patients only. The new slot is taken before the old one is let go: on "
        "failure nothing changes. Refused inside the doctor's reschedule cut-off and after "
        "`MAX_RESCHEDULES` moves. Sending the slot it already has changes nothing."
        + schema.rate_limit("THROTTLE_RESCHEDULE", "30/hour"),
        parameters=[schema.ID_PARAMETER, schema.RETRY_AFTER],
        request=AppointmentRescheduleInputSerializer,
        responses={
            200: AppointmentOutputSerializer,
            **problem_for(
                schema.INVALID,
                *schema.AUTHENTICATED,
                schema.NOT_FOUND,
                schema.SLOT_NOT_FOUND,
                *schema.SLOT_REFUSED,
                *schema.RESCHEDULE_REFUSED,
                schema.THROTTLED,
                schema.UNAVAILABLE,
            ),
        },
        examples=schema.RESCHEDULE_EXAMPLES,
    )
    def post(self, request: Request, id) -> Response:
        appointment = self.get_appointment(request, id)
        serializer = AppointmentRescheduleInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appointment = booking.appointment_reschedule(
            appointment=appointment,
            slot_id=serializer.validated_data["slot_id"],
            actor_id=request.user.id,
        )
        return Response(appointment_output(appointment))


class AppointmentCancelApi(_AppointmentApi):
    throttle_classes = [CancelThrottle]

    @extend_schema(
        tags=schema.TAGS,
        summary="Cancel an appointment",
        description="Its patient (reason optional) or its doctor (reason required). The slot "
        "is bookable again at once. Inside the doctor's cancellation cut-off the cancellation "
        "is allowed but recorded as late (`late_cancellation: true`). Cancelling a cancelled "
        "appointment answers it as it is." + schema.rate_limit("THROTTLE_CANCEL", "120/hour"),
        parameters=[schema.ID_PARAMETER, schema.RETRY_AFTER],
        request=AppointmentCancelInputSerializer,
        responses={
            200: AppointmentOutputSerializer,
            **problem_for(
                schema.CANCEL_INVALID,
                *schema.AUTHENTICATED,
                schema.NOT_FOUND,
                *schema.CANCEL_REFUSED,
                schema.THROTTLED,
                schema.UNAVAILABLE,
            ),
        },
        examples=schema.CANCEL_EXAMPLES,
    )
    def post(self, request: Request, id) -> Response:
        appointment = self.get_appointment(request, id)
        serializer = AppointmentCancelInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appointment = changes.appointment_cancel(
            appointment=appointment,
            actor_id=request.user.id,
            actor_role=request.user.role,
            reason=serializer.validated_data["reason"],
        )
        return Response(appointment_output(appointment))


class AppointmentCompleteApi(_AppointmentApi):
    permission_classes = [IsDoctor]

    @extend_schema(
        tags=schema.TAGS,
        summary="Mark an appointment completed or no-show",
        description="The appointment's doctor only, once it has started. Marking it again with "
        "the other outcome corrects it.",
        parameters=[schema.ID_PARAMETER],
        request=AppointmentCompleteInputSerializer,
        responses={
            200: AppointmentOutputSerializer,
            **problem_for(
                schema.INVALID, *schema.AUTHENTICATED, schema.NOT_FOUND, *schema.COMPLETE_REFUSED
            ),
        },
        examples=schema.COMPLETE_EXAMPLES,
    )
    def post(self, request: Request, id) -> Response:
        appointment = self.get_appointment(request, id)
        serializer = AppointmentCompleteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appointment = changes.appointment_complete(
            appointment=appointment,
            outcome=serializer.validated_data["outcome"],
            actor_id=request.user.id,
        )
        return Response(appointment_output(appointment))


class AppointmentHistoryApi(_AppointmentApi):
    pagination_class = PageNumberPagination

    @extend_schema(
        tags=schema.TAGS,
        summary="The history of an appointment",
        description="Every change, oldest first: booked (the slot, its times and the cut-offs; "
        "one entry per booking), reason_changed, rescheduled (from/to), cancelled (by whom, "
        "late or not), completed, no_show, repaired. Appointments booked before bookings "
        "were written in one step also begin with created.",
        parameters=[schema.ID_PARAMETER],
        responses={
            200: AppointmentEventOutputSerializer(many=True),
            **problem_for(*schema.AUTHENTICATED, schema.NOT_FOUND, schema.NO_SUCH_PAGE),
        },
        examples=schema.HISTORY_EXAMPLES,
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
        tags=schema.TAGS,
        summary="The appointment as an iCalendar file",
        description="RFC 5545 `text/calendar` with one VEVENT: UID `<id>@clinic`, times in UTC, "
        "STATUS CONFIRMED or CANCELLED, SEQUENCE = number of reschedules.",
        parameters=[schema.ID_PARAMETER],
        responses={
            (200, "text/calendar"): schema.ICALENDAR,
            **problem_for(*schema.AUTHENTICATED, schema.NOT_FOUND),
        },
    )
    def get(self, request: Request, id) -> HttpResponse:
        appointment = self.get_appointment(request, id)
        response = HttpResponse(
            appointment_ics(appointment), content_type="text/calendar; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="appointment-{appointment.id}.ics"'
        return response
