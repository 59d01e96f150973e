"""The front desk in the admin: book for a patient, reschedule, cancel, mark; the clinic's day."""

import datetime
import re
import uuid
import zoneinfo

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from appointment_service.appointments.models import (
    Appointment,
    AppointmentEvent,
    AppointmentState,
    EventAction,
    IdempotencyKey,
)
from appointment_service.appointments.tests.factories import AppointmentFactory
from appointment_service.appointments.tests.fakes import (
    assert_no_orphans,
    hold_for_someone_else,
)

pytestmark = pytest.mark.django_db

BOOK = "/admin/appointments/appointment/book/"
DAY = "/admin/appointments/appointment/day/"
CHANGELIST = "/admin/appointments/appointment/"
LONDON = zoneinfo.ZoneInfo("Europe/London")


def _change(appointment) -> str:
    return f"/admin/appointments/appointment/{appointment.pk}/change/"


def _reschedule(appointment) -> str:
    return f"/admin/appointments/appointment/{appointment.pk}/reschedule/"


def _cancel(appointment) -> str:
    return f"/admin/appointments/appointment/{appointment.pk}/cancel/"


def _mark(appointment) -> str:
    return f"/admin/appointments/appointment/{appointment.pk}/mark/"


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _state() -> list[tuple]:
    """Every appointment, event and stored key: to show that a refusal changed nothing."""
    return [
        *Appointment.objects.order_by("id").values_list(
            "id", "state", "slot_id", "start", "reschedule_count", "late_cancellation"
        ),
        *AppointmentEvent.objects.order_by("id").values_list("id", "action", "data"),
        *IdempotencyKey.objects.order_by("id").values_list("key", "response_status"),
    ]


@pytest.fixture
def desk(staff_admin_client):
    return staff_admin_client("front-desk")


@pytest.fixture
def reader(staff_admin_client):
    return staff_admin_client("read-only")


@pytest.fixture
def ben(directory):
    return directory.patient(full_name="Ben Okafor")


@pytest.fixture
def weber(directory, doctor_id):
    return directory.doctor(doctor_id, full_name="Dr. Lena Weber")


def _stored_key(response) -> str:
    """The stored idempotency key of the booking form ``response`` answered."""
    return f"admin:{response.wsgi_request.POST['key']}"


def _form_key(response) -> str:
    return re.search(r'name="key" value="([^"]+)"', response.content.decode()).group(1)


def _book(client, patient, doctor, slot, *, key=None, reason="Chest pain", **extra):
    return client.post(
        BOOK,
        {
            "patient": patient.id,
            "doctor": doctor.id,
            "slot": slot.id,
            "key": key or uuid.uuid4().hex,
            "reason": reason,
            **extra,
        },
    )


# Who may do what --------------------------------------------------------------------------


def test_read_only_staff_may_look_but_book_or_change_nothing(
    reader, schedule, directory, ben, weber, doctor_id
):
    appointment = AppointmentFactory(doctor_id=doctor_id, patient_id=ben.id)
    slot = schedule.add_slot(doctor_id=doctor_id)
    before = _state()

    assert reader.get(BOOK).status_code == 403
    assert _book(reader, ben, weber, slot).status_code == 403
    assert reader.get(_reschedule(appointment)).status_code == 403
    assert reader.post(_reschedule(appointment), {"slot": slot.id}).status_code == 403
    assert reader.post(_cancel(appointment), {"reason": "x"}).status_code == 403
    assert reader.post(_mark(appointment), {"outcome": "no_show"}).status_code == 403

    assert _state() == before
    assert schedule.calls == []
    page = reader.get(_change(appointment)).content.decode()
    assert _reschedule(appointment) not in page and _cancel(appointment) not in page
    assert "Mark no-show" not in page
    changelist = reader.get(CHANGELIST).content.decode()
    assert BOOK not in changelist and DAY in changelist
    assert reader.get(DAY).status_code == 200


def test_the_front_desk_finds_its_pages_from_the_index_and_the_changelist(desk):
    for url in ("/admin/", CHANGELIST):
        page = desk.get(url).content.decode()
        assert f'href="{BOOK}"' in page and f'href="{DAY}"' in page


def test_signed_out_people_are_sent_to_the_login(client):
    for url in (BOOK, DAY):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


# Book for a patient ------------------------------------------------------------------------


def test_step_one_finds_the_patient_by_name(desk, directory, ben):
    directory.patient(full_name="Ana Lima")
    directory.doctor(full_name="Ben Okafor")  # a doctor of that name is no patient

    response = desk.get(BOOK, {"q": "okafor"})

    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<td>Ben Okafor</td>") == 1 and "Ana Lima" not in page
    assert f"?patient={ben.id}" in page
    assert directory.searches == [("okafor", "patient")]


def test_step_one_says_when_nobody_is_found(desk, directory):
    page = desk.get(BOOK, {"q": "nobody"}).content.decode()
    assert "No patient found for “nobody”" in page


def test_step_two_finds_the_doctor(desk, directory, ben, weber):
    response = desk.get(BOOK, {"patient": ben.id, "dq": "weber"})

    page = response.content.decode()
    assert "Ben Okafor" in page and "Dr. Lena Weber" in page and "Cardiology" in page
    assert f"patient={ben.id}&amp;doctor={weber.id}" in page
    assert directory.searches == [("weber", "doctor")]
    assert len(directory.calls) == 1  # the chosen names: one call


def test_a_patient_id_of_no_patient_starts_again(desk, directory, ben, weber):
    response = desk.get(BOOK, {"patient": weber.id})
    assert "No patient has this id" in _messages(response)[0]
    assert 'name="q"' in response.content.decode()
    response = desk.get(BOOK, {"patient": ben.id, "doctor": ben.id})
    assert "No doctor has this id" in _messages(response)[-1]
    assert 'name="dq"' in response.content.decode()


def test_step_three_shows_the_doctors_free_times_of_a_week(
    desk, schedule, directory, ben, weber, doctor_id
):
    free = schedule.add_slot(doctor_id=doctor_id)
    taken = schedule.add_slot(doctor_id=doctor_id)
    hold_for_someone_else(schedule, taken)
    schedule.add_slot()  # another doctor's

    response = desk.get(
        BOOK, {"patient": ben.id, "doctor": weber.id, "week": free.start.date().isoformat()}
    )

    page = response.content.decode()
    assert f"slot={free.id}" in page
    assert str(taken.id) not in page
    assert free.start.astimezone(LONDON).strftime("%H:%M") in page
    assert "Next week" in page


def test_the_week_view_stays_between_this_week_and_a_year_ahead(
    desk, schedule, ben, weber, monkeypatch
):
    from appointment_service.appointments import clients

    asked = []
    monkeypatch.setattr(
        clients, "schedule_slot_list", lambda **kw: asked.append((kw["first"], kw["last"])) or []
    )
    for week in ("1999-01-01", "2999-01-01", "not-a-date"):
        page = desk.get(BOOK, {"patient": ben.id, "doctor": weber.id, "week": week})
        assert "No free time this week" in page.content.decode()
    today = timezone.now().astimezone(LONDON).date()
    monday = today - datetime.timedelta(days=today.weekday())
    assert asked[0] == (monday, monday + datetime.timedelta(days=6))
    assert asked[1][0] == monday + datetime.timedelta(weeks=52)
    assert asked[2][0] == monday


def test_step_four_asks_the_reason_and_offers_the_override(desk, schedule, ben, weber, doctor_id):
    slot = schedule.add_slot(doctor_id=doctor_id)

    response = desk.get(BOOK, {"patient": ben.id, "doctor": weber.id, "slot": slot.id})

    page = response.content.decode()
    assert 'name="reason"' in page and 'name="override"' in page
    assert len(_form_key(response)) == 32
    again = desk.get(BOOK, {"patient": ben.id, "doctor": weber.id, "slot": slot.id})
    assert _form_key(again) != _form_key(response)  # one key per rendered form


def test_booking_for_a_patient_records_the_staff_member(desk, schedule, ben, weber, doctor_id):
    slot = schedule.add_slot(doctor_id=doctor_id)

    response = _book(desk, ben, weber, slot)

    appointment = Appointment.objects.get()
    assert response.status_code == 302 and response["Location"] == _change(appointment)
    assert (appointment.patient_id, appointment.slot_id) == (ben.id, slot.id)
    assert appointment.reason == "Chest pain"
    assert appointment.state == AppointmentState.BOOKED
    events = appointment.events.all()
    assert {(e.actor_role, e.actor_id) for e in events} == {("staff", desk.staff_id)}
    assert "Booked for" in _messages(response)[0]
    assert_no_orphans(schedule)


def test_a_booking_form_sent_twice_books_once(desk, schedule, ben, weber, doctor_id):
    slot = schedule.add_slot(doctor_id=doctor_id)
    first = _book(desk, ben, weber, slot, key="form-1")
    again = _book(desk, ben, weber, slot, key="form-1")

    assert Appointment.objects.count() == 1
    assert first["Location"] == again["Location"]
    assert schedule.count("reserve") == 1


def test_a_taken_time_is_a_clear_error_and_leaves_nothing(desk, schedule, ben, weber, doctor_id):
    slot = schedule.add_slot(doctor_id=doctor_id)
    other = hold_for_someone_else(schedule, slot)
    before = _state()

    response = _book(desk, ben, weber, slot)

    assert response.status_code == 302
    assert f"patient={ben.id}" in response["Location"] and "slot=" not in response["Location"]
    assert _messages(response) == [
        "Slot taken: Another appointment holds this slot; choose another one."
    ]
    # Nothing but the form's stored answer (a resend gets the same refusal).
    assert [row for row in _state() if row not in before] == [(_stored_key(response), 409)]
    assert schedule.holder_of(slot.id) == other.id
    assert_no_orphans(schedule)
    key = response.wsgi_request.POST["key"]
    resent = _book(desk, ben, weber, slot, key=key)  # the same form again: its first answer
    assert _messages(resent)[-1].startswith("Slot taken")
    assert schedule.count("reserve") == 1  # answered from the stored answer


def test_the_patients_caps_refuse_until_the_desk_overrides_them(
    desk, schedule, ben, weber, doctor_id, book, settings
):
    settings.MAX_UPCOMING_APPOINTMENTS_PER_DOCTOR = 1
    book(ben.id, schedule.add_slot(doctor_id=doctor_id))
    slot = schedule.add_slot(doctor_id=doctor_id)
    before = Appointment.objects.count()

    refused = _book(desk, ben, weber, slot, key="form-2")

    assert refused.status_code == 409
    [message] = _messages(refused)
    assert message.startswith("Too many upcoming appointments with this doctor")
    assert "Override" in message
    page = refused.content.decode()
    assert 'name="override"' in page and "Chest pain" in page  # the form again, reason kept
    assert _form_key(refused) != "form-2"
    assert Appointment.objects.count() == before

    booked = _book(desk, ben, weber, slot, key=_form_key(refused), override="on")

    assert booked.status_code == 302
    appointment = Appointment.objects.get(slot_id=slot.id)
    assert appointment.events.get(action=EventAction.BOOKED).data["override"] == ["doctor-cap"]
    assert "overridden" in _messages(booked)[0]
    assert_no_orphans(schedule)


def test_without_the_override_permission_an_override_is_ignored(
    staff_admin_client, schedule, ben, weber, doctor_id, book, settings
):
    from django.contrib.auth.models import Group, Permission

    Group.objects.get_or_create(name="front-desk")
    desk = staff_admin_client("front-desk")
    Group.objects.get(name="front-desk").permissions.remove(
        Permission.objects.get(codename="override_rules")
    )
    settings.MAX_UPCOMING_APPOINTMENTS_PER_DOCTOR = 1
    book(ben.id, schedule.add_slot(doctor_id=doctor_id))
    slot = schedule.add_slot(doctor_id=doctor_id)

    response = _book(desk, ben, weber, slot, override="on")

    assert response.status_code == 409
    assert "Override" not in _messages(response)[0]
    assert 'name="override"' not in response.content.decode()
    assert not Appointment.objects.filter(slot_id=slot.id).exists()


def test_schedule_service_down_is_a_503_and_leaves_nothing(desk, schedule, ben, weber, doctor_id):
    slot = schedule.add_slot(doctor_id=doctor_id)
    schedule.act_then_fail.add("reserve")  # held, then the answer was lost

    response = _book(desk, ben, weber, slot)

    assert response.status_code == 503
    assert "cannot be reached" in _messages(response)[0]
    assert not Appointment.objects.exists()
    assert not IdempotencyKey.objects.exists()
    assert_no_orphans(schedule)


def test_schedule_service_down_while_choosing_is_a_503_page(desk, schedule, ben, weber):
    schedule.down.add("list")
    response = desk.get(BOOK, {"patient": ben.id, "doctor": weber.id})
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "cannot be reached" in response.content.decode()


def test_the_people_directory_down_is_a_503_page(desk, directory):
    directory.down = True
    response = desk.get(BOOK, {"q": "ben"})
    assert response.status_code == 503


def test_a_doctor_waiting_for_approval_shows_no_week(desk, schedule, ben, weber):
    schedule.refuse = "doctor-not-bookable"
    response = desk.get(BOOK, {"patient": ben.id, "doctor": weber.id})
    assert response.status_code == 200
    assert "Doctor not bookable yet" in _messages(response)[0]


def test_a_time_taken_meanwhile_or_of_another_doctor_sends_back_to_the_week(
    desk, schedule, ben, weber, doctor_id
):
    taken = schedule.add_slot(doctor_id=doctor_id)
    hold_for_someone_else(schedule, taken)
    elsewhere = schedule.add_slot()
    for slot, said in ((taken, "no longer free"), (elsewhere, "No time of this doctor")):
        response = desk.get(BOOK, {"patient": ben.id, "doctor": weber.id, "slot": slot.id})
        assert said in _messages(response)[0]
        assert 'name="reason"' not in response.content.decode()


def test_a_bad_form_is_a_400_and_books_nothing(desk, schedule, ben, weber, doctor_id):
    slot = schedule.add_slot(doctor_id=doctor_id)
    response = _book(desk, ben, weber, slot, reason="x" * 1001)
    assert response.status_code == 400
    assert not Appointment.objects.exists()


def test_a_session_that_does_not_name_the_staff_member_changes_nothing(
    desk, schedule, ben, weber, doctor_id
):
    session = desk.session
    session["admin_sso"] = {**session["admin_sso"], "staff_id": None}
    session.save()
    slot = schedule.add_slot(doctor_id=doctor_id)

    response = _book(desk, ben, weber, slot)

    assert response.status_code == 403
    assert "Sign out and sign in again" in _messages(response)[0]
    assert not Appointment.objects.exists()
    assert schedule.count("reserve") == 0


# The appointment's page: reschedule, cancel, mark -----------------------------------------


@pytest.fixture
def booked(schedule, ben, weber, doctor_id, book):
    return book(ben.id, schedule.add_slot(doctor_id=doctor_id))


def test_the_change_page_offers_what_the_desk_may_do_now(desk, booked):
    page = desk.get(_change(booked)).content.decode()
    assert _reschedule(booked) in page and _cancel(booked) in page
    assert "Mark no-show" not in page  # not started yet
    started = AppointmentFactory(
        start=timezone.now() - datetime.timedelta(minutes=5),
        end=timezone.now() + datetime.timedelta(minutes=25),
    )
    page = desk.get(_change(started)).content.decode()
    assert "Mark completed" in page and "Mark no-show" in page
    assert _reschedule(started) in page  # still upcoming until it ends
    assert 'name="slot_id"' not in page and 'name="start"' not in page


def test_reschedule_shows_the_doctors_week_and_moves_it(desk, schedule, booked, doctor_id):
    new = schedule.add_slot(doctor_id=doctor_id)
    week = new.start.date().isoformat()

    page = desk.get(_reschedule(booked), {"week": week}).content.decode()

    assert f'value="{new.id}"' in page and f'value="{booked.slot_id}"' not in page
    assert 'name="override"' not in page  # nothing to override
    assert "Ben Okafor" in page and "Dr. Lena Weber" in page

    response = desk.post(_reschedule(booked), {"slot": new.id, "week": week})

    assert response.status_code == 302 and response["Location"] == _change(booked)
    booked.refresh_from_db()
    assert (booked.slot_id, booked.reschedule_count) == (new.id, 1)
    event = booked.events.get(action=EventAction.RESCHEDULED)
    assert (event.actor_role, event.actor_id) == ("staff", desk.staff_id)
    assert "Moved to" in _messages(response)[0]
    assert_no_orphans(schedule)


def test_reschedule_into_a_taken_time_changes_nothing(desk, schedule, booked, doctor_id):
    taken = schedule.add_slot(doctor_id=doctor_id)
    hold_for_someone_else(schedule, taken)
    before = _state()

    response = desk.post(_reschedule(booked), {"slot": taken.id})

    assert response.status_code == 302 and "/reschedule/" in response["Location"]
    assert _messages(response)[0].startswith("Slot taken")
    assert _state() == before
    assert_no_orphans(schedule)


def test_reschedule_inside_the_cutoff_needs_the_override(desk, schedule, booked, doctor_id):
    Appointment.objects.filter(pk=booked.pk).update(reschedule_cutoff_hours=24 * 10)
    new = schedule.add_slot(doctor_id=doctor_id)
    page = desk.get(_reschedule(booked)).content.decode()
    assert "reschedule cut-off" in page and 'name="override"' in page
    before = _state()

    refused = desk.post(_reschedule(booked), {"slot": new.id})

    assert _messages(refused)[0].startswith("Too late to reschedule")
    assert _state() == before

    desk.post(_reschedule(booked), {"slot": new.id, "override": "on"})

    booked.refresh_from_db()
    assert booked.slot_id == new.id
    data = booked.events.get(action=EventAction.RESCHEDULED).data
    assert data["override"] == ["reschedule-cutoff"]
    assert_no_orphans(schedule)


def test_reschedule_with_schedule_service_down(desk, schedule, booked, doctor_id):
    new = schedule.add_slot(doctor_id=doctor_id)
    schedule.down.update({"reserve", "list"})
    before = _state()

    assert desk.get(_reschedule(booked)).status_code == 503
    response = desk.post(_reschedule(booked), {"slot": new.id})

    assert "cannot be reached" in _messages(response)[0]
    assert _state() == before
    assert desk.post(_reschedule(booked), {"slot": "not-a-slot"}).status_code == 302


def test_cancel_needs_a_reason_then_frees_the_time(desk, schedule, booked):
    page = desk.get(_cancel(booked)).content.decode()
    assert 'name="reason"' in page and 'name="override"' not in page  # not late
    before = _state()

    missing = desk.post(_cancel(booked), {"reason": "  "})

    assert missing.status_code == 400
    assert _state() == before

    response = desk.post(_cancel(booked), {"reason": "Doctor ill"})

    assert response.status_code == 302
    booked.refresh_from_db()
    assert (booked.state, booked.cancelled_by, booked.cancel_reason) == (
        "cancelled",
        "staff",
        "Doctor ill",
    )
    assert booked.events.get(action=EventAction.CANCELLED).actor_id == desk.staff_id
    assert schedule.holder_of(booked.slot_id) is None
    assert_no_orphans(schedule)
    again = desk.get(_cancel(booked))
    assert again.status_code == 302 and "Only an upcoming" in _messages(again)[-1]


@pytest.mark.parametrize(("override", "late"), [({}, True), ({"override": "on"}, False)])
def test_cancel_inside_the_cutoff_is_late_unless_overridden(desk, schedule, booked, override, late):
    Appointment.objects.filter(pk=booked.pk).update(cancel_cutoff_hours=24 * 10)
    assert 'name="override"' in desk.get(_cancel(booked)).content.decode()

    desk.post(_cancel(booked), {"reason": "Clinic closed", **override})

    booked.refresh_from_db()
    assert booked.late_cancellation is late
    data = booked.events.get(action=EventAction.CANCELLED).data
    assert data.get("override") == (None if late else ["cancel-cutoff"])


def test_cancel_with_schedule_service_down_changes_nothing(desk, schedule, booked):
    schedule.down.add("release")
    before = _state()

    response = desk.post(_cancel(booked), {"reason": "Doctor ill"})

    assert response.status_code == 503
    assert "cannot be reached" in _messages(response)[0]
    assert _state() == before
    assert_no_orphans(schedule)


def test_mark_completed_and_no_show(desk):
    started = AppointmentFactory(
        start=timezone.now() - datetime.timedelta(minutes=5),
        end=timezone.now() + datetime.timedelta(minutes=25),
    )
    assert desk.get(_mark(started)).status_code == 405

    response = desk.post(_mark(started), {"outcome": "no_show"})

    assert response["Location"] == _change(started)
    started.refresh_from_db()
    assert started.state == AppointmentState.NO_SHOW
    event = started.events.get()
    assert (event.action, event.actor_role, event.actor_id) == ("no_show", "staff", desk.staff_id)
    assert _messages(response) == ["Marked no-show."]


def test_marking_before_the_start_or_without_an_outcome_is_refused(desk, booked):
    before = _state()
    assert "not started" in _messages(desk.post(_mark(booked), {"outcome": "completed"}))[0]
    assert "Choose completed" in _messages(desk.post(_mark(booked), {"outcome": "x"}))[-1]
    assert _state() == before


def test_pages_of_an_unknown_or_pending_appointment_are_404(desk):
    pending = AppointmentFactory(state=AppointmentState.PENDING)
    for url in (_cancel(pending), _reschedule(pending), f"{CHANGELIST}{uuid.uuid4()}/cancel/"):
        assert desk.get(url).status_code == 404


# The clinic's day ------------------------------------------------------------------------


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LONDON)


@pytest.fixture
def clinic_day(directory):
    """Three appointments on a day three days ahead (London), one the day after, one pending."""
    day = timezone.now().astimezone(LONDON).date() + datetime.timedelta(days=3)
    weber = directory.doctor(full_name="Dr. Lena Weber")
    carter = directory.doctor(
        full_name="Dr. James Carter", specialty="Dermatology", specialty_slug="dermatology"
    )
    ana, ben = directory.patient(full_name="Ana Lima"), directory.patient(full_name="Ben Okafor")

    def make(doctor, patient, start, **kwargs):
        return AppointmentFactory(
            doctor_id=doctor.id,
            patient_id=patient.id,
            start=start,
            end=start + datetime.timedelta(minutes=30),
            **kwargs,
        )

    rows = [
        make(carter, ana, _at(day, 14)),
        make(weber, ben, _at(day, 9)),
        make(weber, ana, _at(day, 10), state="cancelled", late_cancellation=True),
        make(weber, ben, _at(day, 0, 15)),  # just after midnight in London
    ]
    make(weber, ana, _at(day + datetime.timedelta(days=1), 9))
    make(carter, ben, _at(day, 11), state="pending")
    return day, rows, weber, carter


def test_the_clinics_day_lists_that_day_in_start_order_with_names(desk, clinic_day, directory):
    day, rows, weber, carter = clinic_day

    response = desk.get(DAY, {"date": day.isoformat()})

    assert response.status_code == 200
    table = response.content.decode().split('id="desk-day"')[1].split("</table>")[0]
    times = re.findall(r">(\d\d:\d\d)–", table)
    assert times == ["00:15", "09:00", "10:00", "14:00"]
    assert "Dr. Lena Weber" in table and "Cardiology" in table and "Ben Okafor" in table
    assert "Cancelled (late)" in table and "Upcoming" in table
    assert len(directory.calls) == 1  # one call to the directory for the page
    assert set(directory.calls[0]) == {a.patient_id for a in rows} | {weber.id, carter.id}


def test_the_clinics_day_filters_by_doctor_and_specialty(desk, clinic_day):
    day, _, weber, carter = clinic_day

    by_doctor = desk.get(DAY, {"date": day.isoformat(), "doctor": carter.id}).content.decode()
    by_specialty = desk.get(DAY, {"date": day.isoformat(), "specialty": "cardiology"})

    assert re.findall(r">(\d\d:\d\d)–", by_doctor) == ["14:00"]
    assert re.findall(r">(\d\d:\d\d)–", by_specialty.content.decode()) == [
        "00:15",
        "09:00",
        "10:00",
    ]
    assert f'value="{carter.id}" selected' in by_doctor


def test_the_clinics_day_links_the_days_around_it_and_prints_plainly(desk, clinic_day):
    day, *_ = clinic_day
    page = desk.get(DAY, {"date": day.isoformat(), "specialty": "cardiology"}).content.decode()
    previous = (day - datetime.timedelta(days=1)).isoformat()
    following = (day + datetime.timedelta(days=1)).isoformat()
    assert f"date={previous}&amp;specialty=cardiology" in page
    assert f"date={following}&amp;specialty=cardiology" in page
    assert "@media print" in page and "#header" in page


def test_the_clinics_day_defaults_to_today_and_survives_a_bad_date(desk, directory):
    today = timezone.now().astimezone(LONDON).date()
    assert f"{today:%A %d %B %Y}" in desk.get(DAY).content.decode()
    for bad in ("2026-13-01", "1900-01-01"):
        response = desk.get(DAY, {"date": bad})
        assert response.status_code == 200
        assert "here is today" in _messages(response)[0]
    assert directory.calls == []  # no appointments, no call


def test_the_clinics_day_without_the_directory_shows_ids(desk, clinic_day, directory):
    day, rows, *_ = clinic_day
    directory.down = True
    page = desk.get(DAY, {"date": day.isoformat()}).content.decode()
    assert "The names cannot be fetched" in page
    assert str(rows[0].patient_id) in page


def test_the_clinics_day_asks_the_database_once(
    desk, clinic_day, directory, django_assert_max_num_queries
):
    day, *_ = clinic_day
    for n in range(20):  # many more appointments: the same queries
        AppointmentFactory(start=_at(day, 15, n), end=_at(day, 15, n + 1))
    # The session (read, slid), the user and its permissions, then the appointments: once.
    with django_assert_max_num_queries(8) as captured:
        response = desk.get(DAY, {"date": day.isoformat()})
    assert response.status_code == 200
    appointment_queries = [
        q for q in captured.captured_queries if "appointments_appointment" in q["sql"]
    ]
    assert len(appointment_queries) == 1
    assert len(directory.calls) == 1


def test_the_desks_pages_say_when_the_session_does_not_name_the_staff_member(
    desk, schedule, booked, doctor_id
):
    started = AppointmentFactory(
        start=timezone.now() - datetime.timedelta(minutes=5),
        end=timezone.now() + datetime.timedelta(minutes=25),
    )
    session = desk.session
    session["admin_sso"] = {**session["admin_sso"], "staff_id": None}
    session.save()
    before = _state()

    moved = desk.post(_reschedule(booked), {"slot": schedule.add_slot(doctor_id=doctor_id).id})
    cancelled = desk.post(_cancel(booked), {"reason": "Doctor ill"})
    marked = desk.post(_mark(started), {"outcome": "completed"})

    for response in (moved, cancelled, marked):
        assert "Sign out and sign in again" in _messages(response)[-1]
    assert cancelled.status_code == 403
    assert _state() == before


def test_moving_an_appointment_moved_as_often_as_allowed_needs_the_override(
    desk, schedule, booked, settings
):
    settings.MAX_RESCHEDULES = 0
    page = desk.get(_reschedule(booked)).content.decode()
    assert "it has been moved 0 times already" in page and 'name="override"' in page


def test_the_reschedule_page_without_names_or_a_bookable_doctor(desk, schedule, booked, directory):
    directory.down = True
    schedule.refuse = "doctor-not-bookable"
    response = desk.get(_reschedule(booked))
    assert response.status_code == 200
    assert "(name unavailable)" in response.content.decode()
    assert "Doctor not bookable yet" in _messages(response)[0]


def test_a_past_appointment_cannot_be_moved(desk):
    past = AppointmentFactory(
        start=timezone.now() - datetime.timedelta(hours=2),
        end=timezone.now() - datetime.timedelta(hours=1),
    )
    response = desk.get(_reschedule(past))
    assert response.status_code == 302 and "Only an upcoming" in _messages(response)[0]


def test_the_clinics_day_names_each_status(desk, directory):
    start = timezone.now() - datetime.timedelta(minutes=30)
    for state in ("completed", "no_show", "booked"):
        AppointmentFactory(state=state, start=start, end=start + datetime.timedelta(minutes=29))
    AppointmentFactory(state="cancelled", start=start, end=start + datetime.timedelta(hours=2))
    page = desk.get(DAY, {"date": start.astimezone(LONDON).date().isoformat()}).content.decode()
    table = page.split('id="desk-day"')[1]
    assert table.count("<td>Completed</td>") == 2  # marked, or simply over
    assert "<td>No-show</td>" in table and "<td>Cancelled</td>" in table
