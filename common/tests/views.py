"""Views used only by common's tests."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from common.errors import Conflict, PayloadTooLarge
from common.pagination import PageNumberPagination, paginated_response
from common.permissions import HasServiceScope, IsDoctor, IsPatient, IsStaff, IsUser
from common.schema import problem_for

logger = logging.getLogger(__name__)


class UserOnlyView(APIView):
    permission_classes = [IsUser]

    def get(self, request):
        return Response({"id": str(request.user.id), "role": request.user.role})


class PatientOnlyView(UserOnlyView):
    permission_classes = [IsPatient]


class DoctorOnlyView(UserOnlyView):
    permission_classes = [IsDoctor]


class StaffOnlyView(UserOnlyView):
    permission_classes = [IsStaff]


class InternalView(APIView):
    permission_classes = [HasServiceScope]
    required_scopes = {"GET": {"things:read"}, "POST": {"things:write"}}

    def get(self, request):
        return Response({"client_id": request.user.client_id})

    def post(self, request):
        return Response({"client_id": request.user.client_id}, status=201)


class BoomView(APIView):
    permission_classes = []

    def get(self, request):
        raise RuntimeError("secret internals: password=hunter2")


class ProblemView(APIView):
    permission_classes = []

    def get(self, request):
        raise Conflict("That is taken.", extra={"holder": "someone"})


class ThingSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=5)
    tags = serializers.ListField(child=serializers.IntegerField())


class ValidateView(APIView):
    permission_classes = []

    def post(self, request):
        serializer = ThingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data)


class DjangoErrorView(APIView):
    permission_classes = []

    def get(self, request, kind):
        if kind == "validation":
            raise DjangoValidationError({"when": ["Pick a later date."]})
        if kind == "validation-plain":
            raise DjangoValidationError("Nope.")
        if kind == "validation-coded":
            raise DjangoValidationError(
                {"password": [DjangoValidationError("Too short.", code="password_too_short")]}
            )
        if kind == "permission":
            raise DjangoPermissionDenied
        if kind == "too-big":
            raise RequestDataTooBig
        raise Http404


class ThrottledView(APIView):
    permission_classes = []

    def get(self, request):
        raise exceptions.Throttled(wait=7)


class LoggingView(APIView):
    permission_classes = []

    def get(self, request):
        logger.warning("inside the view")
        return Response({"ok": True})


class ItemSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=5)


class OwnerSerializer(serializers.Serializer):
    email = serializers.EmailField()


class NestedSerializer(serializers.Serializer):
    owner = OwnerSerializer()
    items = ItemSerializer(many=True)

    def validate(self, attrs):
        if len(attrs["items"]) > 2:
            raise serializers.ValidationError("Too many items.", code="too-many")
        return attrs


class ValidateNestedView(APIView):
    permission_classes = []

    def post(self, request):
        serializer = NestedSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data)


class NumberSerializer(serializers.Serializer):
    value = serializers.IntegerField()


class NumberListView(APIView):
    """Serves the numbers 0..149 through the default pagination."""

    permission_classes = []
    pagination_class = PageNumberPagination

    def get(self, request):
        return paginated_response(
            self, request, [{"value": n} for n in range(150)], NumberSerializer
        )


class DocumentedView(APIView):
    permission_classes = [IsUser]

    @extend_schema(
        responses={
            200: NumberSerializer,
            **problem_for(exceptions.NotAuthenticated, exceptions.NotFound),
        }
    )
    def get(self, request):
        return Response({"value": 1})

    @extend_schema(
        request=NumberSerializer,
        responses={
            201: NumberSerializer,
            **problem_for(
                exceptions.ValidationError,
                exceptions.NotAuthenticated,
                (Conflict, "The number is taken"),
                PayloadTooLarge,
            ),
        },
    )
    def post(self, request):
        return Response({"value": 1}, status=201)


def plain_not_found(request):
    """A plain Django view (no DRF) that raises ``Http404`` with an internal detail."""
    raise Http404("internal detail: table accounts_user has no row 42")


def admin_staff_id(request):
    """The staff id ``common.admin_sso.staff_id`` finds in the request's admin session."""
    from django.http import JsonResponse

    from common.admin_sso import staff_id

    found = staff_id(request)
    return JsonResponse({"staff_id": str(found) if found else None})


# Database faults: each view fails with OperationalError as often as ``DB_FAULTS`` says
# (a list the tests fill), then answers; ``DB_CALLS`` counts the calls.
DB_FAULTS: list[Exception] = []
DB_CALLS: list[str] = []


def _maybe_fail(method: str) -> None:
    DB_CALLS.append(method)
    if DB_FAULTS:
        raise DB_FAULTS.pop(0)


class DatabaseFaultView(APIView):
    permission_classes = []

    def get(self, request):
        _maybe_fail("GET")
        return Response({"ok": True})

    def post(self, request):
        _maybe_fail("POST")
        return Response({"ok": True}, status=201)


def plain_database_fault(request):
    """A plain Django view (as the admin's) whose query fails."""
    from django.http import JsonResponse

    _maybe_fail(request.method)
    return JsonResponse({"ok": True})
