"""Admin writes: clinic-admins change rules, time off and policy through the API's services only."""

import datetime

import pytest
from django.utils import timezone as dj_timezone

from schedule_service.scheduling import rules, services
from schedule_service.scheduling.models import AvailabilityRule, DoctorSchedule, SlotHold, TimeOff
from schedule_service.scheduling.tests.factories import (
    AvailabilityRuleFactory,
    DoctorScheduleFactory,
    SlotHoldFactory,
    TimeOffFactory,
)

pytestmark = pytest.mark.django_db

RULES = "/admin/scheduling/availabilityrule/"
TIME_OFF = "/admin/scheduling/timeoff/"
SCHEDULES = "/admin/scheduling/doctorschedule/"
HOLDS = "/admin/scheduling/slothold/"
HOUR = datetime.timedelta(hours=1)


def rule_form(schedule, **changes):
    return {
        "doctor": schedule.pk,
        "weekday": 0,
        "start_time": "09:00",
        "end_time": "12:00",
        "slot_minutes": 30,
        "valid_from": "",
        "valid_until": "",
        **changes,
    }


def time_off_form(schedule, start, end, reason="Congress"):
    return {
        "doctor": schedule.pk,
        "start_0": f"{start:%Y-%m-%d}",
        "start_1": f"{start:%H:%M:%S}",
        "end_0": f"{end:%Y-%m-%d}",
        "end_1": f"{end:%H:%M:%S}",
        "reason": reason,
    }


def policy_form(schedule, **changes):
    return {
        "min_notice_minutes": schedule.min_notice_minutes,
        "horizon_days": schedule.horizon_days,
        "buffer_minutes": schedule.buffer_minutes,
        "cancel_cutoff_hours": schedule.cancel_cutoff_hours,
        "reschedule_cutoff_hours": schedule.reschedule_cutoff_hours,
        **changes,
    }


def form_errors(response) -> dict[str, list[str]]:
    """The errors of the admin form a refused POST shows again (200, not a redirect)."""
    assert response.status_code == 200, response.status_code
    return {
        name: list(errors) for name, errors in response.context["adminform"].form.errors.items()
    }


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def rows(model) -> list[tuple]:
    return list(model.objects.order_by("pk").values_list())


def soon() -> datetime.datetime:
    return (dj_timezone.now() + datetime.timedelta(days=3)).replace(
        minute=0, second=0, microsecond=0
    )


@pytest.fixture
def schedule():
    return DoctorScheduleFactory()


# Rules


def test_a_clinic_admin_adds_a_rule(admin_client, schedule):
    response = admin_client.post(f"{RULES}add/", rule_form(schedule, valid_from="2027-01-04"))

    assert response.status_code == 302
    rule = AvailabilityRule.objects.get()
    assert (rule.doctor, rule.weekday, rule.start_time, rule.end_time, rule.slot_minutes) == (
        schedule,
        0,
        datetime.time(9),
        datetime.time(12),
        30,
    )
    assert rule.valid_from == datetime.date(2027, 1, 4)


def test_an_overlapping_rule_is_refused_with_the_apis_message(admin_client, schedule):
    existing = AvailabilityRuleFactory(doctor=schedule, weekday=0)
    before = rows(AvailabilityRule)

    response = admin_client.post(
        f"{RULES}add/", rule_form(schedule, start_time="11:00", end_time="13:00")
    )

    assert form_errors(response) == {
        "start_time": [f"It overlaps your rule {existing.pk} ({existing}) on some date."]
    }
    assert rows(AvailabilityRule) == before


def test_a_rule_past_the_cap_is_refused(admin_client, schedule, monkeypatch):
    monkeypatch.setattr(rules, "MAX_RULES_PER_DOCTOR", 1)
    AvailabilityRuleFactory(doctor=schedule, weekday=3)
    before = rows(AvailabilityRule)

    response = admin_client.post(f"{RULES}add/", rule_form(schedule))

    assert form_errors(response) == {"__all__": ["A schedule holds at most 1 availability rules."]}
    assert rows(AvailabilityRule) == before


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"valid_from": "1999-12-31"}, "valid_from", "Give a date from 2000-01-01 to "),
        ({"valid_until": "9999-12-31"}, "valid_until", "Give a date from 2000-01-01 to "),
        ({"end_time": "08:00"}, "end_time", "The end must be after the start."),
        ({"slot_minutes": 4}, "slot_minutes", "Ensure this value is greater than or equal to 5."),
        (
            {"valid_from": "2027-02-01", "valid_until": "2027-01-31"},
            "valid_until",
            "The last date must not be before the first.",
        ),
    ],
)
def test_a_rule_the_api_refuses_is_refused(admin_client, schedule, changes, field, message):
    response = admin_client.post(f"{RULES}add/", rule_form(schedule, **changes))

    errors = form_errors(response)
    assert list(errors) == [field]
    assert errors[field][0].startswith(message)
    assert not AvailabilityRule.objects.exists()


def test_a_clinic_admin_changes_a_rule_but_not_its_doctor(admin_client, schedule):
    rule = AvailabilityRuleFactory(doctor=schedule, weekday=0)
    other = DoctorScheduleFactory()

    page = admin_client.get(f"{RULES}{rule.pk}/change/").content.decode()
    response = admin_client.post(
        f"{RULES}{rule.pk}/change/",
        rule_form(other, end_time="13:00", slot_minutes=20, valid_until="2027-06-30"),
    )

    unchanged = admin_client.post(
        f"{RULES}{rule.pk}/change/",
        rule_form(schedule, end_time="13:00", slot_minutes=20, valid_until="2027-06-30"),
    )
    assert 'name="doctor"' not in page
    assert 'name="end_time"' in page
    assert (response.status_code, unchanged.status_code) == (302, 302)
    rule.refresh_from_db()
    assert (rule.doctor, rule.end_time, rule.slot_minutes, rule.valid_until) == (
        schedule,
        datetime.time(13),
        20,
        datetime.date(2027, 6, 30),
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"start_time": "12:30", "end_time": "14:00"}, "start_time"),
        ({"valid_until": "9999-12-31"}, "valid_until"),
        ({"start_time": "13:00", "end_time": "12:00"}, "end_time"),
    ],
)
def test_a_refused_rule_change_changes_nothing(admin_client, schedule, changes, field):
    AvailabilityRuleFactory(
        doctor=schedule, weekday=0, start_time=datetime.time(13), end_time=datetime.time(17)
    )
    rule = AvailabilityRuleFactory(doctor=schedule, weekday=0, end_time=datetime.time(12))
    before = rows(AvailabilityRule)

    response = admin_client.post(f"{RULES}{rule.pk}/change/", rule_form(schedule, **changes))

    assert list(form_errors(response)) == [field]
    assert rows(AvailabilityRule) == before


def test_deleting_rules_goes_through_the_service_and_keeps_holds(
    admin_client, schedule, monkeypatch
):
    deleted = []
    real_delete = rules.rule_delete

    def spy(*, rule):
        deleted.append(rule.pk)
        real_delete(rule=rule)

    monkeypatch.setattr(rules, "rule_delete", spy)
    one, two, three = (AvailabilityRuleFactory(doctor=schedule, weekday=day) for day in (0, 1, 2))
    hold = SlotHoldFactory(doctor=schedule)
    held = rows(SlotHold)

    single = admin_client.post(f"{RULES}{one.pk}/delete/", {"post": "yes"})
    bulk = admin_client.post(
        RULES,
        {"action": "delete_selected", "_selected_action": [two.pk, three.pk], "post": "yes"},
    )

    assert (single.status_code, bulk.status_code) == (302, 302)
    assert sorted(deleted) == sorted([one.pk, two.pk, three.pk])
    assert not AvailabilityRule.objects.exists()
    assert rows(SlotHold) == held
    assert SlotHold.objects.get().pk == hold.pk


# Time off


def test_a_clinic_admin_adds_time_off(admin_client, schedule):
    start = soon()

    response = admin_client.post(f"{TIME_OFF}add/", time_off_form(schedule, start, start + HOUR))

    assert response.status_code == 302
    time_off = TimeOff.objects.get()
    assert (time_off.doctor, time_off.start, time_off.end, time_off.reason) == (
        schedule,
        start,
        start + HOUR,
        "Congress",
    )


def test_time_off_over_held_slots_lists_them_and_releases_none(admin_client, schedule):
    start = soon()
    first = SlotHoldFactory(doctor=schedule, start=start + HOUR)
    second = SlotHoldFactory(doctor=schedule, start=start + 3 * HOUR)
    SlotHoldFactory(doctor=schedule, start=start + 10 * HOUR)  # after the time off
    held = rows(SlotHold)

    response = admin_client.post(
        f"{TIME_OFF}add/", time_off_form(schedule, start, start + 5 * HOUR), follow=True
    )

    assert response.status_code == 200
    assert TimeOff.objects.count() == 1
    (message,) = [text for text in messages_of(response) if text.startswith("This time off")]
    spans = [
        f"{hold.start:%Y-%m-%d %H:%M}-{hold.end:%H:%M} UTC (appointment {hold.appointment_id})"
        for hold in (first, second)
    ]
    assert message == (
        "This time off covers 2 held slot(s). They stay held until their appointments are "
        f"moved: {spans[0]}; {spans[1]}."
    )
    assert rows(SlotHold) == held


def test_the_held_slots_message_names_the_first_twenty():
    from schedule_service.scheduling.admin import held_slots_message

    schedule = DoctorScheduleFactory()
    start = datetime.datetime(2027, 1, 4, 23, 45, tzinfo=datetime.UTC)
    holds = [
        SlotHold(
            doctor=schedule,
            start=start + day * datetime.timedelta(days=1),
            end=start + day * datetime.timedelta(days=1) + HOUR,
            appointment_id="5d0b7c4e-8a1f-4e2b-9c3d-6f7a8b9c0d1e",
        )
        for day in range(22)
    ]

    message = held_slots_message(holds)

    assert message.startswith("This time off covers 22 held slot(s).")
    assert "2027-01-04 23:45-2027-01-05 00:45 UTC" in message
    assert message.count("(appointment ") == 20
    assert message.endswith("; and 2 more.")


def test_time_off_that_has_ended_is_refused(admin_client, schedule):
    end = dj_timezone.now().replace(microsecond=0) - HOUR

    response = admin_client.post(f"{TIME_OFF}add/", time_off_form(schedule, end - HOUR, end))

    assert form_errors(response) == {"end": ["This time off has already ended."]}
    assert not TimeOff.objects.exists()


def test_time_off_past_the_cap_is_refused(admin_client, schedule, settings):
    settings.MAX_TIME_OFF_PER_DOCTOR = 1
    TimeOffFactory(doctor=schedule)
    before = rows(TimeOff)
    start = soon() + datetime.timedelta(days=7)

    response = admin_client.post(f"{TIME_OFF}add/", time_off_form(schedule, start, start + HOUR))

    assert form_errors(response) == {
        "__all__": [
            "A schedule holds at most 1 entries of time off that have not ended; remove one "
            "before adding another."
        ]
    }
    assert rows(TimeOff) == before


@pytest.mark.parametrize(
    ("start", "end", "fields"),
    [
        (
            datetime.datetime(1999, 12, 31, 22, tzinfo=datetime.UTC),
            datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC),
            ["start", "end"],
        ),
        (None, datetime.datetime(9999, 12, 31, 22, tzinfo=datetime.UTC), ["end"]),
    ],
)
def test_time_off_outside_the_date_window_is_refused(admin_client, schedule, start, end, fields):
    response = admin_client.post(f"{TIME_OFF}add/", time_off_form(schedule, start or soon(), end))

    errors = form_errors(response)
    assert sorted(errors) == sorted(fields)
    assert all(e[0].startswith("Give a date from 2000-01-01 to ") for e in errors.values())
    assert not TimeOff.objects.exists()


def test_time_off_is_never_edited_only_deleted_through_the_service(
    admin_client, schedule, monkeypatch
):
    deleted = []
    real_delete = rules.time_off_delete

    def spy(*, time_off):
        deleted.append(time_off.pk)
        real_delete(time_off=time_off)

    monkeypatch.setattr(rules, "time_off_delete", spy)
    one, two = TimeOffFactory(doctor=schedule), TimeOffFactory(doctor=schedule)
    start = soon()
    before = rows(TimeOff)

    page = admin_client.get(f"{TIME_OFF}{one.pk}/change/").content.decode()
    edited = admin_client.post(
        f"{TIME_OFF}{one.pk}/change/", time_off_form(schedule, start, start + HOUR, "Moved")
    )
    assert 'name="start_0"' not in page
    assert f"{TIME_OFF}{one.pk}/delete/" in page
    assert edited.status_code == 403
    assert rows(TimeOff) == before

    single = admin_client.post(f"{TIME_OFF}{one.pk}/delete/", {"post": "yes"})
    bulk = admin_client.post(
        TIME_OFF, {"action": "delete_selected", "_selected_action": [two.pk], "post": "yes"}
    )

    assert (single.status_code, bulk.status_code) == (302, 302)
    assert sorted(deleted) == sorted([one.pk, two.pk])
    assert not TimeOff.objects.exists()


# Booking policy


def test_a_clinic_admin_changes_the_policy_and_nothing_else(admin_client, schedule):
    doctor_id, zone = schedule.doctor_id, schedule.timezone
    data = policy_form(schedule, min_notice_minutes=120, buffer_minutes=10)
    data |= {"doctor_id": "0b8f5a7e-3c1d-4a8e-9f6b-2d4c6e8a0b1c", "timezone": "Asia/Tokyo"}
    data |= {"doctor_approved": "", "horizon_days": 30}

    page = admin_client.get(f"{SCHEDULES}{schedule.pk}/change/").content.decode()
    response = admin_client.post(f"{SCHEDULES}{schedule.pk}/change/", data)

    for name in ("doctor_id", "timezone", "doctor_approved"):
        assert f'name="{name}"' not in page
    assert 'name="buffer_minutes"' in page
    assert response.status_code == 302
    schedule.refresh_from_db()
    assert (schedule.doctor_id, schedule.timezone, schedule.doctor_approved) == (
        doctor_id,
        zone,
        True,
    )
    assert (schedule.min_notice_minutes, schedule.buffer_minutes, schedule.horizon_days) == (
        120,
        10,
        30,
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [("buffer_minutes", 241), ("horizon_days", 0), ("cancel_cutoff_hours", 721)],
)
def test_a_policy_out_of_range_is_refused(admin_client, schedule, field, value):
    before = rows(DoctorSchedule)

    response = admin_client.post(
        f"{SCHEDULES}{schedule.pk}/change/", policy_form(schedule, **{field: value})
    )

    assert list(form_errors(response)) == [field]
    assert rows(DoctorSchedule) == before


def test_a_policy_change_goes_through_the_service(admin_client, schedule, monkeypatch):
    calls = []
    monkeypatch.setattr(
        services, "policy_update", lambda *, schedule, data: calls.append(data) or schedule
    )

    unchanged = admin_client.post(f"{SCHEDULES}{schedule.pk}/change/", policy_form(schedule))
    changed = admin_client.post(
        f"{SCHEDULES}{schedule.pk}/change/", policy_form(schedule, reschedule_cutoff_hours=2)
    )

    assert (unchanged.status_code, changed.status_code) == (302, 302)
    assert calls == [{"reschedule_cutoff_hours": 2}]


def test_a_form_that_is_not_valid_saves_nothing(schedule):
    from schedule_service.scheduling.admin import PolicyForm

    form = PolicyForm(data={}, instance=schedule)

    assert not form.is_valid()
    with pytest.raises(ValueError, match="Only a valid form is saved"):
        form.save()


def test_schedules_are_never_added_or_deleted_in_the_admin(admin_client, schedule):
    SlotHoldFactory(doctor=schedule)
    before = rows(DoctorSchedule), rows(SlotHold)

    assert admin_client.get(f"{SCHEDULES}add/").status_code == 403
    assert admin_client.post(f"{SCHEDULES}{schedule.pk}/delete/", {"post": "yes"}).status_code == (
        403
    )
    bulk = admin_client.post(
        SCHEDULES, {"action": "delete_selected", "_selected_action": [schedule.pk], "post": "yes"}
    )
    assert bulk.status_code in (200, 302)
    assert (rows(DoctorSchedule), rows(SlotHold)) == before


# Holds


def test_holds_are_read_only_even_for_a_clinic_admin(admin_client, schedule):
    hold = SlotHoldFactory(doctor=schedule)
    other = DoctorScheduleFactory()
    before = rows(SlotHold)

    page = admin_client.get(f"{HOLDS}{hold.pk}/change/").content.decode()
    listing = admin_client.get(HOLDS).content.decode()
    changed = admin_client.post(
        f"{HOLDS}{hold.pk}/change/",
        {
            "slot_id": "0b8f5a7e-3c1d-4a8e-9f6b-2d4c6e8a0b1c",
            "doctor": other.pk,
            "start_0": "2030-01-01",
            "start_1": "09:00:00",
            "appointment_id": "0b8f5a7e-3c1d-4a8e-9f6b-2d4c6e8a0b1c",
        },
    )
    added = admin_client.get(f"{HOLDS}add/")
    deleted = admin_client.post(f"{HOLDS}{hold.pk}/delete/", {"post": "yes"})
    bulk = admin_client.post(
        HOLDS, {"action": "delete_selected", "_selected_action": [hold.pk], "post": "yes"}
    )

    for name in ("slot_id", "doctor", "start", "end", "blocked_until", "appointment_id"):
        assert f'name="{name}' not in page
    assert 'name="_save"' not in page
    assert f"{HOLDS}add/" not in listing
    assert "delete_selected" not in listing
    assert (changed.status_code, added.status_code, deleted.status_code) == (403, 403, 403)
    assert bulk.status_code in (200, 302)
    assert rows(SlotHold) == before


# Who may write


@pytest.mark.parametrize("group", ["front-desk", "read-only"])
def test_only_clinic_admins_change_rules_time_off_and_policy(staff_admin_client, schedule, group):
    client = staff_admin_client(group)
    rule = AvailabilityRuleFactory(doctor=schedule, weekday=0)
    time_off = TimeOffFactory(doctor=schedule)
    start = soon()
    before = rows(AvailabilityRule), rows(TimeOff), rows(DoctorSchedule)

    for url in (RULES, TIME_OFF, SCHEDULES):
        listing = client.get(url)
        assert listing.status_code == 200
        assert f"{url}add/" not in listing.content.decode()
        assert "delete_selected" not in listing.content.decode()
    for url in (f"{RULES}{rule.pk}/change/", f"{TIME_OFF}{time_off.pk}/change/"):
        page = client.get(url)
        assert page.status_code == 200
        assert 'name="_save"' not in page.content.decode()
        assert "/delete/" not in page.content.decode()
    page = client.get(f"{SCHEDULES}{schedule.pk}/change/").content.decode()
    assert 'name="_save"' not in page
    assert 'name="buffer_minutes"' not in page

    refused = [
        client.get(f"{RULES}add/"),
        client.get(f"{TIME_OFF}add/"),
        client.post(f"{RULES}add/", rule_form(schedule, weekday=1)),
        client.post(f"{TIME_OFF}add/", time_off_form(schedule, start, start + HOUR)),
        client.post(f"{RULES}{rule.pk}/change/", rule_form(schedule, end_time="13:00")),
        client.post(f"{RULES}{rule.pk}/delete/", {"post": "yes"}),
        client.post(f"{TIME_OFF}{time_off.pk}/delete/", {"post": "yes"}),
        client.post(f"{SCHEDULES}{schedule.pk}/change/", policy_form(schedule, buffer_minutes=5)),
    ]
    assert [response.status_code for response in refused] == [403] * len(refused)
    bulk = client.post(
        RULES, {"action": "delete_selected", "_selected_action": [rule.pk], "post": "yes"}
    )
    assert bulk.status_code in (200, 302)
    assert (rows(AvailabilityRule), rows(TimeOff), rows(DoctorSchedule)) == before


def test_a_clinic_admin_gets_the_add_and_change_buttons(staff_admin_client, schedule):
    client = staff_admin_client("clinic-admin")
    rule = AvailabilityRuleFactory(doctor=schedule)

    for url in (RULES, TIME_OFF):
        assert f"{url}add/" in client.get(url).content.decode()
        assert client.get(f"{url}add/").status_code == 200
    for url in (f"{RULES}{rule.pk}/change/", f"{SCHEDULES}{schedule.pk}/change/"):
        assert 'name="_save"' in client.get(url).content.decode()
