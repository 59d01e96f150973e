"""Internal endpoints under /internal/v1/: slot look-up, reserve and release, service tokens only."""

from __future__ import annotations

import functools
import uuid

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.pagination import PageNumberPagination, paginated_response, paginated_rows
from common.permissions import HasServiceScope
from common.schema import problem_for
from schedule_service.scheduling import holds, schema, selectors, services
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

SCOPE_READ = "slots:read"
SCOPE_RESERVE = "slots:reserve"
SCOPE_RELEASE = "slots:release"


class SlotDetailInternalApi(APIView):
    permission_classes = [HasServiceScope]
    required_scopes = {SCOPE_READ}

    @extend_schema(
        tags=schema.INTERNAL_TAGS,
        summary="Get a slot: times, hold, bookable, cut-offs",
        description=f"Scope `{SCOPE_READ}`. `refusal` says why a slot is not bookable "
        "(`doctor-not-bookable` for a doctor waiting for the clinic's approval).",
        parameters=[schema.LISTED_SLOT_ID_PARAMETER, SlotDetailInternalQuerySerializer],
        responses={
            200: SlotInternalOutputSerializer,
            **problem_for(
                schema.APPOINTMENT_ID_INVALID,
                *schema.AUTHENTICATED,
                schema.LISTED_SLOT_NOT_FOUND,
                schema.APPROVAL_UNKNOWN,
            ),
        },
        examples=[schema.HELD_SLOT_DETAIL_EXAMPLE],
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
        tags=schema.INTERNAL_TAGS,
        summary="List a doctor's bookable slots (to book for a patient)",
        description=f"Scope `{SCOPE_READ}`. The public listing's answer, as a patient sees it: "
        "`from` and `to` are dates in the doctor's time zone (inclusive, at most 62 days), "
        "free slots by start honouring notice, horizon, buffer and time off; a doctor waiting "
        "for the clinic's approval is a 404 `doctor-not-found`. For appointment_service's "
        "admin, where clinic staff book and move appointments for patients.",
        parameters=[schema.DOCTOR_ID_PARAMETER, SlotListInternalFilterSerializer],
        responses={
            200: SlotOutputSerializer(many=True),
            **problem_for(
                schema.SLOT_RANGE_INVALID,
                *schema.AUTHENTICATED,
                schema.NO_SUCH_PAGE,
                schema.DOCTOR_NOT_APPROVED,
                schema.APPROVAL_UNKNOWN,
            ),
        },
        examples=[schema.SLOT_EXAMPLE],
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
        return paginated_rows(
            self,
            request,
            slots,
            functools.partial(selectors.listed_slot_output, include_held=False),
        )


class SlotReserveInternalApi(APIView):
    permission_classes = [HasServiceScope]
    required_scopes = {SCOPE_RESERVE}

    @extend_schema(
        tags=schema.INTERNAL_TAGS,
        summary="Hold a slot for an appointment",
        description=f"Scope `{SCOPE_RESERVE}`. Idempotent for the same appointment (the same "
        "answer again). At most one appointment holds a slot, under any concurrency: the "
        "database refuses a second hold. The answer carries the slot's doctor, start and end "
        "and the doctor's cut-offs: all a booking needs, with no look-up first. The slot is "
        "judged in the doctor's stored time zone (refreshed by the listings, not here).",
        parameters=[schema.LISTED_SLOT_ID_PARAMETER],
        request=SlotAppointmentInputSerializer,
        responses={
            200: SlotReservationOutputSerializer,
            **problem_for(
                schema.APPOINTMENT_ID_INVALID,
                *schema.AUTHENTICATED,
                schema.LISTED_SLOT_NOT_FOUND,
                *schema.SLOT_NOT_RESERVABLE,
                schema.APPROVAL_UNKNOWN,
            ),
        },
        examples=schema.RESERVE_EXAMPLES,
    )
    def post(self, request: Request, slot_id: uuid.UUID) -> Response:
        serializer = SlotAppointmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reservation = holds.slot_reserve(
            slot_id=slot_id, appointment_id=serializer.validated_data["appointment_id"]
        )
        return Response(SlotReservationOutputSerializer(reservation).data)


class SlotReleaseInternalApi(APIView):
    permission_classes = [HasServiceScope]
    required_scopes = {SCOPE_RELEASE}

    @extend_schema(
        tags=schema.INTERNAL_TAGS,
        summary="Let go of a slot held by an appointment",
        description=f"Scope `{SCOPE_RELEASE}`. Idempotent: a slot that is not held (any more) "
        "answers 200 too. The slot is bookable again at once.",
        parameters=[schema.LISTED_SLOT_ID_PARAMETER],
        request=SlotAppointmentInputSerializer,
        responses={
            200: SlotReleaseOutputSerializer,
            **problem_for(
                schema.APPOINTMENT_ID_INVALID,
                *schema.AUTHENTICATED,
                schema.LISTED_SLOT_NOT_FOUND,
                schema.SLOT_HELD_BY_OTHER,
            ),
        },
        examples=schema.RELEASE_EXAMPLES,
    )
    def post(self, request: Request, slot_id: uuid.UUID) -> Response:
        serializer = SlotAppointmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        holds.slot_release(
            slot_id=slot_id, appointment_id=serializer.validated_data["appointment_id"]
        )
        return Response(SlotReleaseOutputSerializer({"id": slot_id, "held": False}).data)


class HoldListInternalApi(APIView):
    permission_classes = [HasServiceScope]
    pagination_class = PageNumberPagination
    required_scopes = {SCOPE_READ}

    @extend_schema(
        tags=schema.INTERNAL_TAGS,
        summary="List held slots (for reconciliation)",
        description=f"Scope `{SCOPE_READ}`. Oldest first; `doctor_id` narrows to one doctor.",
        parameters=[HoldListInternalFilterSerializer],
        responses={
            200: HoldInternalOutputSerializer(many=True),
            **problem_for(schema.FILTER_INVALID, *schema.AUTHENTICATED, schema.NO_SUCH_PAGE),
        },
        examples=[schema.HOLD_EXAMPLE],
    )
    def get(self, request: Request) -> Response:
        filters = HoldListInternalFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        held = selectors.hold_list(doctor_id=filters.validated_data.get("doctor_id"))
        return paginated_response(self, request, held, HoldInternalOutputSerializer)
