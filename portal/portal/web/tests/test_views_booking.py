"""Finding and booking: the doctor list, a doctor's week, booking a time and the booked page."""

from __future__ import annotations

import datetime
import re
import uuid

import pytest

from portal.web.tests.helpers import (
    SERVICE_TOKEN,
    appointment_body,
    at,
    doctor_body,
    page_text,
    paginated,
    problem_body,
    profile_body,
    sent,
    slot_body,
    specialty_body,
    this_monday,
)
from portal.web.views import booking

pytestmark = pytest.mark.django_db

ONE_DAY = datetime.timedelta(days=1)
TOKYO = "Asia/Tokyo"  # no summer time: labels do not depend on the date
KOLKATA = "Asia/Kolkata"


def day_section(page: str, day: datetime.date) -> str:
    """The HTML of one day of the week view."""
    match = re.search(
        rf'<section class="day" id="d-{day.isoformat()}".*?</section>', page, flags=re.S
    )
    assert match, f"no section for {day}"
    return match.group(0)


def slots_path(doctor_id: uuid.UUID) -> str:
    return f"/api/v1/doctors/{doctor_id}/slots/"


# The list of doctors


@pytest.fixture
def specialties(api):
    api.route(
        "GET",
        "/api/v1/specialties/",
        json=paginated([specialty_body(), specialty_body("dermatology", "Dermatology")]),
    )


def test_doctor_list_needs_a_sign_in(client, api):
    response = client.get("/doctors?q=heart")

    assert response.status_code == 302
    assert response["Location"] == "/sign-in?next=%2Fdoctors%3Fq%3Dheart"
    assert api.requests == []


def test_doctor_list_shows_the_first_page(signed_in_patient, api, specialties):
    doctors = [
        doctor_body(full_name="Dr Ada Byron", bio="Hearts."),
        doctor_body(
            full_name="Dr Mary Somerville", specialty=specialty_body("dermatology", "Dermatology")
        ),
    ]
    api.route("GET", "/api/v1/doctors/", json=paginated(doctors))

    response = signed_in_patient.get("/doctors")

    page = page_text(response)
    assert response.status_code == 200
    assert '<h2 id="results">2 doctors</h2>' in page
    assert f'<a href="/doctors/{doctors[0]["id"]}">Dr Ada Byron</a>' in page
    assert "Dermatology" in page and "Hearts." in page
    assert 'class="pagination"' not in page
    [listed] = sent(api, "GET", "/api/v1/doctors/")
    assert listed.params == {"page": "1", "page_size": "10"}
    assert listed.bearer == signed_in_patient.access
    [choices] = sent(api, "GET", "/api/v1/specialties/")
    assert choices.bearer is None


def test_doctor_list_searches_by_words_and_specialty(signed_in_patient, api, specialties):
    api.route("GET", "/api/v1/doctors/", json=paginated([doctor_body()], count=1))

    response = signed_in_patient.get("/doctors?q=chest+pain&specialty=cardiology")

    page = page_text(response)
    assert response.status_code == 200
    assert "<title>Find a doctor: chest pain, Cardiology" in page
    assert "1 doctor for ‘chest pain’ in Cardiology</h2>" in page
    assert '<option value="cardiology" selected>Cardiology</option>' in page
    [listed] = sent(api, "GET", "/api/v1/doctors/")
    assert listed.params == {
        "page": "1",
        "page_size": "10",
        "search": "chest pain",
        "specialty": "cardiology",
    }


def test_doctor_list_pages_through_results(signed_in_patient, api, specialties):
    api.route(
        "GET",
        "/api/v1/doctors/",
        json=paginated(
            [doctor_body()], count=25, next_url="http://x/?page=3", previous_url="http://x/?page=1"
        ),
    )

    page = page_text(signed_in_patient.get("/doctors?q=heart&page=2"))

    assert "<title>Find a doctor: heart (page 2) – Clinic booking</title>" in page
    assert 'href="?q=heart&amp;specialty=&amp;page=1#results">Previous page</a>' in page
    assert 'href="?q=heart&amp;specialty=&amp;page=3#results">Next page</a>' in page
    assert "Page 2" in page
    assert sent(api, "GET", "/api/v1/doctors/")[0].params["page"] == "2"


@pytest.mark.parametrize("value", ["abc", "-3", "0"])
def test_doctor_list_with_a_nonsense_page_number_shows_the_first(
    signed_in_patient, api, specialties, value
):
    api.route("GET", "/api/v1/doctors/", json=paginated([]))

    assert signed_in_patient.get(f"/doctors?page={value}").status_code == 200
    assert sent(api, "GET", "/api/v1/doctors/")[0].params["page"] == "1"


def test_doctor_list_page_past_the_end_is_404(signed_in_patient, api, specialties):
    api.route("GET", "/api/v1/doctors/", status=404, json=problem_body(404, "not-found"))

    response = signed_in_patient.get("/doctors?page=9")

    assert response.status_code == 404
    assert "Page not found" in page_text(response)


def test_doctor_list_with_no_results_offers_a_wider_search(signed_in_patient, api, specialties):
    api.route("GET", "/api/v1/doctors/", json=paginated([]))

    page = page_text(signed_in_patient.get("/doctors?q=zebra&specialty=dermatology"))

    assert "No doctors found for ‘zebra’ in Dermatology</h2>" in page
    assert '<a href="?q=zebra">Search all specialties for ‘zebra’</a>' in page
    assert '<a href="/doctors">Show all doctors</a>' in page


def test_doctor_list_with_an_unknown_specialty_says_so_and_lists_everyone(
    signed_in_patient, api, specialties
):
    api.route("GET", "/api/v1/doctors/", json=paginated([]))

    response = signed_in_patient.get("/doctors?q=heart&specialty=astrology")

    assert response.status_code == 400
    assert "Select a valid choice" in page_text(response)
    assert sent(api, "GET", "/api/v1/doctors/")[0].params == {"page": "1", "page_size": "10"}


def test_doctor_list_escapes_what_doctors_wrote(signed_in_patient, api, specialties):
    api.route(
        "GET",
        "/api/v1/doctors/",
        json=paginated([doctor_body(full_name="<script>alert(1)</script>", bio="<img src=x>")]),
    )

    page = page_text(signed_in_patient.get("/doctors?q=<script>"))

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x>" not in page


# A doctor's week


@pytest.fixture
def tokyo_patient(sign_in):
    return sign_in(browser_zone=TOKYO)


@pytest.fixture
def doctor(api):
    body = doctor_body(full_name="Dr Who", bio="Time and space.")
    doctor_id = uuid.UUID(body["id"])
    api.route("GET", f"/api/v1/doctors/{doctor_id}/", json=body)
    return doctor_id


def test_doctor_week_groups_times_by_day_in_the_display_zone(tokyo_patient, api, doctor, settings):
    settings.CLINIC_TIME_ZONE = KOLKATA
    first = this_monday(TOKYO) + 7 * ONE_DAY
    slots = [
        slot_body(at(first - ONE_DAY, 23, 30, zone=TOKYO), doctor_id=doctor),  # Sunday before
        slot_body(at(first, 9, zone=TOKYO), doctor_id=doctor),
        slot_body(at(first, 14, 30, zone=TOKYO), doctor_id=doctor),
        slot_body(at(first + 2 * ONE_DAY, 0, 30, zone=TOKYO), doctor_id=doctor),  # Tuesday in UTC
        slot_body(at(first + 7 * ONE_DAY, 0, 30, zone=TOKYO), doctor_id=doctor),  # Sunday in UTC
    ]
    api.route("GET", slots_path(doctor), json=paginated(slots))

    response = tokyo_patient.get(f"/doctors/{doctor}?week={first.isoformat()}")

    page = page_text(response)
    assert response.status_code == 200
    assert "<h1>Dr Who</h1>" in page and "Time and space." in page
    assert "Times are in Tokyo time (UTC+9). The clinic is in Kolkata time (UTC+5:30)." in page
    monday = day_section(page, first)
    assert f'href="/book/{slots[1]["id"]}">9am<span class="vh">, ' in monday
    assert f'href="/book/{slots[2]["id"]}">2:30pm<span class="vh">' in monday
    assert "2 free times" in monday
    assert f'href="/book/{slots[3]["id"]}">12:30am' in day_section(page, first + 2 * ONE_DAY)
    assert "No free times" in day_section(page, first + ONE_DAY)
    assert "No free times" in day_section(page, first + 6 * ONE_DAY)
    assert slots[0]["id"] not in page and slots[4]["id"] not in page
    assert "has no free times this week" not in page
    # One call to each service.
    assert [(c.method, c.path) for c in sent(api)] == [
        ("GET", f"/api/v1/doctors/{doctor}/"),
        ("GET", slots_path(doctor)),
    ]
    week_call = sent(api, "GET", slots_path(doctor))[0]
    assert week_call.params == {
        "from": (first - ONE_DAY).isoformat(),
        "to": (first + 7 * ONE_DAY).isoformat(),
        "page_size": "2016",
    }
    assert week_call.bearer == tokyo_patient.access


def test_doctor_week_links_back_and_forward(tokyo_patient, api, doctor):
    first = this_monday(TOKYO) + 14 * ONE_DAY
    api.route("GET", slots_path(doctor), json=paginated([]))
    api.route("GET", slots_path(doctor), json=paginated([]), query={"page_size": "1"})

    page = page_text(tokyo_patient.get(f"/doctors/{doctor}?week={first.isoformat()}"))

    previous, following = first - 7 * ONE_DAY, first + 7 * ONE_DAY
    assert f'href="?week={previous.isoformat()}#slots">Previous week' in page
    assert f'href="?week={following.isoformat()}#slots">Next week' in page


def test_doctor_week_this_week_has_no_previous_link(tokyo_patient, api, doctor):
    api.route("GET", slots_path(doctor), json=paginated([]))
    api.route("GET", slots_path(doctor), json=paginated([]), query={"page_size": "1"})
    first = this_monday(TOKYO)

    for address in (
        f"/doctors/{doctor}",
        f"/doctors/{doctor}?week=2020-01-06",
        f"/doctors/{doctor}?week=soon",
    ):
        page = page_text(tokyo_patient.get(address))
        assert "Previous week" not in page
        assert "This is the first week" in page
    assert {
        c.params["from"]
        for c in sent(api, "GET", slots_path(doctor))
        if c.params["page_size"] == "2016"
    } == {(first - ONE_DAY).isoformat()}


def test_a_made_up_far_week_asks_only_for_a_week_within_five_years(tokyo_patient, api, doctor):
    api.route("GET", slots_path(doctor), json=paginated([]))
    api.route("GET", slots_path(doctor), json=paginated([]), query={"page_size": "1"})

    response = tokyo_patient.get(f"/doctors/{doctor}?week=9999-12-27")

    assert response.status_code == 200
    [week] = [c for c in sent(api, "GET", slots_path(doctor)) if c.params["page_size"] == "2016"]
    asked = datetime.date.fromisoformat(week.params["to"])
    assert asked <= this_monday(TOKYO) + datetime.timedelta(weeks=5 * 52 + 1)


def test_doctor_week_stops_paging_forward_after_eight_weeks(tokyo_patient, api, doctor):
    api.route("GET", slots_path(doctor), json=paginated([]))
    monday = this_monday(TOKYO)

    seventh = page_text(tokyo_patient.get(f"/doctors/{doctor}?week={monday + 49 * ONE_DAY}"))
    eighth = page_text(tokyo_patient.get(f"/doctors/{doctor}?week={monday + 56 * ONE_DAY}"))

    assert f'href="?week={(monday + 56 * ONE_DAY).isoformat()}#slots">Next week' in seventh
    assert "Next week" not in eighth
    assert "You can book up to 8 weeks ahead" in eighth


def test_empty_week_points_to_the_next_free_time_from_one_more_call(tokyo_patient, api, doctor):
    first = this_monday(TOKYO) + 7 * ONE_DAY
    later = first + 17 * ONE_DAY  # a Thursday
    api.route("GET", slots_path(doctor), json=paginated([]))
    api.route(
        "GET",
        slots_path(doctor),
        json=paginated([slot_body(at(later, 9, 15, zone=TOKYO), doctor_id=doctor)], count=40),
        query={"page_size": "1"},
    )

    page = page_text(tokyo_patient.get(f"/doctors/{doctor}?week={first.isoformat()}"))

    assert "Dr Who has no free times this week." in page
    label = f"{later:%A} {later.day} {later:%B} at 9:15am"
    monday = later - later.weekday() * ONE_DAY
    assert f'<a href="?week={monday.isoformat()}#slots">Next free time: {label}</a>' in page
    week_call, next_call = sent(api, "GET", slots_path(doctor))
    assert week_call.params["page_size"] == "2016"
    assert next_call.params == {
        "from": (first + 7 * ONE_DAY).isoformat(),
        "to": (first + 68 * ONE_DAY).isoformat(),
        "page_size": "1",
    }
    assert len(sent(api)) == 3


def test_empty_week_without_any_later_time_says_only_that(tokyo_patient, api, doctor):
    api.route("GET", slots_path(doctor), json=paginated([]))

    page = page_text(tokyo_patient.get(f"/doctors/{doctor}"))

    assert "Dr Who has no free times this week." in page
    assert "Next free time" not in page
    assert len(sent(api, "GET", slots_path(doctor))) == 2


def test_a_busy_day_is_split_into_morning_afternoon_and_evening(tokyo_patient, api, doctor):
    first = this_monday(TOKYO) + 7 * ONE_DAY
    hours = [8, 9, 10, 11, 12, 13, 15, 16, 17, 18]
    slots = [slot_body(at(first, hour, zone=TOKYO), doctor_id=doctor) for hour in hours]
    api.route("GET", slots_path(doctor), json=paginated(slots))

    monday = day_section(page_text(tokyo_patient.get(f"/doctors/{doctor}?week={first}")), first)

    assert re.findall(r'<h4 class="day__part">(\w+)</h4>', monday) == [
        "Morning",
        "Afternoon",
        "Evening",
    ]
    assert monday.index(">11am<") < monday.index("Afternoon") < monday.index(">midday<")
    assert monday.index(">4pm<") < monday.index("Evening") < monday.index(">5pm<")


def test_unknown_doctor_is_404_without_asking_for_times(tokyo_patient, api):
    missing = uuid.uuid4()
    api.route("GET", f"/api/v1/doctors/{missing}/", status=404, json=problem_body(404, "not-found"))

    response = tokyo_patient.get(f"/doctors/{missing}")

    assert response.status_code == 404
    assert sent(api, path=slots_path(missing)) == []


def test_a_doctor_sees_another_doctors_times_without_links(signed_in_doctor, api, doctor):
    first = this_monday() + 7 * ONE_DAY
    slot = slot_body(at(first, 10, zone="Europe/London"), doctor_id=doctor)
    api.route("GET", slots_path(doctor), json=paginated([slot]))

    page = page_text(signed_in_doctor.get(f"/doctors/{doctor}?week={first}"))

    assert "You are signed in as a doctor, so you cannot book." in page
    assert "/book/" not in page
    assert ">10am<" in day_section(page, first)


def test_doctor_page_escapes_the_doctors_name_and_bio(tokyo_patient, api):
    body = doctor_body(full_name="<script>alert(1)</script>", bio="<b>bold</b>")
    api.route("GET", f"/api/v1/doctors/{body['id']}/", json=body)
    api.route("GET", slots_path(body["id"]), json=paginated([]))

    page = page_text(tokyo_patient.get(f"/doctors/{body['id']}"))

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>bold</b>" not in page


# Booking a time

START = datetime.datetime(2030, 3, 4, 0, 0, tzinfo=datetime.UTC)  # 9am in Tokyo


@pytest.fixture
def slot(api, doctor):
    """A bookable slot of ``doctor`` at 9am on Monday 4 March 2030 in Tokyo."""
    body = slot_body(START, doctor_id=doctor, bookable=True)
    api.route("GET", f"/api/v1/slots/{body['id']}/", json=body)
    return uuid.UUID(body["id"])


def nearby_slots(doctor_id: uuid.UUID, hours_away: list[int]) -> list[dict]:
    return [slot_body(START + datetime.timedelta(hours=h), doctor_id=doctor_id) for h in hours_away]


def key_on(page: str) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)


def test_book_page_sums_up_the_time_with_the_clinic_time(
    tokyo_patient, api, doctor, slot, settings
):
    settings.CLINIC_TIME_ZONE = KOLKATA

    response = tokyo_patient.get(f"/book/{slot}")

    page = page_text(response)
    assert response.status_code == 200
    assert "<dd>Dr Who, Cardiology</dd>" in page
    assert "<dd>Monday 4 March 2030</dd>" in page
    assert '9am to 9:30am<br><span class="muted">Tokyo time (UTC+9)</span>' in page
    assert "At the clinic: 5:30am on Monday 4 March, Kolkata time (UTC+5:30)" in page
    assert f'href="/doctors/{doctor}?week=2030-03-04#slots">Change time' in page
    assert uuid.UUID(key_on(page))
    assert [(c.method, c.path) for c in sent(api)] == [
        ("GET", f"/api/v1/slots/{slot}/"),
        ("GET", f"/api/v1/doctors/{doctor}/"),
    ]


def test_book_page_in_the_clinics_zone_shows_no_clinic_time(signed_in_patient, api, slot):
    page = page_text(signed_in_patient.get(f"/book/{slot}"))

    assert '12am to 12:30am<br><span class="muted">London time (UTC+0)</span>' in page
    assert "At the clinic" not in page


def test_each_book_page_gets_its_own_idempotency_key(tokyo_patient, api, slot):
    first = key_on(page_text(tokyo_patient.get(f"/book/{slot}")))
    second = key_on(page_text(tokyo_patient.get(f"/book/{slot}")))

    assert first != second


def test_booking_sends_the_reason_and_the_idempotency_key(tokyo_patient, api, doctor, slot):
    booked = appointment_body(
        patient_id=tokyo_patient.person_id, doctor_id=doctor, start=START, slot_id=slot
    )
    api.route("POST", "/api/v1/appointments/", status=201, json=booked)
    key = str(uuid.uuid4())

    response = tokyo_patient.post(
        f"/book/{slot}", {"reason": "  Knee pain  ", "idempotency_key": key}
    )
    again = tokyo_patient.post(f"/book/{slot}", {"reason": "Knee pain", "idempotency_key": key})

    assert response.status_code == again.status_code == 302
    assert response["Location"] == f"/appointments/{booked['id']}/booked"
    first, second = sent(api, "POST", "/api/v1/appointments/")
    assert first.json == {"slot_id": str(slot), "reason": "Knee pain"}
    assert first.headers["Idempotency-Key"] == key
    assert second.headers["Idempotency-Key"] == key
    assert first.bearer == tokyo_patient.access
    assert first.headers["Content-Type"] == "application/json"


def test_booking_without_a_key_still_sends_one(tokyo_patient, api, doctor, slot):
    booked = appointment_body(patient_id=tokyo_patient.person_id, doctor_id=doctor, start=START)
    api.route("POST", "/api/v1/appointments/", status=201, json=booked)

    tokyo_patient.post(f"/book/{slot}", {"reason": "Knee pain"})

    [call] = sent(api, "POST", "/api/v1/appointments/")
    assert uuid.UUID(call.headers["Idempotency-Key"])


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Enter the reason for your appointment"),
        ("   ", "Enter the reason for your appointment"),
        ("x" * 501, "Reason must be 500 characters or fewer"),
    ],
)
def test_booking_with_a_missing_or_long_reason_books_nothing(
    tokyo_patient, api, slot, reason, message
):
    response = tokyo_patient.post(
        f"/book/{slot}", {"reason": reason, "idempotency_key": str(uuid.uuid4())}
    )

    page = page_text(response)
    assert response.status_code == 400
    assert f'<a href="#id_reason">{message}</a>' in page
    assert f'<span class="vh">Error:</span> {message}' in page
    assert "<title>Error: " in page
    assert sent(api, "POST") == []


@pytest.mark.parametrize("code", ["slot-taken", "slot-held-by-other"])
def test_a_time_taken_meanwhile_offers_the_nearest_times_and_keeps_the_reason(
    tokyo_patient, api, doctor, slot, code
):
    api.route("POST", "/api/v1/appointments/", status=409, json=problem_body(409, code))
    nearby = nearby_slots(doctor, [50, -30, 1, 2, -1, 3, 30, 26])
    api.route("GET", slots_path(doctor), json=paginated(nearby))

    response = tokyo_patient.post(
        f"/book/{slot}", {"reason": "Knee pain", "idempotency_key": str(uuid.uuid4())}
    )

    page = page_text(response)
    assert response.status_code == 409
    assert "<h1>That time has just been booked</h1>" in page
    assert "Someone else booked 9am on Monday 4 March while you were choosing." in page
    assert "We kept your reason." in page
    shown = re.findall(r'href="/book/([0-9a-f-]+)"', page)
    by_hours = {h: s["id"] for h, s in zip([50, -30, 1, 2, -1, 3, 30, 26], nearby, strict=True)}
    # The six nearest (50 and 30 hours away are left out), shown in time order.
    assert shown == [by_hours[h] for h in (-30, -1, 1, 2, 3, 26)]
    [call] = sent(api, "GET", slots_path(doctor))
    assert call.params == {"from": "2030-03-01", "to": "2030-03-14", "page_size": "200"}
    assert tokyo_patient.session[booking.KEPT_REASON_KEY] == "Knee pain"

    # Choosing another time brings the reason back, once.
    other = uuid.UUID(by_hours[1])
    api.route(
        "GET", f"/api/v1/slots/{other}/", json=slot_body(START, doctor_id=doctor, slot_id=other)
    )
    assert ">\nKnee pain</textarea>" in page_text(tokyo_patient.get(f"/book/{other}"))
    assert booking.KEPT_REASON_KEY not in tokyo_patient.session
    assert ">\nKnee pain</textarea>" not in page_text(tokyo_patient.get(f"/book/{other}"))


def test_a_time_taken_with_nothing_near_says_so(tokyo_patient, api, doctor, slot):
    api.route("POST", "/api/v1/appointments/", status=409, json=problem_body(409, "slot-taken"))
    api.route("GET", slots_path(doctor), json=paginated([]))

    page = page_text(tokyo_patient.post(f"/book/{slot}", {"reason": "Knee pain"}))

    assert "Dr Who has no other free times near then." in page
    assert f'href="/doctors/{doctor}?week=2030-03-04#slots">See all of Dr Who' in page


@pytest.mark.parametrize(
    ("status", "code", "message", "page_status"),
    [
        (409, "slot-unavailable", "This time can no longer be booked online.", 409),
        (409, "overlapping-appointment", "You already have an appointment at this time.", 409),
        (409, "too-many-appointments", "You have the most upcoming appointments allowed.", 409),
        (
            409,
            "too-many-appointments-with-doctor",
            "You already have as many upcoming appointments with this doctor as allowed.",
            409,
        ),
        (409, "doctor-not-bookable", "This doctor cannot be booked online yet.", 409),
        (429, "throttled", "You have done this too many times in a short while.", 429),
        (404, "slot-not-found", "This time can no longer be booked online.", 400),
        (422, "idempotency-key-reused", "This form was already used.", 400),
        (409, "something-new", "Something went wrong with this answer.", 409),
    ],
)
def test_a_refused_booking_says_why_and_keeps_the_reason(
    tokyo_patient, api, slot, status, code, message, page_status
):
    api.route("POST", "/api/v1/appointments/", status=status, json=problem_body(status, code))

    response = tokyo_patient.post(f"/book/{slot}", {"reason": "Knee <pain>"})

    page = page_text(response)
    assert response.status_code == page_status
    assert re.search(r'<ul class="error-summary__list">\s*<li>' + re.escape(message), page)
    assert ">\nKnee &lt;pain&gt;</textarea>" in page
    assert booking.KEPT_REASON_KEY not in tokyo_patient.session


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (409, "too-many-appointments"),
        (409, "overlapping-appointment"),
        (422, "idempotency-key-reused"),
    ],
)
def test_a_refused_booking_gets_a_new_key_for_the_next_attempt(
    tokyo_patient, api, doctor, slot, status, code
):
    # The service answers a key's first refusal to every resend of it: once the patient has
    # made room (cancelled another appointment), sending the form again must really try again.
    api.route("POST", "/api/v1/appointments/", status=status, json=problem_body(status, code))
    key = str(uuid.uuid4())

    page = page_text(
        tokyo_patient.post(f"/book/{slot}", {"reason": "Knee", "idempotency_key": key})
    )

    assert key_on(page) != key
    assert uuid.UUID(key_on(page))


def test_a_booking_still_in_progress_keeps_its_key(tokyo_patient, api, slot):
    api.route(
        "POST",
        "/api/v1/appointments/",
        status=409,
        json=problem_body(409, "idempotency-in-progress"),
    )
    key = str(uuid.uuid4())

    response = tokyo_patient.post(f"/book/{slot}", {"reason": "Knee", "idempotency_key": key})

    page = page_text(response)
    assert response.status_code == 409
    assert "We are still booking this appointment." in page
    assert key_on(page) == key


def test_a_form_error_keeps_the_key_as_nothing_was_sent(tokyo_patient, api, slot):
    key = str(uuid.uuid4())

    page = page_text(tokyo_patient.post(f"/book/{slot}", {"reason": "", "idempotency_key": key}))

    assert key_on(page) == key


def test_booking_a_reason_with_field_errors_from_the_api(tokyo_patient, api, slot):
    api.route(
        "POST",
        "/api/v1/appointments/",
        status=400,
        json=problem_body(
            400,
            "validation-error",
            errors=[
                {"field": "reason", "code": "max_length", "detail": "Too long."},
                {"field": "slot_id", "code": "invalid", "detail": "Not a UUID."},
            ],
        ),
    )

    response = tokyo_patient.post(f"/book/{slot}", {"reason": "Knee pain"})

    page = page_text(response)
    assert response.status_code == 400
    assert '<a href="#id_reason">Reason must be 500 characters or fewer</a>' in page
    assert "<li>Not a UUID.</li>" in page


def test_a_time_no_longer_bookable_when_opened_offers_the_nearest_without_guessing_why(
    tokyo_patient, api, doctor
):
    body = slot_body(START, doctor_id=doctor, bookable=False)
    api.route("GET", f"/api/v1/slots/{body['id']}/", json=body)
    api.route("GET", slots_path(doctor), json=paginated(nearby_slots(doctor, [2])))
    api.route("GET", "/api/v1/appointments/", json=paginated([]))

    response = tokyo_patient.get(f"/book/{body['id']}")

    page = page_text(response)
    assert response.status_code == 409
    assert "That time can no longer be booked" in page
    assert "Someone else booked" not in page
    assert "Nearest free times" in page
    assert "Book appointment" not in page
    assert sent(api, "POST") == []


def test_opening_a_time_one_booked_oneself_leads_to_that_appointment(tokyo_patient, api, doctor):
    body = slot_body(START, doctor_id=doctor, bookable=False)
    api.route("GET", f"/api/v1/slots/{body['id']}/", json=body)
    mine = appointment_body(
        patient_id=tokyo_patient.person_id, doctor_id=doctor, start=START, slot_id=body["id"]
    )
    other = appointment_body(patient_id=tokyo_patient.person_id, doctor_id=doctor, start=START)
    api.route("GET", "/api/v1/appointments/", json=paginated([other, mine]))

    response = tokyo_patient.get(f"/book/{body['id']}")

    assert response.status_code == 302
    assert response["Location"] == f"/appointments/{mine['id']}"
    assert "status=upcoming" in api.queries[-1]
    assert sent(api, "POST") == []


def test_booking_an_unknown_time_is_404(tokyo_patient, api):
    missing = uuid.uuid4()
    api.route("GET", f"/api/v1/slots/{missing}/", status=404, json=problem_body(404, "not-found"))

    assert tokyo_patient.get(f"/book/{missing}").status_code == 404
    assert tokyo_patient.post(f"/book/{missing}", {"reason": "x"}).status_code == 404
    assert sent(api, "POST") == []


def test_booking_a_time_of_a_doctor_no_longer_listed_is_404(tokyo_patient, api):
    doctor_id = uuid.uuid4()
    body = slot_body(START, doctor_id=doctor_id)
    api.route("GET", f"/api/v1/slots/{body['id']}/", json=body)
    api.route("GET", f"/api/v1/doctors/{doctor_id}/", status=404, json=problem_body(404, "x"))

    assert tokyo_patient.get(f"/book/{body['id']}").status_code == 404


def test_doctors_cannot_book(signed_in_doctor, api, slot):
    assert signed_in_doctor.get(f"/book/{slot}").status_code == 404
    assert signed_in_doctor.post(f"/book/{slot}", {"reason": "x"}).status_code == 404
    assert api.requests == []


# Booked


def test_booked_page_confirms_the_time_and_names_the_doctor(tokyo_patient, api, doctor):
    booked = appointment_body(
        patient_id=tokyo_patient.person_id, doctor_id=doctor, start=START, reason="Knee\npain"
    )
    api.route("GET", f"/api/v1/appointments/{booked['id']}/", json=booked)
    api.route(
        "GET", "/internal/v1/profiles/", json=paginated([profile_body(doctor, full_name="Dr Who")])
    )

    response = tokyo_patient.get(f"/appointments/{booked['id']}/booked")

    page = page_text(response)
    assert response.status_code == 200
    assert '<h1 class="panel__title">Appointment booked</h1>' in page
    assert "Monday 4 March 2030 at 9am" in page
    assert "<dd>Dr Who</dd>" in page
    assert "<dd>Knee<br>pain</dd>" in page
    assert f'href="/appointments/{booked["id"]}/calendar.ics" download' in page
    [names] = sent(api, "GET", "/internal/v1/profiles/")
    assert names.params == {"ids": str(doctor), "page_size": "100"}
    assert names.bearer == SERVICE_TOKEN


def test_booked_page_of_someone_elses_appointment_is_404(tokyo_patient, api):
    other = uuid.uuid4()
    api.route("GET", f"/api/v1/appointments/{other}/", status=404, json=problem_body(404, "x"))

    assert tokyo_patient.get(f"/appointments/{other}/booked").status_code == 404
    assert sent(api, path="/internal/v1/profiles/") == []


def test_an_unexpected_refusal_of_a_page_is_the_calm_500_page(sign_in, api, specialties):
    from django.test import Client

    patient = sign_in(client=Client(raise_request_exception=False))
    api.route(
        "GET",
        "/api/v1/doctors/",
        status=400,
        json=problem_body(400, "validation-error", detail="search: secret internals"),
    )

    response = patient.get("/doctors?q=heart")

    page = page_text(response)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in page
    assert "secret internals" not in page and "Traceback" not in page
