"""Views used only by common's tests."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from common.errors import Conflict
from common.permissions import HasServiceScope, IsPatient, IsUser


class UserOnlyView(APIView):
    permission_classes = [IsUser]

    def get(self, request):
        return Response({"id": str(request.user.id), "role": request.user.role})


class PatientOnlyView(UserOnlyView):
    permission_classes = [IsPatient]


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
        if kind == "permission":
            raise DjangoPermissionDenied
        raise Http404
