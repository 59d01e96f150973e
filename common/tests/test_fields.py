"""Tests of common.fields: the comma-separated UUID list."""

import uuid

import pytest
from rest_framework import serializers

from common.fields import UUIDListField


class Ids(serializers.Serializer):
    ids = UUIDListField(max_items=3)


def test_ids_come_back_once_each_in_the_order_given():
    a, b = uuid.uuid4(), uuid.uuid4()
    form = Ids(data={"ids": f"{b}, {a},{b}"})

    assert form.is_valid(), form.errors
    assert form.validated_data["ids"] == [b, a]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (",".join(str(uuid.uuid4()) for _ in range(4)), "too-many-ids"),
        (f"{uuid.uuid4()},not-a-uuid", "invalid-uuid"),
        ("", "blank"),
    ],
)
def test_bad_lists_are_refused_with_a_code(value, code):
    form = Ids(data={"ids": value})

    assert not form.is_valid()
    assert form.errors["ids"][0].code == code
