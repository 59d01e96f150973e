"""Internal endpoints under /internal/v1/: slot look-up, reserve and release, service tokens only."""

from __future__ import annotations

import uuid

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.pagination import PageNumberPagination, paginated_response
from common.permissions import HasServiceScope
from common.schema import FORBIDDEN, UNAUTHORIZED, problem
from schedule_service.scheduling import selectors, services
from schedule_service.scheduling.apis import SlotPagination
from schedule_service.scheduling.serializers import (
    HoldInternalOutputSerializer,
    HoldListInternalFilterSerializer,
    SlotAppointmentInputSerializer,
    SlotDetailInternalQuerySerializer,
    SlotInternalOutputSerializer,
    SlotListInternalFilterSerializer,
    SlotOutputSerializer,
    SlotReleaseOutputSerializer,
    SlotReservationOutputSerializer,
)

TAGS = ["internal"]
SCOPE_READ = "slots:read"
SCOPE_RESERVE = "slots:reserve"
SCOPE_RELEASE = "slots:release"

SLOT_ID = "00000001-01c3-8a40-a7d5-5e1f3a9b0c2d"
DOCTOR_ID = "2b2d6c70-9d5d-5544-a0f3-a2a8aee6ac4f"
APPOINTMENT_ID = "5d0b7c4e-8a1f-4e2b-9c3d-6f7a8b9c0d1e"
SLOT_PARAMETER = OpenApiParameter(
    "slot_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Slot id from a listing"
)
SLOT_NOT_FOUND = problem(
    "Not a slot id, or a slot no rule makes and nothing holds", status=404, code="slot-not-found"
)
APPROVAL_UNKNOWN = problem(
    "user_service is unavailable while checking whether a pending doctor is approved now",
    status=503,
    code="dependency-unavailable",
)
RESERVATION_EXAMPLE = {
    "id": SLOT_ID,
    "doctor_id": DOCTOR_ID,
    "start": "2026-12-01T08:00:00Z",
    "end": "2026-12-01T08:30:00Z",
    "appointment_id": APPOINTMENT_ID,
    "cancel_cutoff_hours": 24,
    "reschedule_cutoff_hours": 24,
}
APPOINTMENT_EXAMPLE = OpenApiExample(
    "appointment", value={"appointment_id": APPOINTMENT_ID}, request_only=True
)


class SlotDetailInternalApi(APIView):
    permission_classes = [HasServiceScope]
    required_scopes = {SCOPE_READ}

    @extend_schema(
        tags=TAGS,
        summary="Get a slot: times, hold, bookable, cut-offs",
        description=f"Scope `{SCOPE_READ}`. `refusal` says why a slot is not bookable "
        "(`doctor-not-bookable` for a doctor waiting for the clinic's approval).",
        parameters=[SLOT_PARAMETER, SlotDetailInternalQuerySerializer],
        responses={
            200: SlotInternalOutputSerializer,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: SLOT_NOT_FOUND,
            503: APPROVAL_UNKNOWN,
        },
        examples=[
            OpenApiExample(
                "held",
                value={
                    **RESERVATION_EXAMPLE,
                    "held": True,
                    "bookable": False,
                    "refusal": "slot-taken",
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request, slot_id: uuid.UUID) -> Response:
        query = SlotDetailInternalQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        state = services.slot_get_for_booking(
            slot_id=slot_id, appointment_id=query.validated_data.get("appointment_id")
        )
        return Response(SlotInternalOutputSerializer(state).data)


class SlotListInternalApi(APIView):
    permission_classes = [HasServiceScope]
    pagination_class = SlotPagination
    required_scopes = {SCOPE_READ}

    @extend_schema(
        tags=TAGS,
        summary="List a doctor's bookable slots (to book for a patient)",
        description=f"Scope `{SCOPE_READ}`. The public listing's answer, as a patient sees it: "
        "`from` and `to` are dates in the doctor's time zone (inclusive, at most 62 days), "
        "free slots by start honouring notice, horizon, buffer and time off; a doctor waiting "
        "for the clinic's approval is a 404 `doctor-not-found`. For appointment_service's "
        "admin, where clinic staff book and move appointments for patients.",
        parameters=[
            OpenApiParameter(
                "doctor_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Doctor id"
            ),
            SlotListInternalFilterSerializer,
        ],
        responses={
            200: SlotOutputSerializer(many=True),
            400: problem(
                "Malformed date, a date outside 2000-01-01 to ten years after today "
                "(`date-out-of-range`), reversed range or more than 62 days"
            ),
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: problem(
                "No such page, or a doctor not approved yet (`doctor-not-found`)",
                status=404,
                code="doctor-not-found",
            ),
            503: APPROVAL_UNKNOWN,
        },
        examples=[
            OpenApiExample(
                "slot",
                value={
                    "id": SLOT_ID,
                    "doctor_id": DOCTOR_ID,
                    "start": "2026-12-01T08:00:00Z",
                    "end": "2026-12-01T08:30:00Z",
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request, doctor_id: uuid.UUID) -> Response:
        filters = SlotListInternalFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        schedule = services.schedule_for_listing(
            doctor_id=doctor_id, viewer_id=None, viewer_role="service"
        )
        slots = selectors.slot_list(
            schedule=schedule,
            first=filters.validated_data.get("from"),
            last=filters.validated_data.get("to"),
        )
        return paginated_response(
            self, request, slots, SlotOutputSerializer, context={"include_held": False}
        )


class SlotReserveInternalApi(APIView):
    permission_classes = [HasServiceScope]
    required_scopes = {SCOPE_RESERVE}

    @extend_schema(
        tags=TAGS,
        summary="Hold a slot for an appointment",
        description=f"Scope `{SCOPE_RESERVE}`. Idempotent for the same appointment (the same "
        "answer again). At most one appointment holds a slot, under any concurrency: the "
        "database refuses a second hold. The answer carries the doctor's cut-offs.",
        parameters=[SLOT_PARAMETER],
        request=SlotAppointmentInputSerializer,
        responses={
            200: SlotReservationOutputSerializer,
            400: problem("Missing or malformed appointment_id"),
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: SLOT_NOT_FOUND,
            409: problem(
                "Held by another appointment or too close to one (`slot-taken`), past, inside "
                "the notice, beyond the horizon, in time off or made by no rule "
                "(`slot-unavailable`), or a doctor waiting for the clinic's approval "
                "(`doctor-not-bookable`)",
                status=409,
                code="slot-taken",
            ),
            503: APPROVAL_UNKNOWN,
        },
        examples=[
            APPOINTMENT_EXAMPLE,
            OpenApiExample("reservation", value=RESERVATION_EXAMPLE, response_only=True),
        ],
    )
    def post(self, request: Request, slot_id: uuid.UUID) -> Response:
        serializer = SlotAppointmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reservation = services.slot_reserve(
            slot_id=slot_id, appointment_id=serializer.validated_data["appointment_id"]
        )
        return Response(SlotReservationOutputSerializer(reservation).data)


class SlotReleaseInternalApi(APIView):
    permission_classes = [HasServiceScope]
    required_scopes = {SCOPE_RELEASE}

    @extend_schema(
        tags=TAGS,
        summary="Let go of a slot held by an appointment",
        description=f"Scope `{SCOPE_RELEASE}`. Idempotent: a slot that is not held (any more) "
        "answers 200 too. The slot is bookable again at once.",
        parameters=[SLOT_PARAMETER],
        request=SlotAppointmentInputSerializer,
        responses={
            200: SlotReleaseOutputSerializer,
            400: problem("Missing or malformed appointment_id"),
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: SLOT_NOT_FOUND,
            409: problem(
                "Another appointment holds the slot; nothing changed",
                status=409,
                code="slot-held-by-other",
            ),
        },
        examples=[
            APPOINTMENT_EXAMPLE,
            OpenApiExample("released", value={"id": SLOT_ID, "held": False}, response_only=True),
        ],
    )
    def post(self, request: Request, slot_id: uuid.UUID) -> Response:
        serializer = SlotAppointmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.slot_release(
            slot_id=slot_id, appointment_id=serializer.validated_data["appointment_id"]
        )
        return Response(SlotReleaseOutputSerializer({"id": slot_id, "held": False}).data)


class HoldListInternalApi(APIView):
    permission_classes = [HasServiceScope]
    pagination_class = PageNumberPagination
    required_scopes = {SCOPE_READ}

    @extend_schema(
        tags=TAGS,
        summary="List held slots (for reconciliation)",
        description=f"Scope `{SCOPE_READ}`. Oldest first; `doctor_id` narrows to one doctor.",
        parameters=[HoldListInternalFilterSerializer],
        responses={
            200: HoldInternalOutputSerializer(many=True),
            400: problem("Invalid filter"),
            401: UNAUTHORIZED,
            403: FORBIDDEN,
        },
        examples=[
            OpenApiExample(
                "holds",
                value={
                    "slot_id": SLOT_ID,
                    "doctor_id": DOCTOR_ID,
                    "start": "2026-12-01T08:00:00Z",
                    "end": "2026-12-01T08:30:00Z",
                    "appointment_id": APPOINTMENT_ID,
                    "created_at": "2026-11-25T10:00:00Z",
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        filters = HoldListInternalFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        holds = selectors.hold_list(doctor_id=filters.validated_data.get("doctor_id"))
        return paginated_response(self, request, holds, HoldInternalOutputSerializer)
