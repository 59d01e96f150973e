"""Availability writes: weekly rules (overlaps, cap, date window) and time off."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError

from schedule_service.scheduling import holds, rules, selectors
from schedule_service.scheduling.exceptions import RuleOverlap, TooManyRules, TooManyTimeOff
from schedule_service.scheduling.models import AvailabilityRule, SlotHold, TimeOff
from schedule_service.scheduling.tests.factories import (
    AvailabilityRuleFactory,
    DoctorScheduleFactory,
    SlotHoldFactory,
    TimeOffFactory,
)
from schedule_service.scheduling.tests.helpers import NOW, WEDNESDAY, local, slot_id, utc

pytestmark = pytest.mark.django_db

T = datetime.time
NINE = local(WEDNESDAY, 9)  # 08:00Z, the first slot of the ``berlin`` fixture


# Rules


def _rule(**overrides):
    data = {"weekday": 0, "start_time": T(9), "end_time": T(12), "slot_minutes": 30}
    data.update(overrides)
    return data


def test_rule_create():
    schedule = DoctorScheduleFactory()
    rule = rules.rule_create(schedule=schedule, data=_rule(valid_from=datetime.date(2027, 1, 1)))
    stored = AvailabilityRule.objects.get()
    assert stored.pk == rule.pk
    assert (stored.doctor_id, stored.valid_from, stored.valid_until) == (
        schedule.pk,
        datetime.date(2027, 1, 1),
        None,
    )


@pytest.mark.parametrize(
    "existing",
    [
        _rule(),
        _rule(start_time=T(11), end_time=T(13)),
        _rule(start_time=T(8), end_time=T(9, 30)),
        _rule(start_time=T(10), end_time=T(10, 30)),
        _rule(valid_from=datetime.date(2027, 3, 1)),
        _rule(valid_until=datetime.date(2027, 1, 1)),
        _rule(valid_from=datetime.date(2027, 1, 1), valid_until=datetime.date(2027, 1, 1)),
    ],
)
def test_overlapping_rules_are_refused(existing):
    schedule = DoctorScheduleFactory()
    rules.rule_create(schedule=schedule, data=existing)
    with pytest.raises(RuleOverlap):
        rules.rule_create(
            schedule=schedule,
            data=_rule(
                valid_from=datetime.date(2026, 12, 1), valid_until=datetime.date(2027, 6, 1)
            ),
        )
    assert AvailabilityRule.objects.count() == 1


@pytest.mark.parametrize(
    "existing",
    [
        _rule(weekday=1),
        _rule(start_time=T(12), end_time=T(13)),  # touching is fine
        _rule(start_time=T(7), end_time=T(9)),
        _rule(valid_until=datetime.date(2026, 11, 30)),
        _rule(valid_from=datetime.date(2027, 6, 2)),
    ],
)
def test_rules_that_do_not_overlap_are_accepted(existing):
    schedule = DoctorScheduleFactory()
    rules.rule_create(schedule=schedule, data=existing)
    rules.rule_create(
        schedule=schedule,
        data=_rule(valid_from=datetime.date(2026, 12, 1), valid_until=datetime.date(2027, 6, 1)),
    )
    assert AvailabilityRule.objects.count() == 2


def test_other_doctors_rules_never_overlap_mine():
    rules.rule_create(schedule=DoctorScheduleFactory(), data=_rule())
    rules.rule_create(schedule=DoctorScheduleFactory(), data=_rule())
    assert AvailabilityRule.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (_rule(end_time=T(9)), "end_time"),
        (_rule(end_time=T(8)), "end_time"),
        (
            _rule(valid_from=datetime.date(2027, 2, 1), valid_until=datetime.date(2027, 1, 31)),
            "valid_until",
        ),
        (_rule(slot_minutes=4), "slot_minutes"),
        (_rule(slot_minutes=241), "slot_minutes"),
        (_rule(weekday=7), "weekday"),
        (_rule(start_time=T(9, 0, 30)), "start_time"),
    ],
)
def test_rule_create_refuses_nonsense(data, field):
    with pytest.raises(ValidationError) as info:
        rules.rule_create(schedule=DoctorScheduleFactory(), data=data)
    assert field in info.value.message_dict
    assert not AvailabilityRule.objects.exists()


def _window_codes(info) -> dict[str, list[str]]:
    return {name: [e.code for e in errors] for name, errors in info.value.error_dict.items()}


@pytest.mark.parametrize(
    "dates",
    [
        {"valid_from": datetime.date(1999, 12, 31)},
        {"valid_until": datetime.date(9999, 12, 31)},
        {"valid_from": datetime.date(1, 1, 1), "valid_until": datetime.date(9999, 12, 31)},
    ],
)
def test_rule_writes_refuse_dates_outside_the_window(dates):
    schedule = DoctorScheduleFactory()
    with pytest.raises(ValidationError) as info:
        rules.rule_create(schedule=schedule, data=_rule(**dates))
    assert _window_codes(info) == {name: ["date-out-of-range"] for name in dates}
    rule = rules.rule_create(schedule=schedule, data=_rule())
    with pytest.raises(ValidationError) as info:
        rules.rule_update(rule=rule, data=dates)
    assert _window_codes(info) == {name: ["date-out-of-range"] for name in dates}
    rule.refresh_from_db()
    assert (rule.valid_from, rule.valid_until) == (None, None)


def test_rule_create_refuses_unknown_fields():
    with pytest.raises(ValueError, match="doctor"):
        rules.rule_create(schedule=DoctorScheduleFactory(), data=_rule(doctor=None))


def test_a_schedule_holds_a_bounded_number_of_rules(monkeypatch):
    monkeypatch.setattr(rules, "MAX_RULES_PER_DOCTOR", 2)
    schedule = DoctorScheduleFactory()
    rules.rule_create(schedule=schedule, data=_rule(weekday=0))
    rules.rule_create(schedule=schedule, data=_rule(weekday=1))
    with pytest.raises(TooManyRules):
        rules.rule_create(schedule=schedule, data=_rule(weekday=2))
    assert AvailabilityRule.objects.count() == 2


def test_rule_update_checks_overlap_with_the_others_only():
    schedule = DoctorScheduleFactory()
    morning = rules.rule_create(schedule=schedule, data=_rule())
    afternoon = rules.rule_create(schedule=schedule, data=_rule(start_time=T(13), end_time=T(17)))
    rules.rule_update(rule=morning, data={"end_time": T(12, 30), "slot_minutes": 15})
    with pytest.raises(RuleOverlap):
        rules.rule_update(rule=afternoon, data={"start_time": T(12)})
    with pytest.raises(ValidationError):
        rules.rule_update(rule=afternoon, data={"end_time": T(12)})
    with pytest.raises(ValueError, match="id"):
        rules.rule_update(rule=afternoon, data={"id": 5})
    afternoon.refresh_from_db()
    assert (afternoon.start_time, afternoon.end_time) == (T(13), T(17))
    morning.refresh_from_db()
    assert (morning.end_time, morning.slot_minutes) == (T(12, 30), 15)


def test_editing_or_deleting_a_rule_leaves_held_slots_held(berlin):
    rule = berlin.rules.get()
    hold = holds.slot_reserve(
        slot_id=slot_id(berlin, NINE), appointment_id=uuid.uuid4(), now=NOW
    ).hold
    rules.rule_update(rule=rule, data={"slot_minutes": 45})
    assert SlotHold.objects.get().pk == hold.pk
    state = selectors.slot_state(schedule=berlin, slot_id=hold.slot_id, start=NINE, now=NOW)
    assert state.hold == hold and state.end == hold.end
    rules.rule_delete(rule=rule)
    assert SlotHold.objects.get().pk == hold.pk
    assert selectors.slot_get(slot_id=hold.slot_id, now=NOW).hold == hold


# Time off


def test_time_off_create_reports_the_held_slots_it_overlaps(berlin):
    inside = SlotHoldFactory(doctor=berlin, start=NINE)
    SlotHoldFactory(doctor=berlin, start=local(WEDNESDAY, 11, 30))
    time_off, held = rules.time_off_create(
        schedule=berlin,
        start=NINE + datetime.timedelta(minutes=15),
        end=local(WEDNESDAY, 11),
        reason=" Flu ",
        now=NOW,
    )
    assert held == [inside]
    assert TimeOff.objects.get().reason == "Flu"
    assert SlotHold.objects.count() == 2  # nothing released
    rules.time_off_delete(time_off=time_off)
    assert not TimeOff.objects.exists()


def test_time_off_must_end_after_it_starts(berlin):
    with pytest.raises(ValidationError) as info:
        rules.time_off_create(schedule=berlin, start=NINE, end=NINE, now=NOW)
    assert "end" in info.value.message_dict
    assert not TimeOff.objects.exists()


def test_time_off_that_has_ended_is_refused(berlin):
    with pytest.raises(ValidationError) as info:
        rules.time_off_create(
            schedule=berlin, start=NOW - datetime.timedelta(hours=2), end=NOW, now=NOW
        )
    assert [e.code for e in info.value.error_dict["end"]] == ["time-off-ended"]
    assert not TimeOff.objects.exists()


@pytest.mark.parametrize(
    ("start", "end", "fields"),
    [
        (utc(1999, 12, 31, 23), utc(2027, 1, 7), ["start"]),
        (NOW, datetime.datetime(9999, 12, 31, 23, tzinfo=datetime.UTC), ["end"]),
        (utc(1, 1, 1), datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC), ["start", "end"]),
    ],
)
def test_time_off_outside_the_date_window_is_refused(berlin, start, end, fields):
    with pytest.raises(ValidationError) as info:
        rules.time_off_create(schedule=berlin, start=start, end=end, now=NOW)
    assert _window_codes(info) == {name: ["date-out-of-range"] for name in fields}
    assert not TimeOff.objects.exists()


def test_the_time_off_cap_counts_entries_that_have_not_ended(berlin, settings):
    settings.MAX_TIME_OFF_PER_DOCTOR = 2
    hour = datetime.timedelta(hours=1)
    TimeOffFactory(doctor=berlin, start=NOW - 2 * hour, end=NOW)  # ended: history
    TimeOffFactory(start=NOW, end=NOW + hour)  # another doctor's
    for day in range(2):
        start = NINE + datetime.timedelta(days=7 * day)
        rules.time_off_create(schedule=berlin, start=start, end=start + hour, now=NOW)
    with pytest.raises(TooManyTimeOff, match="at most 2 entries"):
        rules.time_off_create(schedule=berlin, start=NINE, end=NINE + hour, now=NOW)
    assert TimeOff.objects.filter(doctor=berlin).count() == 3
    # Once one of them has ended there is room again.
    later = NINE + 2 * hour
    rules.time_off_create(schedule=berlin, start=later, end=later + hour, now=later)
    assert TimeOff.objects.filter(doctor=berlin).count() == 4


def test_schedules_rules_and_holds_of_one_doctor_are_theirs_only(berlin):
    other = DoctorScheduleFactory()
    AvailabilityRuleFactory(doctor=other)
    assert list(selectors.rule_list(schedule=berlin)) == list(berlin.rules.all())
