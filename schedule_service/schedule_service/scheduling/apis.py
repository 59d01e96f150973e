"""Public endpoints under /api/v1/: doctors' rules, time off and policy; everyone's slot listing."""

from __future__ import annotations

import uuid

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.pagination import PageNumberPagination, paginated_response
from common.permissions import ROLE_DOCTOR, IsDoctor, IsUser
from common.schema import FORBIDDEN, UNAUTHORIZED, problem
from schedule_service.scheduling import selectors, services
from schedule_service.scheduling.exceptions import HeldSlotsForbidden
from schedule_service.scheduling.models import SLOT_MINUTES_MIN
from schedule_service.scheduling.serializers import (
    PolicyOutputSerializer,
    PolicyPatchInputSerializer,
    RuleInputSerializer,
    RuleOutputSerializer,
    SlotDetailOutputSerializer,
    SlotListFilterInputSerializer,
    SlotOutputSerializer,
    TimeOffCreateInputSerializer,
    TimeOffCreateOutputSerializer,
    TimeOffOutputSerializer,
)

RULE_TAGS = ["availability"]
TIME_OFF_TAGS = ["time off"]
POLICY_TAGS = ["booking policy"]
SLOT_TAGS = ["slots"]

DOCTOR_ID = "2b2d6c70-9d5d-5544-a0f3-a2a8aee6ac4f"
RULE_EXAMPLE = {
    "id": 7,
    "weekday": 0,
    "start_time": "09:00",
    "end_time": "12:00",
    "slot_minutes": 30,
    "valid_from": None,
    "valid_until": None,
    "timezone": "Europe/Berlin",
}
RULE_INPUT_EXAMPLE = {k: RULE_EXAMPLE[k] for k in ("weekday", "start_time", "end_time")} | {
    "slot_minutes": 30,
    "valid_from": "2026-12-01",
    "valid_until": None,
}
HELD_SLOT_EXAMPLE = {
    "id": "00000001-01c3-8a40-a7d5-5e1f3a9b0c2d",
    "start": "2026-12-24T09:00:00Z",
    "end": "2026-12-24T09:30:00Z",
    "appointment_id": "5d0b7c4e-8a1f-4e2b-9c3d-6f7a8b9c0d1e",
}
TIME_OFF_EXAMPLE = {
    "id": 3,
    "start": "2026-12-24T00:00:00Z",
    "end": "2026-12-27T00:00:00Z",
    "reason": "Holidays",
    "created_at": "2026-11-20T10:00:00Z",
}
POLICY_EXAMPLE = {
    "doctor_id": DOCTOR_ID,
    "timezone": "Europe/Berlin",
    "min_notice_minutes": 60,
    "horizon_days": 90,
    "buffer_minutes": 10,
    "cancel_cutoff_hours": 24,
    "reschedule_cutoff_hours": 24,
    "updated_at": "2026-11-20T10:00:00Z",
}
SLOT_EXAMPLE = {
    "id": "00000001-01c3-8a40-a7d5-5e1f3a9b0c2d",
    "doctor_id": DOCTOR_ID,
    "start": "2026-12-01T08:00:00Z",
    "end": "2026-12-01T08:30:00Z",
}

DOCTOR_ONLY = (
    "Doctors only, on their own schedule (made on first use, with the time zone of their "
    "profile in user_service)."
)
DOCTOR_FORBIDDEN = problem("Not a doctor's token", status=403, code="permission-denied")
NO_PROFILE = problem(
    "user_service holds no doctor profile for the caller",
    status=409,
    code="doctor-profile-missing",
)
DEPENDENCY = problem(
    "user_service is unavailable and the doctor has no schedule yet",
    status=503,
    code="dependency-unavailable",
)
APPROVAL_UNKNOWN = problem(
    "user_service is unavailable while checking whether a pending doctor is approved now",
    status=503,
    code="dependency-unavailable",
)
RULE_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Rule id")
RULE_NOT_FOUND = problem("You have no rule with this id", status=404, code="rule-not-found")
RULE_INVALID = problem(
    "Invalid field, a date outside 2000-01-01 to ten years after today (`date-out-of-range`), "
    "end not after start, until before from, overlapping rule (`rule-overlap`) or too many "
    "rules (`too-many-rules`)"
)


def _validated(serializer_class, data, **kwargs) -> dict:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# Availability rules


class AvailabilityRuleListApi(APIView):
    permission_classes = [IsDoctor]
    pagination_class = PageNumberPagination

    @extend_schema(
        tags=RULE_TAGS,
        summary="List my weekly availability rules",
        description=DOCTOR_ONLY,
        responses={
            200: RuleOutputSerializer(many=True),
            401: UNAUTHORIZED,
            403: DOCTOR_FORBIDDEN,
            404: problem("No such page", status=404, code="not-found"),
            409: NO_PROFILE,
            503: DEPENDENCY,
        },
        examples=[OpenApiExample("rule", value=RULE_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request) -> Response:
        schedule = services.schedule_for_doctor(doctor_id=request.user.id, write=False)
        return paginated_response(
            self, request, selectors.rule_list(schedule=schedule), RuleOutputSerializer
        )

    @extend_schema(
        tags=RULE_TAGS,
        summary="Add a weekly availability rule",
        description=f"{DOCTOR_ONLY} Times are wall times in the doctor's zone; slots of "
        "`slot_minutes` are laid from `start_time` while they end by `end_time`. A rule may not "
        "overlap another on the same weekday where their `valid_from`..`valid_until` dates meet "
        "(open ends are infinite).",
        request=RuleInputSerializer,
        responses={
            201: RuleOutputSerializer,
            400: RULE_INVALID,
            401: UNAUTHORIZED,
            403: DOCTOR_FORBIDDEN,
            409: NO_PROFILE,
            503: DEPENDENCY,
        },
        examples=[
            OpenApiExample("Monday mornings", value=RULE_INPUT_EXAMPLE, request_only=True),
            OpenApiExample("rule", value=RULE_EXAMPLE, response_only=True, status_codes=["201"]),
        ],
    )
    def post(self, request: Request) -> Response:
        data = _validated(RuleInputSerializer, request.data)
        schedule = services.schedule_for_doctor(doctor_id=request.user.id, write=True)
        rule = services.rule_create(schedule=schedule, data=data)
        return Response(RuleOutputSerializer(rule).data, status=status.HTTP_201_CREATED)


class AvailabilityRuleDetailApi(APIView):
    permission_classes = [IsDoctor]

    @extend_schema(
        tags=RULE_TAGS,
        summary="Get one of my rules",
        description=DOCTOR_ONLY,
        parameters=[RULE_ID],
        responses={
            200: RuleOutputSerializer,
            401: UNAUTHORIZED,
            403: DOCTOR_FORBIDDEN,
            404: RULE_NOT_FOUND,
            409: NO_PROFILE,
            503: DEPENDENCY,
        },
        examples=[OpenApiExample("rule", value=RULE_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, id: int) -> Response:
        schedule = services.schedule_for_doctor(doctor_id=request.user.id, write=False)
        return Response(
            RuleOutputSerializer(selectors.rule_get(schedule=schedule, rule_id=id)).data
        )

    @extend_schema(
        tags=RULE_TAGS,
        summary="Change one of my rules",
        description=f"{DOCTOR_ONLY} Send only the fields to change. Held slots stay held; only "
        "free slots follow the new rule. A refused change saves nothing.",
        parameters=[RULE_ID],
        request=RuleInputSerializer(partial=True),
        responses={
            200: RuleOutputSerializer,
            400: RULE_INVALID,
            401: UNAUTHORIZED,
            403: DOCTOR_FORBIDDEN,
            404: RULE_NOT_FOUND,
            409: NO_PROFILE,
            503: DEPENDENCY,
        },
        examples=[
            OpenApiExample("longer slots", value={"slot_minutes": 45}, request_only=True),
            OpenApiExample("rule", value=RULE_EXAMPLE, response_only=True),
        ],
    )
    def patch(self, request: Request, id: int) -> Response:
        data = _validated(RuleInputSerializer, request.data, partial=True)
        schedule = services.schedule_for_doctor(doctor_id=request.user.id, write=True)
        rule = services.rule_update(
            rule=selectors.rule_get(schedule=schedule, rule_id=id), data=data
        )
        return Response(RuleOutputSerializer(rule).data)

    @extend_schema(
        tags=RULE_TAGS,
        summary="Delete one of my rules",
        description=f"{DOCTOR_ONLY} Held slots stay held; free ones disappear.",
        parameters=[RULE_ID],
        responses={
            204: None,
            401: UNAUTHORIZED,
            403: DOCTOR_FORBIDDEN,
            404: RULE_NOT_FOUND,
            409: NO_PROFILE,
            503: DEPENDENCY,
        },
    )
    def delete(self, request: Request, id: int) -> Response:
        schedule = services.schedule_for_doctor(doctor_id=request.user.id, write=True)
        services.rule_delete(rule=selectors.rule_get(schedule=schedule, rule_id=id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# Time off


class TimeOffListApi(APIView):
    permission_classes = [IsDoctor]
    pagination_class = PageNumberPagination

    @extend_schema(
        tags=TIME_OFF_TAGS,
        summary="List my time off",
        description=DOCTOR_ONLY,
        responses={
            200: TimeOffOutputSerializer(many=True),
            401: UNAUTHORIZED,
            403: DOCTOR_FORBIDDEN,
            404: problem("No such page", status=404, code="not-found"),
            409: NO_PROFILE,
            503: DEPENDENCY,
        },
        examples=[OpenApiExample("time off", value=TIME_OFF_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request) -> Response:
        schedule = services.schedule_for_doctor(doctor_id=request.user.id, write=False)
        return paginated_response(
            self, request, selectors.time_off_list(schedule=schedule), TimeOffOutputSerializer
        )

    @extend_schema(
        tags=TIME_OFF_TAGS,
        summary="Take time off",
        description=f"{DOCTOR_ONLY} No slot is offered from `start` to `end`. Held slots inside "
        "stay held and are listed in `overlapping_held_slots` so that their appointments can be "
        "moved. A schedule holds at most `MAX_TIME_OFF_PER_DOCTOR` (200) entries that have not "
        "ended; time off that has already ended is refused.",
        request=TimeOffCreateInputSerializer,
        responses={
            201: TimeOffCreateOutputSerializer,
            400: problem(
                "Invalid field, a date outside 2000-01-01 to ten years after today "
                "(`date-out-of-range`), end not after start, end already past "
                "(`time-off-ended`), or as many coming entries as allowed (`too-many-time-off`)"
            ),
            401: UNAUTHORIZED,
            403: DOCTOR_FORBIDDEN,
            409: NO_PROFILE,
            503: DEPENDENCY,
        },
        examples=[
            OpenApiExample(
                "holidays",
                value={
                    "start": "2026-12-24T00:00:00+01:00",
                    "end": "2026-12-27T00:00:00+01:00",
                    "reason": "Holidays",
                },
                request_only=True,
            ),
            OpenApiExample(
                "time off",
                value={**TIME_OFF_EXAMPLE, "overlapping_held_slots": [HELD_SLOT_EXAMPLE]},
                response_only=True,
                status_codes=["201"],
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        data = _validated(TimeOffCreateInputSerializer, request.data)
        schedule = services.schedule_for_doctor(doctor_id=request.user.id, write=True)
        time_off, held = services.time_off_create(schedule=schedule, **data)
        output = TimeOffCreateOutputSerializer(time_off, context={"overlapping_held_slots": held})
        return Response(output.data, status=status.HTTP_201_CREATED)


class TimeOffDetailApi(APIView):
    permission_classes = [IsDoctor]

    @extend_schema(
        tags=TIME_OFF_TAGS,
        summary="Cancel time off",
        description=f"{DOCTOR_ONLY} Its slots are offered again.",
        parameters=[
            OpenApiParameter(
                "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Time off id"
            )
        ],
        responses={
            204: None,
            401: UNAUTHORIZED,
            403: DOCTOR_FORBIDDEN,
            404: problem(
                "You have no time off with this id", status=404, code="time-off-not-found"
            ),
            409: NO_PROFILE,
            503: DEPENDENCY,
        },
    )
    def delete(self, request: Request, id: int) -> Response:
        schedule = services.schedule_for_doctor(doctor_id=request.user.id, write=True)
        services.time_off_delete(time_off=selectors.time_off_get(schedule=schedule, time_off_id=id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# Booking policy


class PolicyApi(APIView):
    permission_classes = [IsDoctor]

    @extend_schema(
        tags=POLICY_TAGS,
        summary="Get my booking policy",
        description=f"{DOCTOR_ONLY} Slot listing and reservations obey notice, horizon and "
        "buffer; appointment_service enforces the cut-offs.",
        responses={
            200: PolicyOutputSerializer,
            401: UNAUTHORIZED,
            403: DOCTOR_FORBIDDEN,
            409: NO_PROFILE,
            503: DEPENDENCY,
        },
        examples=[OpenApiExample("policy", value=POLICY_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request) -> Response:
        schedule = services.schedule_for_doctor(doctor_id=request.user.id, write=False)
        return Response(PolicyOutputSerializer(schedule).data)

    @extend_schema(
        tags=POLICY_TAGS,
        summary="Change my booking policy",
        description=f"{DOCTOR_ONLY} Send only the fields to change. Slots already held keep the "
        "buffer they were reserved with. A refused change saves nothing.",
        request=PolicyPatchInputSerializer,
        responses={
            200: PolicyOutputSerializer,
            400: problem("A value out of range"),
            401: UNAUTHORIZED,
            403: DOCTOR_FORBIDDEN,
            409: NO_PROFILE,
            503: DEPENDENCY,
        },
        examples=[
            OpenApiExample(
                "a buffer and a day's notice",
                value={"buffer_minutes": 10, "min_notice_minutes": 1440},
                request_only=True,
            ),
            OpenApiExample("policy", value=POLICY_EXAMPLE, response_only=True),
        ],
    )
    def patch(self, request: Request) -> Response:
        data = _validated(PolicyPatchInputSerializer, request.data)
        schedule = services.schedule_for_doctor(doctor_id=request.user.id, write=True)
        return Response(
            PolicyOutputSerializer(services.policy_update(schedule=schedule, data=data)).data
        )


# Slots

# A whole week of the shortest slots (5 minutes, round the clock) in one page.
SLOT_MAX_PAGE_SIZE = 7 * 24 * 60 // SLOT_MINUTES_MIN


class SlotPagination(PageNumberPagination):
    """The slot listing's pages: up to a week of 5-minute slots in one call."""

    max_page_size = SLOT_MAX_PAGE_SIZE
    page_size_query_description = (
        f"Number of results to return per page (at most {SLOT_MAX_PAGE_SIZE})."
    )


class SlotListApi(APIView):
    permission_classes = [IsUser]
    pagination_class = SlotPagination

    @extend_schema(
        tags=SLOT_TAGS,
        summary="List a doctor's bookable slots",
        description="Any signed-in user. `from` and `to` are dates in the doctor's time zone "
        "(inclusive, at most 62 days); slots are UTC instants, by start, that honour the "
        "doctor's notice, horizon, buffer and time off. An unknown doctor has no slots; a "
        "doctor waiting for the clinic's approval is a 404 for everyone but themself and "
        "staff. With "
        "`include_held=true` (the doctor themself only) held slots are listed too, marked. "
        f"`page_size` goes up to {SLOT_MAX_PAGE_SIZE} here (other lists stop at 100): a whole "
        "week of the shortest, 5-minute slots comes in one page.",
        parameters=[
            OpenApiParameter(
                "doctor_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Doctor id"
            ),
            SlotListFilterInputSerializer,
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
                "No such page, a malformed doctor id (`not-found`) or a doctor not approved yet "
                "(`doctor-not-found`)",
                status=404,
                code="not-found",
            ),
            503: APPROVAL_UNKNOWN,
        },
        examples=[OpenApiExample("slot", value=SLOT_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, doctor_id: uuid.UUID) -> Response:
        filters = _validated(SlotListFilterInputSerializer, request.query_params)
        include_held = filters["include_held"]
        if include_held and (request.user.role != ROLE_DOCTOR or request.user.id != doctor_id):
            raise HeldSlotsForbidden()
        schedule = services.schedule_for_listing(
            doctor_id=doctor_id, viewer_id=request.user.id, viewer_role=request.user.role
        )
        slots = selectors.slot_list(
            schedule=schedule,
            first=filters.get("from"),
            last=filters.get("to"),
            include_held=include_held,
        )
        return paginated_response(
            self, request, slots, SlotOutputSerializer, context={"include_held": include_held}
        )


class SlotDetailApi(APIView):
    permission_classes = [IsUser]

    @extend_schema(
        tags=SLOT_TAGS,
        operation_id="slot_get",
        summary="Get one slot: its doctor, times and whether it can be booked now",
        description="Any signed-in user. For a page that shows a chosen slot (the portal's "
        "booking summary). `bookable` is false when the slot is held, past, inside the "
        "doctor's notice, beyond the horizon, too close to a held slot or in time off; who "
        "holds it is never shown. A slot id that is malformed, or that no current rule makes "
        "and nothing holds, is a 404; so is a slot of a doctor waiting for the clinic's "
        "approval, for everyone but that doctor and staff.",
        parameters=[
            OpenApiParameter(
                "slot_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Slot id"
            )
        ],
        responses={
            200: SlotDetailOutputSerializer,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: problem("No such slot", status=404, code="slot-not-found"),
            503: APPROVAL_UNKNOWN,
        },
        examples=[
            OpenApiExample(
                "bookable slot", value={**SLOT_EXAMPLE, "bookable": True}, response_only=True
            )
        ],
    )
    def get(self, request: Request, slot_id: uuid.UUID) -> Response:
        state = services.slot_get_for_viewer(
            slot_id=slot_id, viewer_id=request.user.id, viewer_role=request.user.role
        )
        return Response(SlotDetailOutputSerializer(state).data)
