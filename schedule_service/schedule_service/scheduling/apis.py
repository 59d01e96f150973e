"""Public endpoints under /api/v1/: doctors' rules, time off and policy; everyone's slot listing."""

from __future__ import annotations

import functools
import uuid

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.pagination import PageNumberPagination, paginated_response, paginated_rows
from common.permissions import ROLE_DOCTOR, IsDoctor, IsUser
from common.schema import problem_for
from schedule_service.scheduling import rules, schema, selectors, services
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


def _validated(serializer_class, data, **kwargs) -> dict:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# Availability rules


class AvailabilityRuleListApi(APIView):
    permission_classes = [IsDoctor]
    pagination_class = PageNumberPagination

    @extend_schema(
        tags=schema.RULE_TAGS,
        summary="List my weekly availability rules",
        description=schema.DOCTOR_ONLY,
        responses={
            200: RuleOutputSerializer(many=True),
            **problem_for(*schema.DOCTOR, schema.NO_SUCH_PAGE),
        },
        examples=[schema.RULE_EXAMPLE],
    )
    def get(self, request: Request) -> Response:
        schedule = services.schedule_for_doctor(doctor_id=request.user.id, write=False)
        return paginated_response(
            self, request, selectors.rule_list(schedule=schedule), RuleOutputSerializer
        )

    @extend_schema(
        tags=schema.RULE_TAGS,
        summary="Add a weekly availability rule",
        description=f"{schema.DOCTOR_ONLY} Times are wall times in the doctor's zone; slots of "
        "`slot_minutes` are laid from `start_time` while they end by `end_time`. A rule may not "
        "overlap another on the same weekday where their `valid_from`..`valid_until` dates meet "
        "(open ends are infinite).",
        request=RuleInputSerializer,
        responses={201: RuleOutputSerializer, **problem_for(*schema.DOCTOR, *schema.RULE_INVALID)},
        examples=schema.RULE_CREATE_EXAMPLES,
    )
    def post(self, request: Request) -> Response:
        data = _validated(RuleInputSerializer, request.data)
        schedule = services.schedule_for_doctor(doctor_id=request.user.id, write=True)
        rule = rules.rule_create(schedule=schedule, data=data)
        return Response(RuleOutputSerializer(rule).data, status=status.HTTP_201_CREATED)


class AvailabilityRuleDetailApi(APIView):
    permission_classes = [IsDoctor]

    @extend_schema(
        tags=schema.RULE_TAGS,
        summary="Get one of my rules",
        description=schema.DOCTOR_ONLY,
        parameters=[schema.RULE_ID],
        responses={200: RuleOutputSerializer, **problem_for(*schema.DOCTOR, schema.RULE_NOT_FOUND)},
        examples=[schema.RULE_EXAMPLE],
    )
    def get(self, request: Request, id: int) -> Response:
        schedule = services.schedule_for_doctor(doctor_id=request.user.id, write=False)
        return Response(
            RuleOutputSerializer(selectors.rule_get(schedule=schedule, rule_id=id)).data
        )

    @extend_schema(
        tags=schema.RULE_TAGS,
        summary="Change one of my rules",
        description=f"{schema.DOCTOR_ONLY} Send only the fields to change. Held slots stay held; "
        "only free slots follow the new rule. A refused change saves nothing.",
        parameters=[schema.RULE_ID],
        request=RuleInputSerializer(partial=True),
        responses={
            200: RuleOutputSerializer,
            **problem_for(*schema.DOCTOR, *schema.RULE_INVALID, schema.RULE_NOT_FOUND),
        },
        examples=schema.RULE_UPDATE_EXAMPLES,
    )
    def patch(self, request: Request, id: int) -> Response:
        data = _validated(RuleInputSerializer, request.data, partial=True)
        schedule = services.schedule_for_doctor(doctor_id=request.user.id, write=True)
        rule = rules.rule_update(rule=selectors.rule_get(schedule=schedule, rule_id=id), data=data)
        return Response(RuleOutputSerializer(rule).data)

    @extend_schema(
        tags=schema.RULE_TAGS,
        summary="Delete one of my rules",
        description=f"{schema.DOCTOR_ONLY} Held slots stay held; free ones disappear.",
        parameters=[schema.RULE_ID],
        responses={204: None, **problem_for(*schema.DOCTOR, schema.RULE_NOT_FOUND)},
    )
    def delete(self, request: Request, id: int) -> Response:
        schedule = services.schedule_for_doctor(doctor_id=request.user.id, write=True)
        rules.rule_delete(rule=selectors.rule_get(schedule=schedule, rule_id=id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# Time off


class TimeOffListApi(APIView):
    permission_classes = [IsDoctor]
    pagination_class = PageNumberPagination

    @extend_schema(
        tags=schema.TIME_OFF_TAGS,
        summary="List my time off",
        description=schema.DOCTOR_ONLY,
        responses={
            200: TimeOffOutputSerializer(many=True),
            **problem_for(*schema.DOCTOR, schema.NO_SUCH_PAGE),
        },
        examples=[schema.TIME_OFF_EXAMPLE],
    )
    def get(self, request: Request) -> Response:
        schedule = services.schedule_for_doctor(doctor_id=request.user.id, write=False)
        return paginated_response(
            self, request, selectors.time_off_list(schedule=schedule), TimeOffOutputSerializer
        )

    @extend_schema(
        tags=schema.TIME_OFF_TAGS,
        summary="Take time off",
        description=f"{schema.DOCTOR_ONLY} No slot is offered from `start` to `end`. Held slots "
        "inside stay held and are listed in `overlapping_held_slots` so that their appointments "
        "can be moved. A schedule holds at most `MAX_TIME_OFF_PER_DOCTOR` (200) entries that have "
        "not ended; time off that has already ended is refused.",
        request=TimeOffCreateInputSerializer,
        responses={
            201: TimeOffCreateOutputSerializer,
            **problem_for(*schema.DOCTOR, *schema.TIME_OFF_INVALID),
        },
        examples=schema.TIME_OFF_CREATE_EXAMPLES,
    )
    def post(self, request: Request) -> Response:
        data = _validated(TimeOffCreateInputSerializer, request.data)
        schedule = services.schedule_for_doctor(doctor_id=request.user.id, write=True)
        time_off, held = rules.time_off_create(schedule=schedule, **data)
        output = TimeOffCreateOutputSerializer(time_off, context={"overlapping_held_slots": held})
        return Response(output.data, status=status.HTTP_201_CREATED)


class TimeOffDetailApi(APIView):
    permission_classes = [IsDoctor]

    @extend_schema(
        tags=schema.TIME_OFF_TAGS,
        summary="Cancel time off",
        description=f"{schema.DOCTOR_ONLY} Its slots are offered again.",
        parameters=[schema.TIME_OFF_ID],
        responses={204: None, **problem_for(*schema.DOCTOR, schema.TIME_OFF_NOT_FOUND)},
    )
    def delete(self, request: Request, id: int) -> Response:
        schedule = services.schedule_for_doctor(doctor_id=request.user.id, write=True)
        rules.time_off_delete(time_off=selectors.time_off_get(schedule=schedule, time_off_id=id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# Booking policy


class PolicyApi(APIView):
    permission_classes = [IsDoctor]

    @extend_schema(
        tags=schema.POLICY_TAGS,
        summary="Get my booking policy",
        description=f"{schema.DOCTOR_ONLY} Slot listing and reservations obey notice, horizon and "
        "buffer; appointment_service enforces the cut-offs.",
        responses={200: PolicyOutputSerializer, **problem_for(*schema.DOCTOR)},
        examples=[schema.POLICY_EXAMPLE],
    )
    def get(self, request: Request) -> Response:
        schedule = services.schedule_for_doctor(doctor_id=request.user.id, write=False)
        return Response(PolicyOutputSerializer(schedule).data)

    @extend_schema(
        tags=schema.POLICY_TAGS,
        summary="Change my booking policy",
        description=f"{schema.DOCTOR_ONLY} Send only the fields to change. Slots already held "
        "keep the buffer they were reserved with. A refused change saves nothing.",
        request=PolicyPatchInputSerializer,
        responses={
            200: PolicyOutputSerializer,
            **problem_for(*schema.DOCTOR, schema.POLICY_INVALID),
        },
        examples=schema.POLICY_UPDATE_EXAMPLES,
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
        tags=schema.SLOT_TAGS,
        summary="List a doctor's bookable slots",
        description="Any signed-in user. `from` and `to` are dates in the doctor's time zone "
        "(inclusive, at most 62 days); slots are UTC instants, by start, that honour the "
        "doctor's notice, horizon, buffer and time off. An unknown doctor has no slots; a "
        "doctor waiting for the clinic's approval is a 404 for everyone but themself and "
        "staff. With "
        "`include_held=true` (the doctor themself only) held slots are listed too, marked. "
        f"`page_size` goes up to {SLOT_MAX_PAGE_SIZE} here (other lists stop at 100): a whole "
        "week of the shortest, 5-minute slots comes in one page.",
        parameters=[schema.DOCTOR_ID_PARAMETER, SlotListFilterInputSerializer],
        responses={
            200: SlotOutputSerializer(many=True),
            **problem_for(
                schema.SLOT_RANGE_INVALID,
                *schema.AUTHENTICATED,
                schema.HELD_SLOTS_FORBIDDEN,
                schema.NO_SUCH_PAGE_OR_DOCTOR_ID,
                schema.DOCTOR_NOT_APPROVED,
                schema.APPROVAL_UNKNOWN,
            ),
        },
        examples=[schema.SLOT_EXAMPLE],
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
        return paginated_rows(
            self,
            request,
            slots,
            functools.partial(selectors.listed_slot_output, include_held=include_held),
        )


class SlotDetailApi(APIView):
    permission_classes = [IsUser]

    @extend_schema(
        tags=schema.SLOT_TAGS,
        operation_id="slot_get",
        summary="Get one slot: its doctor, times and whether it can be booked now",
        description="Any signed-in user. For a page that shows a chosen slot (the portal's "
        "booking summary). `bookable` is false when the slot is held, past, inside the "
        "doctor's notice, beyond the horizon, too close to a held slot or in time off; who "
        "holds it is never shown. A slot id that is malformed, or that no current rule makes "
        "and nothing holds, is a 404; so is a slot of a doctor waiting for the clinic's "
        "approval, for everyone but that doctor and staff.",
        parameters=[schema.SLOT_ID_PARAMETER],
        responses={
            200: SlotDetailOutputSerializer,
            **problem_for(*schema.AUTHENTICATED, schema.SLOT_NOT_FOUND, schema.APPROVAL_UNKNOWN),
        },
        examples=[schema.SLOT_DETAIL_EXAMPLE],
    )
    def get(self, request: Request, slot_id: uuid.UUID) -> Response:
        state = services.slot_get_for_viewer(
            slot_id=slot_id, viewer_id=request.user.id, viewer_role=request.user.role
        )
        return Response(SlotDetailOutputSerializer(state).data)
