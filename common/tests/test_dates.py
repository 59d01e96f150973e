"""Tests of common.dates: the date window every API accepts."""

import datetime

from common.dates import WEEKDAYS, date_window


def test_the_window_runs_from_2000_to_ten_years_ahead():
    assert date_window(today=datetime.date(2026, 12, 1)) == (
        datetime.date(2000, 1, 1),
        datetime.date(2036, 12, 1),
    )


def test_after_a_leap_day_the_window_ends_on_the_28th():
    assert date_window(today=datetime.date(2028, 2, 29))[1] == datetime.date(2038, 2, 28)


def test_weekdays_are_numbered_as_python_numbers_them():
    monday = datetime.date(2026, 11, 30)
    assert [name for _, name in WEEKDAYS] == [
        (monday + datetime.timedelta(days=n)).strftime("%A") for n, _ in WEEKDAYS
    ]
