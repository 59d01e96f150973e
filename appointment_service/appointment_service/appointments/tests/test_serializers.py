"""The input fields' own rules: the date window."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from appointment_service.appointments.serializers import date_window, validate_date_in_window


def test_the_date_window_ends_ten_years_on_or_on_the_28th_after_a_leap_day():
    assert date_window(today=datetime.date(2026, 12, 1)) == (
        datetime.date(2000, 1, 1),
        datetime.date(2036, 12, 1),
    )
    assert date_window(today=datetime.date(2028, 2, 29))[1] == datetime.date(2038, 2, 28)


def test_a_naive_instant_is_judged_as_it_is():
    validate_date_in_window(datetime.datetime(2000, 1, 1, 0, 30))
    with pytest.raises(ValidationError, match="Give a date from 2000-01-01 to"):
        validate_date_in_window(datetime.datetime(1999, 12, 31, 23, 30))
