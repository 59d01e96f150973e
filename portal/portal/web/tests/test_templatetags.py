"""Template helpers, the display zone every page knows, and the forms' error summary."""

import datetime
import uuid
from importlib import import_module
from types import SimpleNamespace

import pytest
from django import forms as django_forms
from django.conf import settings
from django.template import Context, Template
from django.test import RequestFactory

from common.testing import user_token
from portal.web import auth
from portal.web.context import display_zone, portal
from portal.web.forms import account, booking
from portal.web.forms.base import PortalForm
from portal.web.templatetags import portal as tags

UTC = datetime.UTC
START = datetime.datetime(2030, 3, 4, 0, 0, tzinfo=UTC)


def render(source: str, **context) -> str:
    return Template("{% load portal %}" + source).render(Context(context))


def appointment(status="upcoming", outcome=None, late=False):
    return SimpleNamespace(status=status, outcome=outcome, late_cancellation=late)


def test_times_are_shown_in_the_pages_zone():
    context = {
        "display_zone": "Asia/Tokyo",
        "start": START,
        "end": START + datetime.timedelta(minutes=45),
    }

    assert render("{% local_date start %}", **context) == "Monday 4 March 2030"
    assert render("{% local_date start year=False %}", **context) == "Monday 4 March"
    assert render("{% local_time start %}", **context) == "9am"
    assert render("{% local_range start end %}", **context) == "9am to 9:45am"
    assert render("{% local_zone start %}", **context) == "Tokyo time (UTC+9)"


def test_times_without_a_zone_are_in_utc():
    assert render("{% local_time start %}", start=START) == "12am"


def test_zone_label():
    assert render("{% zone_label 'Europe/London' day %}", day=datetime.date(2030, 7, 1)) == (
        "London time (UTC+1)"
    )
    assert render("{% zone_label 'Asia/Kolkata' start %}", start=START) == "Kolkata time (UTC+5:30)"


def test_time_with_zones_adds_the_clinic_time_only_when_its_offset_differs():
    end = START + datetime.timedelta(minutes=30)
    tokyo = {"display_zone": "Asia/Tokyo", "clinic_zone": "Asia/Kolkata", "start": START}
    assert render("{% time_with_zones start end %}", end=end, **tokyo) == (
        '9am to 9:30am<br><span class="muted">Tokyo time (UTC+9)</span>'
        '<br><span class="muted">At the clinic: 5:30am on Monday 4 March, '
        "Kolkata time (UTC+5:30)</span>"
    )
    # UTC and London share an offset in March: naming the clinic's time again adds nothing.
    utc = {"display_zone": "UTC", "clinic_zone": "Europe/London", "start": START}
    assert "At the clinic" not in render("{% time_with_zones start end %}", end=end, **utc)


@pytest.mark.parametrize(
    ("item", "role", "html"),
    [
        (appointment(), "patient", '<strong class="tag tag--upcoming">Upcoming</strong>'),
        (appointment("completed", "completed"), "patient", 'tag--completed">Completed<'),
        (appointment("completed"), "patient", 'tag--completed">Completed<'),
        (appointment("completed", "no_show"), "patient", 'tag--missed">Missed<'),
        (appointment("completed", "no_show"), "doctor", 'tag--missed">No-show<'),
        (appointment("cancelled"), "patient", 'tag--cancelled">Cancelled<'),
        (appointment("cancelled", late=True), "doctor", 'tag--cancelled">Cancelled late<'),
        (appointment("upcoming", "no_show"), "patient", 'tag--upcoming">Upcoming<'),
        (appointment("pending"), "patient", 'tag--upcoming">pending<'),
    ],
)
def test_status_tag(item, role, html):
    person = SimpleNamespace(is_doctor=role == "doctor")

    assert html in render("{% status_tag a %}", a=item, person=person)


def test_status_tag_without_a_person():
    assert "Missed" in render("{% status_tag a %}", a=appointment("completed", "no_show"))


def test_slot_url():
    slot = SimpleNamespace(id=uuid.UUID(int=5))
    appointment_id = uuid.UUID(int=9)

    assert tags.slot_url("book", slot) == f"/book/{slot.id}"
    assert tags.slot_url("appointment-reschedule-confirm", slot, appointment_id) == (
        f"/appointments/{appointment_id}/reschedule/{slot.id}"
    )


def test_nav_current():
    request = SimpleNamespace(resolver_match=SimpleNamespace(url_name="doctor-list"))

    assert tags.nav_current(request, "doctor-list") == ' aria-current="page"'
    assert tags.nav_current(request, "appointment-list") == ""
    assert tags.nav_current(SimpleNamespace(), "doctor-list") == ""
    # A page inside a section marks the section's link as current, not as this page.
    inside = SimpleNamespace(resolver_match=SimpleNamespace(url_name="book"))
    assert tags.nav_current(inside, "doctor-list doctor-detail book") == ' aria-current="true"'


def test_get_filter():
    key = uuid.uuid4()

    assert tags.get({key: SimpleNamespace(full_name="Dr Who")}, key) == "Dr Who"
    assert tags.get({"upcoming": "Upcoming"}, "upcoming") == "Upcoming"
    assert tags.get({}, key) is None
    assert tags.get(None, key) is None


@pytest.mark.parametrize(
    ("action", "label"),
    [
        ("booked", "Booked"),
        ("reason_changed", "Reason changed"),
        ("no_show", "Marked no-show"),
        ("rescheduled", "Moved to a new time"),
        ("something_new", "Something new"),
    ],
)
def test_event_label(action, label):
    assert tags.event_label(action) == label


# The display zone


def request_with(zone=None, role=None, profile_zone=None):
    request = RequestFactory().get("/")
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    if zone:
        request.session[auth.TIME_ZONE_KEY] = zone
    if role:
        auth.sign_in(
            request,
            access=user_token(uuid.uuid4(), role),
            refresh="r",
            email="x@example.com",
            full_name="X",
            time_zone=profile_zone,
        )
    return request


@pytest.mark.parametrize(
    ("zone", "role", "profile_zone", "expected"),
    [
        (None, None, None, ("Europe/London", True)),
        ("Asia/Tokyo", None, None, ("Asia/Tokyo", False)),
        ("Mars/Base", None, None, ("Europe/London", True)),
        ("Asia/Tokyo", "patient", None, ("Asia/Tokyo", False)),
        ("Asia/Tokyo", "doctor", "America/Chicago", ("America/Chicago", False)),
        ("Asia/Tokyo", "doctor", "Not/AZone", ("Asia/Tokyo", False)),
        (None, "doctor", None, ("Europe/London", True)),
    ],
)
def test_display_zone(zone, role, profile_zone, expected, settings):
    settings.CLINIC_TIME_ZONE = "Europe/London"

    assert display_zone(request_with(zone, role, profile_zone)) == expected


def test_every_page_knows_the_clinic_and_the_person(settings):
    settings.CLINIC_NAME = "Riverside Clinic"
    settings.CLINIC_PHONE = "0100"

    context = portal(request_with("Asia/Tokyo", "patient"))

    assert context["clinic_name"] == "Riverside Clinic"
    assert context["clinic_phone"] == "0100"
    assert context["person"].is_patient
    assert (context["display_zone"], context["display_zone_is_clinic_default"]) == (
        "Asia/Tokyo",
        False,
    )


# Forms


class ChoiceForm(PortalForm):
    name = django_forms.CharField()
    colour = django_forms.ChoiceField(
        choices=[("r", "Red"), ("g", "Green")], widget=django_forms.RadioSelect
    )


def test_summary_lists_form_errors_first_then_fields_in_order_with_their_anchors():
    form = ChoiceForm({})
    form.is_valid()
    form.add_error(None, "Something about the whole form")

    assert form.summary() == [
        ("", "Something about the whole form"),
        ("id_name", "This field is required."),
        ("id_colour_0", "This field is required."),
    ]


def test_forms_render_without_browser_validation():
    html = str(account.SignInForm())

    assert " required" not in html


def test_book_form_key_is_the_one_sent_or_a_new_one():
    key = uuid.uuid4()
    sent = booking.BookForm({"reason": "x", "idempotency_key": str(key)})
    bare = booking.BookForm({"reason": "x"})

    assert sent.is_valid() and bare.is_valid()
    assert sent.key() == str(key)
    assert uuid.UUID(bare.key())


def test_time_zone_form_accepts_a_detected_zone_outside_the_list_but_nothing_made_up():
    detected = account.TimeZoneForm({"time_zone": "Pacific/Chatham"}, detected="Pacific/Chatham")
    made_up = account.TimeZoneForm({"time_zone": "Mars/Base"}, detected="Mars/Base")

    assert detected.is_valid()
    assert not made_up.is_valid()
    assert made_up.errors["time_zone"] == ["Select a time zone from the list"]


def _event(action: str, data: dict) -> SimpleNamespace:
    return SimpleNamespace(action=action, data=data)


def test_event_detail_gives_a_moves_old_and_new_times_in_the_page_zone():
    moved = _event(
        "rescheduled",
        {
            "from": {"start": "2030-03-04T00:00:00+00:00"},
            "to": {"start": "2030-03-05T04:30:00+00:00"},
        },
    )

    html = render("{% event_detail event %}", event=moved, display_zone="Asia/Tokyo")

    assert html == (
        '<br><span class="timeline__detail">From 9am on Monday 4 March '
        "to 1:30pm on Tuesday 5 March</span>"
    )


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (_event("cancelled", {"late": True}), "Recorded as a late cancellation"),
        (_event("cancelled", {"late": False}), ""),
        (_event("rescheduled", {"from": {}}), ""),  # an old event without times
        (_event("booked", {}), ""),
    ],
)
def test_event_detail_says_nothing_it_cannot_back(event, expected):
    html = render("{% event_detail event %}", event=event, display_zone="UTC")

    assert (expected in html) if expected else html == ""
