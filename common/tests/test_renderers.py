"""Tests of common.renderers: the orjson renderer writes the same bytes as DRF's."""

import datetime
import decimal
import uuid
import zoneinfo

import pytest
from django.conf import settings
from django.utils.translation import gettext_lazy
from rest_framework import renderers
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response
from rest_framework.views import APIView

from common.errors import PROBLEM_CONTENT_TYPE
from common.renderers import JSONRenderer

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")

ANSWER = {
    "id": uuid.UUID("0b0e2d4c-8f4b-4c1e-9d3a-2a6f1c3e5b7d"),
    "start": datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC),
    "created_at": datetime.datetime(2026, 12, 1, 9, 0, 1, 123456, tzinfo=datetime.UTC),
    "zoned_utc": datetime.datetime(2026, 12, 1, 9, 0, tzinfo=zoneinfo.ZoneInfo("UTC")),
    "london_winter": datetime.datetime(
        2026, 12, 1, 9, 0, tzinfo=zoneinfo.ZoneInfo("Europe/London")
    ),
    "berlin": datetime.datetime(2026, 7, 1, 9, 0, tzinfo=BERLIN),
    # Local mean time: an offset with seconds, which orjson alone would round.
    "amsterdam_1890": datetime.datetime(1890, 1, 1, tzinfo=zoneinfo.ZoneInfo("Europe/Amsterdam")),
    "naive": datetime.datetime(2026, 7, 1, 9, 0, 5, 500),
    "date": datetime.date(2026, 1, 2),
    "time": datetime.time(9, 30),
    "duration": datetime.timedelta(minutes=90),
    "price": decimal.Decimal("12.50"),
    "lazy": gettext_lazy("Not found."),
    "errors": [{"field": "x", "detail": ErrorDetail("Too long.", code="max_length")}],
    "text": "Zoë, 東京, 😀, </script>, \x00\x1f, line\u2028para\u2029end",
    "numbers": [0, -1, 2**63 - 1, True, False, None, 0.5],
    "nested": {"empty": {}, "list": [], "tuple": (1, 2)},
    1: "an integer key",
}


def drf(data, media_type=None):
    return renderers.JSONRenderer().render(data, media_type)


def test_renders_exactly_what_drf_renders():
    assert JSONRenderer().render(ANSWER) == drf(ANSWER)


@pytest.mark.parametrize(
    "data",
    [[], {}, "", 0, [ANSWER, ANSWER], {"count": 0, "next": None, "previous": None, "results": []}],
)
def test_small_answers_are_the_same(data):
    assert JSONRenderer().render(data) == drf(data)


def test_none_is_an_empty_body():
    assert JSONRenderer().render(None) == b""


def test_an_integer_past_64_bits_falls_back_to_drf():
    data = {"big": 2**70, "at": ANSWER["start"]}
    assert (
        JSONRenderer().render(data)
        == drf(data)
        == b'{"big":1180591620717411303424,"at":"2026-12-01T09:00:00Z"}'
    )


def test_an_indent_asked_for_is_honoured_as_drf_does():
    media_type = "application/json; indent=4"
    assert JSONRenderer().render(ANSWER, media_type) == drf(ANSWER, media_type)
    assert b"\n    " in JSONRenderer().render(ANSWER, media_type)


def test_what_drf_refuses_is_refused():
    with pytest.raises(TypeError):
        JSONRenderer().render({"thing": object()})
    with pytest.raises(ValueError, match="timezone-aware"):
        JSONRenderer().render({"aware_time": datetime.time(9, 0, tzinfo=datetime.UTC)})


def test_the_services_render_with_it():
    assert settings.REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] == ["common.renderers.JSONRenderer"]


def test_a_problem_keeps_its_content_type_and_body(client):
    response = client.get("/problem")
    assert response.status_code == 409
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    body = response.json()
    assert body["status"] == 409
    assert response.content == drf(body)


class AnswerView(APIView):
    permission_classes = []
    authentication_classes = []

    def get(self, request):
        return Response(ANSWER)


def test_a_view_answers_application_json_in_the_same_bytes(rf):
    response = AnswerView.as_view()(rf.get("/answer"))
    response.render()
    assert response["Content-Type"] == "application/json"
    assert response.content == drf(ANSWER)
