"""Writes: schedules and their time zone, rules, time off, policy, reserve and release."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError

from common.errors import ServiceUnavailable
from schedule_service.scheduling import clients, holds, rules, selectors, services
from schedule_service.scheduling.exceptions import (
    DoctorProfileMissing,
    RuleOverlap,
    SlotHeldByOther,
    SlotNotFound,
    SlotTaken,
    SlotUnavailable,
    TooManyRules,
    TooManyTimeOff,
)
from schedule_service.scheduling.models import AvailabilityRule, DoctorSchedule, SlotHold, TimeOff
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


# Schedules and time zones


def test_schedule_get_or_create_takes_the_zone_from_user_service(user_service):
    doctor_id = uuid.uuid4()
    user_service.default_timezone = "Asia/Tokyo"
    schedule = services.schedule_get_or_create(doctor_id=doctor_id, now=NOW)
    assert (schedule.timezone, schedule.timezone_checked_at) == ("Asia/Tokyo", NOW)
    assert schedule.min_notice_minutes == 60
    assert schedule.horizon_days == 90
    assert schedule.buffer_minutes == 0
    assert schedule.cancel_cutoff_hours == schedule.reschedule_cutoff_hours == 24
    again = services.schedule_get_or_create(doctor_id=doctor_id, now=NOW)
    assert again.pk == schedule.pk
    assert user_service.calls == [doctor_id]


@pytest.mark.parametrize(
    ("profile", "error"),
    [
        (None, DoctorProfileMissing),
        (clients.DoctorProfile(role="patient", timezone=None), DoctorProfileMissing),
        (clients.DoctorProfile(role="doctor", timezone="Mars/Olympus"), ServiceUnavailable),
        (clients.DoctorProfile(role="doctor", timezone=None), ServiceUnavailable),
    ],
)
def test_schedule_get_or_create_needs_a_doctor_profile(user_service, profile, error):
    doctor_id = uuid.uuid4()
    user_service.profiles[doctor_id] = profile
    with pytest.raises(error):
        services.schedule_get_or_create(doctor_id=doctor_id)
    assert not DoctorSchedule.objects.exists()


def test_schedule_get_or_create_when_user_service_is_down(user_service):
    user_service.error = ServiceUnavailable()
    with pytest.raises(ServiceUnavailable):
        services.schedule_get_or_create(doctor_id=uuid.uuid4())
    assert not DoctorSchedule.objects.exists()


def test_schedule_get_or_create_loses_a_race_gracefully(monkeypatch):
    stored = DoctorScheduleFactory()
    real_find = selectors.schedule_find
    calls = []

    def find(**kwargs):
        # The first look-up misses: a concurrent first request inserts meanwhile.
        calls.append(kwargs)
        return None if len(calls) == 1 else real_find(**kwargs)

    monkeypatch.setattr(selectors, "schedule_find", find)
    assert services.schedule_get_or_create(doctor_id=stored.doctor_id).pk == stored.pk
    assert len(calls) == 2
    assert DoctorSchedule.objects.count() == 1


def test_timezone_refresh_follows_the_profile(user_service):
    schedule = DoctorScheduleFactory(timezone="Europe/Berlin", timezone_checked_at=None)
    user_service.default_timezone = "America/New_York"
    refreshed = services.schedule_timezone_refresh(schedule=schedule, now=NOW)
    assert (refreshed.timezone, refreshed.timezone_checked_at) == ("America/New_York", NOW)
    schedule.refresh_from_db()
    assert (schedule.timezone, schedule.timezone_checked_at) == ("America/New_York", NOW)


@pytest.mark.parametrize(
    "answer",
    [
        ServiceUnavailable(),
        None,
        clients.DoctorProfile(role="patient", timezone=None),
        clients.DoctorProfile(role="doctor", timezone="Not/AZone"),
    ],
)
def test_timezone_refresh_failure_keeps_the_cached_zone_and_waits_for_the_ttl(user_service, answer):
    schedule = DoctorScheduleFactory(timezone="Europe/Berlin", timezone_checked_at=None)
    if isinstance(answer, Exception):
        user_service.error = answer
    else:
        user_service.profiles[schedule.doctor_id] = answer
    refreshed = services.schedule_timezone_refresh(schedule=schedule, now=NOW)
    assert (refreshed.timezone, refreshed.timezone_checked_at) == ("Europe/Berlin", NOW)
    schedule.refresh_from_db()
    # The attempt is recorded: listings do not call user_service again until the TTL passes.
    assert (schedule.timezone, schedule.timezone_checked_at) == ("Europe/Berlin", NOW)
    assert not selectors.schedule_timezone_is_stale(schedule, now=NOW)


def test_listings_do_not_retry_a_failed_refresh_on_every_request(user_service):
    schedule = DoctorScheduleFactory(timezone="Europe/Berlin", timezone_checked_at=None)
    user_service.error = ServiceUnavailable()
    for _ in range(3):
        services.schedule_find_fresh(doctor_id=schedule.doctor_id, now=NOW)
    assert user_service.calls == [schedule.doctor_id]


def test_schedule_for_doctor_refreshes_on_writes_and_stale_reads(user_service, settings):
    settings.DOCTOR_TIMEZONE_TTL_SECONDS = 300
    schedule = DoctorScheduleFactory(timezone_checked_at=NOW)
    services.schedule_for_doctor(doctor_id=schedule.doctor_id, write=False, now=NOW)
    assert user_service.calls == []  # fresh
    services.schedule_for_doctor(doctor_id=schedule.doctor_id, write=True, now=NOW)
    assert user_service.calls == [schedule.doctor_id]  # every write
    later = NOW + datetime.timedelta(seconds=301)
    services.schedule_for_doctor(doctor_id=schedule.doctor_id, write=False, now=later)
    assert len(user_service.calls) == 2  # stale read


def test_schedule_for_doctor_makes_the_schedule_on_first_use(user_service):
    doctor_id = uuid.uuid4()
    schedule = services.schedule_for_doctor(doctor_id=doctor_id, write=False)
    assert schedule.doctor_id == doctor_id
    assert user_service.calls == [doctor_id]


def test_schedule_find_fresh(user_service):
    assert services.schedule_find_fresh(doctor_id=uuid.uuid4()) is None
    fresh = DoctorScheduleFactory(timezone_checked_at=NOW)
    assert services.schedule_find_fresh(doctor_id=fresh.doctor_id, now=NOW).pk == fresh.pk
    assert user_service.calls == []
    stale = DoctorScheduleFactory(timezone_checked_at=None, timezone="Asia/Tokyo")
    assert services.schedule_find_fresh(doctor_id=stale.doctor_id).timezone == "Europe/Berlin"
    assert user_service.calls == [stale.doctor_id]


def test_schedule_upsert_local(user_service):
    doctor_id = uuid.uuid4()
    schedule, created = services.schedule_upsert_local(doctor_id=doctor_id, timezone="Asia/Tokyo")
    assert created and schedule.timezone_checked_at is None
    same, created = services.schedule_upsert_local(doctor_id=doctor_id, timezone="Asia/Tokyo")
    assert (same.pk, created) == (schedule.pk, False)
    moved, _ = services.schedule_upsert_local(doctor_id=doctor_id, timezone="Europe/Rome")
    assert DoctorSchedule.objects.get().timezone == moved.timezone == "Europe/Rome"
    with pytest.raises(ValidationError):
        services.schedule_upsert_local(doctor_id=uuid.uuid4(), timezone="Nowhere")
    assert user_service.calls == []


# Policy


def test_policy_update_changes_only_the_given_fields():
    schedule = DoctorScheduleFactory()
    updated = services.policy_update(
        schedule=schedule, data={"buffer_minutes": 15, "cancel_cutoff_hours": 48}
    )
    stored = DoctorSchedule.objects.get()
    assert (stored.buffer_minutes, stored.cancel_cutoff_hours) == (15, 48)
    assert (updated.min_notice_minutes, stored.horizon_days) == (60, 90)


@pytest.mark.parametrize(
    "data",
    [
        {"min_notice_minutes": 10081},
        {"horizon_days": 0},
        {"horizon_days": 366},
        {"buffer_minutes": 241},
        {"cancel_cutoff_hours": 721},
        {"reschedule_cutoff_hours": -1},
    ],
)
def test_policy_update_refuses_out_of_range_values(data):
    schedule = DoctorScheduleFactory()
    with pytest.raises(ValidationError):
        services.policy_update(schedule=schedule, data={"buffer_minutes": 5, **data})
    schedule.refresh_from_db()
    assert schedule.buffer_minutes == 0


def test_policy_update_refuses_other_fields():
    with pytest.raises(ValueError, match="timezone"):
        services.policy_update(schedule=DoctorScheduleFactory(), data={"timezone": "UTC"})


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


# Reserve


def test_reserve_holds_the_slot_and_carries_the_cut_offs(berlin):
    berlin.cancel_cutoff_hours, berlin.reschedule_cutoff_hours = 12, 6
    berlin.save()
    appointment = uuid.uuid4()
    reservation = holds.slot_reserve(
        slot_id=slot_id(berlin, NINE), appointment_id=appointment, now=NOW
    )
    hold = SlotHold.objects.get()
    assert reservation.hold == hold
    assert (hold.start, hold.end, hold.blocked_until) == (
        NINE,
        NINE + datetime.timedelta(minutes=30),
        NINE + datetime.timedelta(minutes=30),
    )
    assert (hold.appointment_id, hold.doctor_id) == (appointment, berlin.pk)
    assert (reservation.doctor_id, reservation.cancel_cutoff_hours) == (berlin.doctor_id, 12)
    assert reservation.reschedule_cutoff_hours == 6


def test_reserve_is_idempotent_for_the_same_appointment(berlin):
    appointment = uuid.uuid4()
    first = holds.slot_reserve(slot_id=slot_id(berlin, NINE), appointment_id=appointment, now=NOW)
    # Even once the slot is inside the notice window: the appointment already holds it.
    late = NINE - datetime.timedelta(minutes=10)
    again = holds.slot_reserve(slot_id=slot_id(berlin, NINE), appointment_id=appointment, now=late)
    assert again.hold == first.hold
    assert SlotHold.objects.count() == 1


def test_reserve_of_a_held_slot_by_another_appointment_is_taken(berlin):
    holds.slot_reserve(slot_id=slot_id(berlin, NINE), appointment_id=uuid.uuid4(), now=NOW)
    with pytest.raises(SlotTaken):
        holds.slot_reserve(slot_id=slot_id(berlin, NINE), appointment_id=uuid.uuid4(), now=NOW)
    assert SlotHold.objects.count() == 1


def test_reserve_respects_the_buffer_of_neighbours(berlin):
    berlin.buffer_minutes = 10
    berlin.save()
    half_past = local(WEDNESDAY, 9, 30)
    holds.slot_reserve(slot_id=slot_id(berlin, half_past), appointment_id=uuid.uuid4(), now=NOW)
    assert SlotHold.objects.get().blocked_until == local(WEDNESDAY, 10, 10)
    # 09:00 would block until 09:40; 10:00 starts inside the held slot's buffer.
    for start in (NINE, local(WEDNESDAY, 10)):
        with pytest.raises(SlotTaken):
            holds.slot_reserve(slot_id=slot_id(berlin, start), appointment_id=uuid.uuid4(), now=NOW)
    holds.slot_reserve(
        slot_id=slot_id(berlin, local(WEDNESDAY, 10, 30)), appointment_id=uuid.uuid4(), now=NOW
    )
    assert SlotHold.objects.count() == 2


def test_one_appointment_may_hold_a_neighbour_inside_its_own_buffer(berlin):
    """Rescheduling to the next slot: the new hold is taken before the old one is let go."""
    berlin.buffer_minutes = 10
    berlin.save()
    appointment = uuid.uuid4()
    holds.slot_reserve(slot_id=slot_id(berlin, NINE), appointment_id=appointment, now=NOW)
    half_past = slot_id(berlin, local(WEDNESDAY, 9, 30))
    holds.slot_reserve(slot_id=half_past, appointment_id=appointment, now=NOW)
    assert SlotHold.objects.filter(appointment_id=appointment).count() == 2
    with pytest.raises(SlotTaken):  # another appointment still respects both buffers
        holds.slot_reserve(
            slot_id=slot_id(berlin, local(WEDNESDAY, 10)), appointment_id=uuid.uuid4(), now=NOW
        )


@pytest.mark.parametrize(
    ("start", "now", "setup"),
    [
        (NINE, NINE + datetime.timedelta(hours=1), None),  # past
        (NINE, NINE - datetime.timedelta(minutes=59), None),  # inside the 60-minute notice
        (NINE, NINE - datetime.timedelta(days=90, minutes=1), None),  # beyond the horizon
        (local(WEDNESDAY, 9, 15), NOW, None),  # not on the grid
        (local(WEDNESDAY, 12), NOW, None),  # after the rule's end
        (local(WEDNESDAY + datetime.timedelta(days=1), 9), NOW, None),  # Thursday: no rule
        (NINE, NOW, "time_off"),
        (NINE, NOW, "rule_gone"),
    ],
)
def test_reserve_of_an_unavailable_slot(berlin, start, now, setup):
    if setup == "time_off":
        rules.time_off_create(
            schedule=berlin,
            start=NINE - datetime.timedelta(hours=1),
            end=NINE + datetime.timedelta(minutes=1),
            now=NOW,
        )
    if setup == "rule_gone":
        berlin.rules.all().delete()
    with pytest.raises(SlotUnavailable):
        holds.slot_reserve(slot_id=slot_id(berlin, start), appointment_id=uuid.uuid4(), now=now)
    assert not SlotHold.objects.exists()


def test_reserve_at_the_edges_of_notice_and_horizon(berlin):
    holds.slot_reserve(
        slot_id=slot_id(berlin, NINE),
        appointment_id=uuid.uuid4(),
        now=NINE - datetime.timedelta(minutes=60),
    )
    holds.slot_reserve(
        slot_id=slot_id(berlin, local(WEDNESDAY, 10)),
        appointment_id=uuid.uuid4(),
        now=local(WEDNESDAY, 10) - datetime.timedelta(days=90),
    )
    assert SlotHold.objects.count() == 2


@pytest.mark.parametrize(
    "bad_id",
    [
        uuid.uuid4(),  # not a version 8 id
        "unknown-doctor",
        "other-doctor",
    ],
)
def test_reserve_of_an_id_that_is_no_slot(berlin, bad_id):
    if bad_id == "unknown-doctor":
        bad_id = slot_id(DoctorSchedule(pk=berlin.pk + 100, doctor_id=uuid.uuid4()), NINE)
    elif bad_id == "other-doctor":  # right number, someone else's doctor id: the check fails
        bad_id = slot_id(DoctorSchedule(pk=berlin.pk, doctor_id=uuid.uuid4()), NINE)
    with pytest.raises(SlotNotFound):
        holds.slot_reserve(slot_id=bad_id, appointment_id=uuid.uuid4(), now=NOW)
    assert not SlotHold.objects.exists()


def test_reserve_refreshes_a_stale_time_zone_first(berlin, user_service):
    berlin.timezone_checked_at = None
    berlin.save()
    user_service.default_timezone = "UTC"  # the doctor moved: 09:00 is now 09:00Z
    with pytest.raises(SlotUnavailable):
        holds.slot_reserve(slot_id=slot_id(berlin, NINE), appointment_id=uuid.uuid4(), now=NOW)
    nine_utc = utc(2027, 1, 6, 9)
    holds.slot_reserve(slot_id=slot_id(berlin, nine_utc), appointment_id=uuid.uuid4(), now=NOW)
    assert DoctorSchedule.objects.get().timezone == "UTC"


def test_reserve_keeps_the_cached_zone_when_user_service_is_down(berlin, user_service):
    berlin.timezone_checked_at = None
    berlin.save()
    user_service.error = ServiceUnavailable()
    holds.slot_reserve(slot_id=slot_id(berlin, NINE), appointment_id=uuid.uuid4(), now=NOW)
    assert SlotHold.objects.count() == 1


@pytest.mark.parametrize("same_appointment", [True, False])
def test_reserve_lets_the_database_decide_a_race(berlin, monkeypatch, same_appointment):
    """The pre-check saw a free slot, but a concurrent reservation committed first."""
    winner = uuid.uuid4()
    holds.slot_reserve(slot_id=slot_id(berlin, NINE), appointment_id=winner, now=NOW)
    real_state = selectors.slot_state

    def stale_state(**kwargs):
        state = real_state(**kwargs)
        return selectors.SlotState(
            id=state.id,
            schedule=state.schedule,
            start=state.start,
            end=state.end,
            hold=None,
            refusal=None,
        )

    monkeypatch.setattr(selectors, "slot_state", stale_state)
    appointment = winner if same_appointment else uuid.uuid4()
    if same_appointment:
        reservation = holds.slot_reserve(
            slot_id=slot_id(berlin, NINE), appointment_id=appointment, now=NOW
        )
        assert reservation.hold.appointment_id == winner
    else:
        with pytest.raises(SlotTaken):
            holds.slot_reserve(slot_id=slot_id(berlin, NINE), appointment_id=appointment, now=NOW)
    assert SlotHold.objects.count() == 1


# Release


def test_release_frees_the_slot(berlin):
    appointment = uuid.uuid4()
    holds.slot_reserve(slot_id=slot_id(berlin, NINE), appointment_id=appointment, now=NOW)
    holds.slot_release(slot_id=slot_id(berlin, NINE), appointment_id=appointment)
    assert not SlotHold.objects.exists()
    # Idempotent: releasing again is fine, and the slot is bookable again at once.
    holds.slot_release(slot_id=slot_id(berlin, NINE), appointment_id=appointment)
    holds.slot_reserve(slot_id=slot_id(berlin, NINE), appointment_id=uuid.uuid4(), now=NOW)


def test_release_by_another_appointment_changes_nothing(berlin):
    holds.slot_reserve(slot_id=slot_id(berlin, NINE), appointment_id=uuid.uuid4(), now=NOW)
    with pytest.raises(SlotHeldByOther):
        holds.slot_release(slot_id=slot_id(berlin, NINE), appointment_id=uuid.uuid4())
    assert SlotHold.objects.count() == 1


def test_release_of_an_id_that_is_no_slot(berlin):
    with pytest.raises(SlotNotFound):
        holds.slot_release(slot_id=uuid.uuid4(), appointment_id=uuid.uuid4())


def test_schedules_rules_and_holds_of_one_doctor_are_theirs_only(berlin):
    other = DoctorScheduleFactory()
    AvailabilityRuleFactory(doctor=other)
    assert list(selectors.rule_list(schedule=berlin)) == list(berlin.rules.all())
