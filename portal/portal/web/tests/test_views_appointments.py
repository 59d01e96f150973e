"""A patient's appointments: the list, one appointment, calendar file, reason, new time, cancel."""

from __future__ import annotations

import datetime
import re
import uuid

import pytest

from portal.web.tests.helpers import (
    SERVICE_TOKEN,
    appointment_body,
    doctor_body,
    messages_of,
    page_text,
    paginated,
    problem_body,
    profile_body,
    sent,
    slot_body,
)

pytestmark = pytest.mark.django_db

TOKYO = "Asia/Tokyo"
START = datetime.datetime(2030, 3, 4, 0, 0, tzinfo=datetime.UTC)  # Monday 4 March 2030, 9am Tokyo
HOUR = datetime.timedelta(hours=1)


def soon(hours: float) -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0) + hours * HOUR


@pytest.fixture
def patient(sign_in):
    return sign_in(browser_zone=TOKYO)


@pytest.fixture
def doctor_id(api):
    doctor_id = uuid.uuid4()
    api.route(
        "GET",
        f"/api/v1/doctors/{doctor_id}/",
        json=doctor_body(doctor_id, full_name="Dr Who", timezone="Europe/London"),
    )
    api.route(
        "GET",
        "/internal/v1/profiles/",
        json=paginated([profile_body(doctor_id, full_name="Dr Who")]),
    )
    return doctor_id


@pytest.fixture
def appointment(api, patient, doctor_id):
    """``appointment(**changes)`` → the body the API answers for one of the patient's appointments."""

    def make(**changes):
        changes.setdefault("start", START)
        body = appointment_body(patient_id=patient.person_id, doctor_id=doctor_id, **changes)
        api.route("GET", f"/api/v1/appointments/{body['id']}/", json=body)
        api.route(
            "GET",
            f"/api/v1/appointments/{body['id']}/history",
            json=paginated(
                [
                    {  # the pending step just before "booked": not shown
                        "at": "2030-01-10T03:00:00Z",
                        "actor_id": str(patient.person_id),
                        "actor_role": "patient",
                        "action": "created",
                        "data": {},
                    },
                    {
                        "at": "2030-01-10T03:00:00Z",
                        "actor_id": str(patient.person_id),
                        "actor_role": "patient",
                        "action": "booked",
                        "data": {},
                    },
                    {
                        "at": "2030-01-11T05:15:00Z",
                        "actor_id": None,
                        "actor_role": "system",
                        "action": "reason_changed",
                        "data": {},
                    },
                    {
                        "at": "2030-01-12T01:00:00Z",
                        "actor_id": str(patient.person_id),
                        "actor_role": "patient",
                        "action": "rescheduled",
                        "data": {
                            "from": {"start": "2030-03-03T23:00:00Z"},
                            "to": {"start": "2030-03-04T00:00:00Z"},
                        },
                    },
                ]
            ),
        )
        return body

    return make


def not_found(api, appointment_id):
    api.route(
        "GET",
        f"/api/v1/appointments/{appointment_id}/",
        status=404,
        json=problem_body(404, "appointment-not-found"),
    )


# The list


def test_list_shows_upcoming_appointments_with_names_from_one_call(patient, api):
    first, second = uuid.uuid4(), uuid.uuid4()
    bodies = [
        appointment_body(patient_id=patient.person_id, doctor_id=first, start=START),
        appointment_body(
            patient_id=patient.person_id, doctor_id=second, start=START + 2 * HOUR, reason=""
        ),
        appointment_body(patient_id=patient.person_id, doctor_id=first, start=START + 30 * HOUR),
    ]
    api.route("GET", "/api/v1/appointments/", json=paginated(bodies))
    api.route(
        "GET",
        "/internal/v1/profiles/",
        json=paginated([profile_body(first, full_name="Dr Who")]),  # the second is unknown
    )

    response = patient.get("/appointments")

    page = page_text(response)
    assert response.status_code == 200
    assert '<h2 id="results">3 upcoming appointments</h2>' in page
    assert "Times are in Tokyo time (UTC+9)." in page
    assert page.count("<p>Dr Who</p>") == 2
    assert "<p>Your doctor</p>" in page
    assert (
        f'<a href="/appointments/{bodies[0]["id"]}">Monday 4 March 2030'
        '<span class="vh">,</span> 9am to 9:30am</a>'
    ) in page
    assert page.count('<strong class="tag tag--upcoming">Upcoming</strong>') == 3
    [listed] = sent(api, "GET", "/api/v1/appointments/")
    assert listed.params == {"status": "upcoming", "page": "1", "page_size": "20"}
    [names] = sent(api, "GET", "/internal/v1/profiles/")
    assert names.params == {"ids": ",".join(sorted([str(first), str(second)])), "page_size": "100"}
    assert names.bearer == SERVICE_TOKEN


@pytest.mark.parametrize(
    ("query", "current"),
    [
        ("", "upcoming"),
        ("?status=completed", "completed"),
        ("?status=cancelled", "cancelled"),
        ("?status=everything", "upcoming"),
    ],
)
def test_list_tabs_mark_the_one_shown(patient, api, query, current):
    api.route("GET", "/api/v1/appointments/", json=paginated([]))

    page = page_text(patient.get(f"/appointments{query}"))

    tabs = re.findall(r'<a class="tabs__link" href="\?status=(\w+)"( aria-current="page")?>', page)
    assert tabs == [
        (key, ' aria-current="page"' if key == current else "")
        for key in ("upcoming", "completed", "cancelled")
    ]
    assert sent(api, "GET", "/api/v1/appointments/")[0].params["status"] == current


def test_list_shows_the_outcome_of_past_and_cancelled_appointments(patient, api):
    doctor = uuid.uuid4()
    bodies = [
        appointment_body(
            patient_id=patient.person_id,
            doctor_id=doctor,
            start=START,
            status="completed",
            outcome="completed",
        ),
        appointment_body(
            patient_id=patient.person_id,
            doctor_id=doctor,
            start=START,
            status="completed",
            outcome="no_show",
        ),
        appointment_body(
            patient_id=patient.person_id, doctor_id=doctor, start=START, status="cancelled"
        ),
        appointment_body(
            patient_id=patient.person_id,
            doctor_id=doctor,
            start=START,
            status="cancelled",
            late_cancellation=True,
        ),
    ]
    api.route("GET", "/api/v1/appointments/", json=paginated(bodies))
    api.route("GET", "/internal/v1/profiles/", json=paginated([]))

    page = page_text(patient.get("/appointments?status=completed"))

    assert re.findall(r'<strong class="tag tag--(\w+)">([\w ]+)</strong>', page) == [
        ("completed", "Completed"),
        ("missed", "Missed"),
        ("cancelled", "Cancelled"),
        ("cancelled", "Cancelled late"),
    ]


def test_list_pages(patient, api):
    doctor = uuid.uuid4()
    api.route(
        "GET",
        "/api/v1/appointments/",
        json=paginated(
            [appointment_body(patient_id=patient.person_id, doctor_id=doctor, start=START)],
            count=45,
            next_url="http://x/?page=3",
            previous_url="http://x/?page=1",
        ),
    )
    api.route("GET", "/internal/v1/profiles/", json=paginated([]))

    page = page_text(patient.get("/appointments?status=completed&page=2"))

    assert 'href="?status=completed&amp;page=1#results">Previous page</a>' in page
    assert 'href="?status=completed&amp;page=3#results">Next page</a>' in page
    assert "My appointments: Completed (page 2)" in page
    assert sent(api, "GET", "/api/v1/appointments/")[0].params["page"] == "2"


def test_list_page_past_the_end_is_404(patient, api):
    api.route("GET", "/api/v1/appointments/", status=404, json=problem_body(404, "not-found"))

    assert patient.get("/appointments?page=7").status_code == 404


def test_list_page_with_a_nonsense_number_shows_the_first(patient, api):
    api.route("GET", "/api/v1/appointments/", json=paginated([]))

    patient.get("/appointments?page=two")

    assert sent(api, "GET", "/api/v1/appointments/")[0].params["page"] == "1"


def test_empty_list_offers_to_find_a_doctor_without_asking_for_names(patient, api):
    api.route("GET", "/api/v1/appointments/", json=paginated([]))

    page = page_text(patient.get("/appointments?status=cancelled"))

    assert '<h2 id="results">No cancelled appointments</h2>' in page
    assert '<a class="button" href="/doctors">Find a doctor</a>' in page
    assert sent(api, path="/internal/v1/profiles/") == []


def test_list_escapes_reasons(patient, api):
    api.route(
        "GET",
        "/api/v1/appointments/",
        json=paginated(
            [
                appointment_body(
                    patient_id=patient.person_id,
                    doctor_id=uuid.uuid4(),
                    start=START,
                    reason="<script>alert(1)</script>",
                )
            ]
        ),
    )
    api.route("GET", "/internal/v1/profiles/", json=paginated([]))

    page = page_text(patient.get("/appointments"))

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# One appointment


def test_detail_shows_the_appointment_its_history_and_the_changes_allowed(
    patient, api, appointment, doctor_id
):
    body = appointment(reason="Knee pain\nsince May")

    response = patient.get(f"/appointments/{body['id']}")

    page = page_text(response)
    assert response.status_code == 200
    assert "<h1>Appointment on Monday 4 March 2030</h1>" in page
    assert "<dd>Dr Who, Cardiology</dd>" in page
    assert (
        '<dd>9am to 9:30am<br><span class="muted">Tokyo time (UTC+9)</span>'
        '<br><span class="muted">At the clinic: 12am on Monday 4 March, London time (UTC+0)'
    ) in page
    assert "<dd>Knee pain<br>since May</dd>" in page
    assert f'<a class="button" href="/appointments/{body["id"]}/reschedule">Change time</a>' in page
    assert f'href="/appointments/{body["id"]}/reason">Change<span class="vh"> reason</span>' in page
    assert f'href="/appointments/{body["id"]}/cancel">Cancel appointment</a>' in page
    assert f'href="/appointments/{body["id"]}/calendar.ics" download' in page
    assert "Call the clinic on 01234 567890" not in page.split("<footer", 1)[0]
    history = re.findall(
        r'<span class="timeline__what">([^<]+)</span> <span class="muted">([^<]+)<', page
    )
    assert history == [
        ("Booked", "Thursday 10 January, midday"),
        ("Reason changed", "Friday 11 January, 2:15pm, by the system"),
        ("Moved to a new time", "Saturday 12 January, 10am"),
    ]
    assert "From 8am on Monday 4 March to 9am on Monday 4 March" in page
    assert [(c.method, c.path) for c in sent(api)] == [
        ("GET", f"/api/v1/appointments/{body['id']}/"),
        ("GET", f"/api/v1/appointments/{body['id']}/history"),
        ("GET", "/internal/v1/profiles/"),
    ]
    assert sent(api, path=f"/api/v1/appointments/{body['id']}/history")[0].params == {
        "page_size": "100"
    }


def test_detail_past_the_change_cut_off_says_to_call_the_clinic(patient, api, appointment):
    body = appointment(start=soon(5), reschedule_cutoff_hours=12)

    page = page_text(patient.get(f"/appointments/{body['id']}"))

    assert (
        "You can no longer change this appointment online because it starts in less than 12 "
        "hours. Call the clinic on 01234 567890."
    ) in page
    assert f"/appointments/{body['id']}/reschedule" not in page
    assert f'href="/appointments/{body["id"]}/cancel">Cancel this appointment</a>' in page


def test_detail_of_a_cancelled_appointment_offers_no_change(patient, api, appointment):
    body = appointment(status="cancelled", cancel_reason="Feeling better", late_cancellation=True)

    page = page_text(patient.get(f"/appointments/{body['id']}"))

    assert '<strong class="tag tag--cancelled">Cancelled late</strong>' in page
    assert "<dd>Late cancellation. Feeling better</dd>" in page
    for action in ("reschedule", "reason", "cancel"):
        assert f"/appointments/{body['id']}/{action}" not in page


def test_detail_of_someone_elses_appointment_is_404(patient, api):
    other = uuid.uuid4()
    not_found(api, other)

    response = patient.get(f"/appointments/{other}")

    assert response.status_code == 404
    assert "Page not found" in page_text(response)
    assert len(sent(api)) == 1


def test_detail_escapes_the_reason_and_names(patient, api, appointment, doctor_id):
    body = appointment(reason="<script>alert(1)</script>")
    api.route(
        "GET",
        "/internal/v1/profiles/",
        json=paginated([profile_body(doctor_id, full_name="<b>Dr</b>")]),
    )

    page = page_text(patient.get(f"/appointments/{body['id']}"))

    assert "<script>alert(1)</script>" not in page and "<b>Dr</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;Dr&lt;/b&gt;" in page


def test_calendar_file_is_a_download_of_the_services_file(patient, api):
    appointment_id = uuid.uuid4()
    ics = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    api.route(
        "GET",
        f"/api/v1/appointments/{appointment_id}/ics",
        body=ics,
        content_type="text/calendar",
    )

    response = patient.get(f"/appointments/{appointment_id}/calendar.ics")

    assert response.status_code == 200
    assert response.content == ics
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="appointment-{appointment_id}.ics"'
    )
    [call] = sent(api)
    assert call.bearer == patient.access


def test_calendar_file_of_someone_elses_appointment_is_404(patient, api):
    appointment_id = uuid.uuid4()
    api.route(
        "GET", f"/api/v1/appointments/{appointment_id}/ics", status=404, json=problem_body(404, "x")
    )

    assert patient.get(f"/appointments/{appointment_id}/calendar.ics").status_code == 404


# The reason


def test_reason_page_is_filled_in_with_the_current_reason(patient, api, appointment):
    body = appointment(reason="Knee pain")

    response = patient.get(f"/appointments/{body['id']}/reason")

    page = page_text(response)
    assert response.status_code == 200
    assert ">\nKnee pain</textarea>" in page
    assert "For your appointment on Monday 4 March 2030 at 9am." in page


def test_changing_the_reason_sends_it_and_goes_back(patient, api, appointment):
    body = appointment()
    api.route("PATCH", f"/api/v1/appointments/{body['id']}/", json=body)

    response = patient.post(f"/appointments/{body['id']}/reason", {"reason": "Now my elbow"})

    assert response.status_code == 302
    assert response["Location"] == f"/appointments/{body['id']}"
    assert messages_of(response) == ["Reason saved."]
    [patch] = sent(api, "PATCH")
    assert patch.path == f"/api/v1/appointments/{body['id']}/"
    assert patch.json == {"reason": "Now my elbow"}
    assert patch.bearer == patient.access


@pytest.mark.parametrize(
    ("reason", "message"),
    [("", "Enter the reason for your appointment"), ("y" * 501, "Reason must be 500 characters")],
)
def test_an_invalid_reason_changes_nothing(patient, api, appointment, reason, message):
    body = appointment()

    response = patient.post(f"/appointments/{body['id']}/reason", {"reason": reason})

    assert response.status_code == 400
    assert message in page_text(response)
    assert sent(api, "PATCH") == []


def test_a_reason_refused_by_the_service_says_why(patient, api, appointment):
    body = appointment()
    api.route(
        "PATCH",
        f"/api/v1/appointments/{body['id']}/",
        status=409,
        json=problem_body(409, "appointment-not-upcoming"),
    )

    response = patient.post(f"/appointments/{body['id']}/reason", {"reason": "Elbow"})

    assert response.status_code == 409
    assert "This appointment has already happened or was cancelled" in page_text(response)


def test_reason_of_a_past_appointment_has_no_form(patient, api, appointment):
    body = appointment(status="completed", outcome="completed")

    page = page_text(patient.get(f"/appointments/{body['id']}/reason"))

    assert "its reason cannot change" in page
    assert "<textarea" not in page


def test_reason_of_someone_elses_appointment_is_404_and_sends_nothing(patient, api):
    other = uuid.uuid4()
    not_found(api, other)

    assert patient.post(f"/appointments/{other}/reason", {"reason": "x"}).status_code == 404
    assert sent(api, "PATCH") == []


# A new time


def test_reschedule_shows_the_week_of_the_appointment_with_it_marked(
    patient, api, appointment, doctor_id
):
    body = appointment()
    other = slot_body(START + 2 * HOUR, doctor_id=doctor_id)
    api.route("GET", f"/api/v1/doctors/{doctor_id}/slots/", json=paginated([other]))

    response = patient.get(f"/appointments/{body['id']}/reschedule")

    page = page_text(response)
    assert response.status_code == 200
    assert (
        "Your appointment stays at 9am on Monday 4 March 2030 until you confirm a new time." in page
    )
    assert (
        '<span class="slot slot--static slot--noted">9am'
        '<span class="slot__note">Your current appointment</span>'
    ) in page
    assert f'href="/appointments/{body["id"]}/reschedule/{other["id"]}">11am<' in page
    assert 'href="/book/' not in page
    [week] = sent(api, "GET", f"/api/v1/doctors/{doctor_id}/slots/")
    assert week.params == {"from": "2030-03-03", "to": "2030-03-11", "page_size": "2016"}


def test_reschedule_with_no_other_time_that_week_says_so(patient, api, appointment, doctor_id):
    body = appointment()
    api.route("GET", f"/api/v1/doctors/{doctor_id}/slots/", json=paginated([]))

    page = page_text(patient.get(f"/appointments/{body['id']}/reschedule?week=2030-03-11"))

    assert "There are no other free times this week." in page
    assert "Your current appointment" not in page
    params = sent(api, "GET", f"/api/v1/doctors/{doctor_id}/slots/")[0].params
    assert params["from"] == "2030-03-10"


def test_reschedule_after_the_cut_off_is_closed(patient, api, appointment, doctor_id):
    body = appointment(start=soon(3), reschedule_cutoff_hours=4)

    response = patient.get(f"/appointments/{body['id']}/reschedule")

    page = page_text(response)
    assert response.status_code == 409
    assert "<h1>You can no longer change this appointment online</h1>" in page
    assert "in less than 4 hours. Call the clinic on 01234 567890." in page
    assert sent(api, path=f"/api/v1/doctors/{doctor_id}/slots/") == []


def test_reschedule_of_a_cancelled_appointment_is_closed(patient, api, appointment):
    body = appointment(status="cancelled")

    response = patient.get(f"/appointments/{body['id']}/reschedule")

    assert response.status_code == 409
    assert "This appointment has already happened or was cancelled." in page_text(response)


@pytest.fixture
def new_slot(api, doctor_id):
    body = slot_body(START + 2 * HOUR, doctor_id=doctor_id, bookable=True)
    api.route("GET", f"/api/v1/slots/{body['id']}/", json=body)
    return body


def test_confirm_page_shows_the_current_and_the_new_time(patient, api, appointment, new_slot):
    body = appointment()

    response = patient.get(f"/appointments/{body['id']}/reschedule/{new_slot['id']}")

    page = page_text(response)
    assert response.status_code == 200
    assert '<span class="vh">Was: </span>Monday 4 March 2030, 9am to 9:30am</del>' in page
    assert "<strong>Monday 4 March 2030, 11am to 11:30am</strong>" in page
    assert sent(api, "POST") == []


def test_confirming_moves_the_appointment(patient, api, appointment, new_slot):
    body = appointment()
    moved = {**body, "slot_id": new_slot["id"], "start": new_slot["start"], "end": new_slot["end"]}
    api.route("POST", f"/api/v1/appointments/{body['id']}/reschedule", json=moved)

    response = patient.post(f"/appointments/{body['id']}/reschedule/{new_slot['id']}")

    assert response.status_code == 302
    assert response["Location"] == f"/appointments/{body['id']}"
    assert messages_of(response) == ["Appointment moved to 11am on Monday 4 March 2030."]
    [call] = sent(api, "POST")
    assert call.path == f"/api/v1/appointments/{body['id']}/reschedule"
    assert call.json == {"slot_id": new_slot["id"]}
    assert call.bearer == patient.access


@pytest.mark.parametrize("code", ["slot-taken", "slot-held-by-other"])
def test_a_new_time_taken_meanwhile_keeps_the_old_one(
    patient, api, appointment, new_slot, doctor_id, code
):
    body = appointment()
    api.route(
        "POST",
        f"/api/v1/appointments/{body['id']}/reschedule",
        status=409,
        json=problem_body(409, code),
    )
    nearby = slot_body(START + 3 * HOUR, doctor_id=doctor_id)
    api.route("GET", f"/api/v1/doctors/{doctor_id}/slots/", json=paginated([nearby]))

    response = patient.post(f"/appointments/{body['id']}/reschedule/{new_slot['id']}")

    page = page_text(response)
    assert response.status_code == 409
    assert "That time has just been booked" in page
    assert "Your appointment is still at 9am on Monday 4 March 2030. Nothing was changed." in page
    assert f'href="/appointments/{body["id"]}/reschedule/{nearby["id"]}"' in page
    assert f'href="/appointments/{body["id"]}/reschedule?week=2030-03-04#slots"' in page
    assert "We kept your reason." not in page


@pytest.mark.parametrize(
    ("code", "sentence"),
    [
        (
            "reschedule-too-late",
            "You can no longer change this appointment online because it starts soon.",
        ),
        ("too-many-reschedules", "This appointment has been moved as often as allowed."),
        ("slot-unavailable", "This time can no longer be booked online."),
    ],
)
def test_a_refused_new_time_says_why_and_that_the_old_time_stands(
    patient, api, appointment, new_slot, code, sentence
):
    body = appointment()
    api.route(
        "POST",
        f"/api/v1/appointments/{body['id']}/reschedule",
        status=409,
        json=problem_body(409, code),
    )

    response = patient.post(f"/appointments/{body['id']}/reschedule/{new_slot['id']}")

    page = page_text(response)
    assert response.status_code == 409
    assert "<title>Error: Confirm new time" in page
    assert f"{sentence}" in page
    assert "Your appointment is still at 9am on Monday 4 March 2030." in page


def test_confirm_with_a_time_no_longer_free_shows_the_time_taken_page(
    patient, api, appointment, doctor_id
):
    body = appointment()
    gone = slot_body(START + 2 * HOUR, doctor_id=doctor_id, bookable=False)
    api.route("GET", f"/api/v1/slots/{gone['id']}/", json=gone)
    api.route("GET", f"/api/v1/doctors/{doctor_id}/slots/", json=paginated([]))

    response = patient.get(f"/appointments/{body['id']}/reschedule/{gone['id']}")

    assert response.status_code == 409
    assert "Nothing was changed." in page_text(response)


def test_confirm_with_another_doctors_time_is_404(patient, api, appointment):
    body = appointment()
    foreign = slot_body(START, doctor_id=uuid.uuid4())
    api.route("GET", f"/api/v1/slots/{foreign['id']}/", json=foreign)

    assert patient.get(f"/appointments/{body['id']}/reschedule/{foreign['id']}").status_code == 404


def test_rescheduling_someone_elses_appointment_is_404_and_sends_nothing(patient, api):
    other = uuid.uuid4()
    not_found(api, other)

    assert patient.get(f"/appointments/{other}/reschedule").status_code == 404
    assert patient.post(f"/appointments/{other}/reschedule/{uuid.uuid4()}").status_code == 404
    assert sent(api, "POST") == []


# Cancelling


def test_cancel_page_well_before_the_start_has_no_late_warning(patient, api, appointment):
    body = appointment(cancel_cutoff_hours=24)

    response = patient.get(f"/appointments/{body['id']}/cancel")

    page = page_text(response)
    assert response.status_code == 200
    assert "<h1>Cancel your appointment</h1>" in page
    assert "<dd>Dr Who</dd>" in page
    assert "late cancellation" not in page
    assert f'<a href="/appointments/{body["id"]}">No, keep it</a>' in page


def test_cancel_page_inside_the_cut_off_warns_that_it_will_be_late(patient, api, appointment):
    body = appointment(start=soon(5), cancel_cutoff_hours=24)

    page = page_text(patient.get(f"/appointments/{body['id']}/cancel"))

    assert (
        "This is a late cancellation because the appointment starts in less than 24 hours."
    ) in page


@pytest.mark.parametrize(
    ("late", "banner"),
    [
        (False, "Appointment cancelled. The time is free for others."),
        (
            True,
            "Appointment cancelled. This was recorded as a late cancellation because it was "
            "less than 24 hours before the start.",
        ),
    ],
)
def test_cancelling_sends_the_reason_and_says_whether_it_was_late(
    patient, api, appointment, late, banner
):
    body = appointment(cancel_cutoff_hours=24)
    cancelled = {**body, "status": "cancelled", "late_cancellation": late}
    api.route("POST", f"/api/v1/appointments/{body['id']}/cancel", json=cancelled)

    response = patient.post(f"/appointments/{body['id']}/cancel", {"reason": "Feeling better"})

    assert response.status_code == 302
    assert response["Location"] == f"/appointments/{body['id']}"
    assert messages_of(response) == [banner]
    [call] = sent(api, "POST")
    assert call.json == {"reason": "Feeling better"}
    assert call.bearer == patient.access


def test_late_cancel_banner_is_an_alert(patient, api, appointment):
    body = appointment()
    api.route(
        "POST",
        f"/api/v1/appointments/{body['id']}/cancel",
        json={**body, "status": "cancelled", "late_cancellation": True},
    )
    patient.post(f"/appointments/{body['id']}/cancel", {"reason": ""})
    api.route("GET", f"/api/v1/appointments/{body['id']}/", json={**body, "status": "cancelled"})

    page = page_text(patient.get(f"/appointments/{body['id']}"))

    assert '<div class="banner banner--warning" role="alert">' in page


@pytest.mark.parametrize(
    ("status", "sentence"),
    [("cancelled", "It was already cancelled."), ("completed", "It has already happened.")],
)
def test_cancelling_an_appointment_no_longer_upcoming_explains_and_sends_nothing(
    patient, api, appointment, status, sentence
):
    body = appointment(status=status)

    shown = patient.get(f"/appointments/{body['id']}/cancel")
    sent_form = patient.post(f"/appointments/{body['id']}/cancel", {"reason": "x"})

    assert shown.status_code == sent_form.status_code == 409
    assert "<h1>This appointment cannot be cancelled</h1>" in page_text(shown)
    assert sentence in page_text(sent_form)
    assert sent(api, "POST") == []


def test_a_cancel_refused_by_the_service_says_why(patient, api, appointment):
    body = appointment()
    api.route(
        "POST",
        f"/api/v1/appointments/{body['id']}/cancel",
        status=409,
        json=problem_body(409, "appointment-completed"),
    )

    response = patient.post(f"/appointments/{body['id']}/cancel", {"reason": ""})

    assert response.status_code == 409
    assert "This appointment has already happened, so it cannot be cancelled." in page_text(
        response
    )


def test_a_too_long_cancel_reason_cancels_nothing(patient, api, appointment):
    body = appointment()

    response = patient.post(f"/appointments/{body['id']}/cancel", {"reason": "z" * 501})

    assert response.status_code == 400
    assert "Reason must be 500 characters or fewer" in page_text(response)
    assert sent(api, "POST") == []


def test_a_doctor_must_say_why_they_cancel(signed_in_doctor, api):
    body = appointment_body(
        patient_id=uuid.uuid4(), doctor_id=signed_in_doctor.person_id, start=START
    )
    api.route("GET", f"/api/v1/appointments/{body['id']}/", json=body)
    api.route("GET", "/internal/v1/profiles/", json=paginated([]))

    response = signed_in_doctor.post(f"/appointments/{body['id']}/cancel", {"reason": " "})

    assert response.status_code == 400
    assert "Enter why you are cancelling. The patient will see it." in page_text(response)
    assert sent(api, "POST") == []


def test_patient_only_pages_are_404_for_doctors(signed_in_doctor, api):
    some_id = uuid.uuid4()
    for address in (
        f"/appointments/{some_id}/booked",
        f"/appointments/{some_id}/reason",
        f"/appointments/{some_id}/reschedule",
        f"/appointments/{some_id}/reschedule/{uuid.uuid4()}",
    ):
        assert signed_in_doctor.get(address).status_code == 404
    assert api.requests == []
