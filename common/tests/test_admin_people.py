"""Tests of common.admin_people: a ModelAdmin over admin log entries, whose ``object_id``
holds a person's id here, with common.people faked (common.testing.FakePeople)."""

import uuid
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.admin.templatetags.admin_list import result_headers, results
from django.contrib.auth import get_user_model
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from common.admin_people import (
    NAMES_UNAVAILABLE,
    SEARCH_UNAVAILABLE,
    PeopleAdminMixin,
    _label,
    _role,
    _value,
    may_see_contact_details,
)
from common.permissions import GROUP_FRONT_DESK, GROUP_READ_ONLY

pytestmark = pytest.mark.django_db


class EntryAdmin(PeopleAdminMixin, admin.ModelAdmin):
    people_fields = ("object_id",)
    list_display = ("action_flag", "object_id", "object_repr")
    list_display_links = None  # this site has no URLs to link to
    search_fields = ("=object_repr",)
    fields = ("action_flag", "object_id", "object_repr")

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_staff  # every staff group looks here


@pytest.fixture
def model_admin():
    return EntryAdmin(LogEntry, admin.AdminSite(name="people-tests"))


def user(*, superuser=False, groups=()):
    from common.admin_groups import local_groups

    account = get_user_model().objects.create(
        username=f"staff-{uuid.uuid4()}", is_staff=True, is_superuser=superuser
    )
    account.groups.set(local_groups(groups))
    return account


@pytest.fixture
def clinic_admin():
    return user(superuser=True)


def request_for(account, **params):
    request = RequestFactory().get("/admin/admin/logentry/", params)
    request.user = account
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def entry(account, object_id, repr_="entry"):
    return LogEntry.objects.create(
        user=account, object_id=str(object_id), object_repr=repr_, action_flag=ADDITION
    )


def rendered(response) -> str:
    """The changelist's column headers and cells (its template needs this site's URLs)."""
    assert response.status_code == 200
    changelist = response.context_data["cl"]
    headers = [str(header["text"]) for header in result_headers(changelist)]
    cells = [str(cell) for row in results(changelist) for cell in row]
    return "\n".join(f">{header}<" for header in headers) + "\n".join(cells)


def messages_of(request) -> list[str]:
    return [str(message) for message in request._messages]


def test_the_changelist_names_everyone_on_the_page_in_one_look_up(
    model_admin, fake_people, clinic_admin
):
    ana = fake_people.patient(full_name="Ana Lima", email="ana@demo.clinic", phone="+44 1")
    lena = fake_people.doctor(full_name="Dr. Lena Weber")
    stranger = uuid.uuid4()
    for object_id in (ana.id, lena.id, stranger, ana.id):
        entry(clinic_admin, object_id)
    LogEntry.objects.create(user=clinic_admin, object_repr="no id", action_flag=CHANGE)

    page = rendered(model_admin.changelist_view(request_for(clinic_admin)))

    assert fake_people.calls == [{ana.id, lena.id, stranger}]
    assert "Ana Lima" in page
    assert "ana@demo.clinic" in page
    assert "+44 1" in page
    assert "Dr. Lena Weber" in page
    assert "Cardiology" in page
    assert str(stranger) in page
    assert ">Object<" in page


@pytest.mark.parametrize(
    ("groups", "sees"), [((GROUP_FRONT_DESK,), True), ((GROUP_READ_ONLY,), False), ((), False)]
)
def test_emails_and_phones_only_for_clinic_admins_and_the_front_desk(
    model_admin, fake_people, clinic_admin, groups, sees
):
    ana = fake_people.patient(email="ana@demo.clinic", phone="+44 1")
    entry(clinic_admin, ana.id)

    page = rendered(model_admin.changelist_view(request_for(user(groups=groups))))

    assert "Ana Lima" in page
    assert ("ana@demo.clinic" in page) is sees
    assert ("+44 1" in page) is sees


def test_an_inactive_user_sees_no_contact_details(clinic_admin):
    clinic_admin.is_active = False
    assert may_see_contact_details(clinic_admin) is False
    assert may_see_contact_details(SimpleNamespace()) is False


def test_when_names_are_unavailable_the_ids_show_with_a_notice(
    model_admin, fake_people, clinic_admin
):
    ana = fake_people.patient()
    entry(clinic_admin, ana.id)
    fake_people.down = True
    request = request_for(clinic_admin)

    page = rendered(model_admin.changelist_view(request))

    assert str(ana.id) in page
    assert "Ana Lima" not in page
    assert messages_of(request) == [NAMES_UNAVAILABLE]


def test_an_empty_page_asks_for_nobody(model_admin, fake_people, clinic_admin):
    rendered(model_admin.changelist_view(request_for(clinic_admin)))
    assert fake_people.calls == []


def test_search_by_name_or_email_adds_their_rows_to_those_found_by_id(
    model_admin, fake_people, clinic_admin
):
    ana = fake_people.patient(full_name="Ana Lima", email="ana@demo.clinic")
    mine = entry(clinic_admin, ana.id)
    named = entry(clinic_admin, uuid.uuid4(), repr_="Lima")
    entry(clinic_admin, uuid.uuid4())

    for text in ("lima", "ana@demo"):
        response = model_admin.changelist_view(request_for(clinic_admin, q=text))
        found = {row.pk for row in response.context_data["cl"].result_list}
        assert found == ({mine.pk, named.pk} if text == "lima" else {mine.pk})
    assert fake_people.searches == [("lima", None), ("ana@demo", None)]


def test_search_by_id_or_nothing_asks_for_no_names(model_admin, fake_people, clinic_admin):
    rendered(model_admin.changelist_view(request_for(clinic_admin, q=str(uuid.uuid4()))))
    rendered(model_admin.changelist_view(request_for(clinic_admin, q="  ")))
    rendered(model_admin.changelist_view(request_for(clinic_admin, q="nobody")))
    assert fake_people.searches == [("nobody", None)]


def test_search_when_names_are_unavailable_says_so(model_admin, fake_people, clinic_admin):
    named = entry(clinic_admin, uuid.uuid4(), repr_="Lima")
    fake_people.down = True
    request = request_for(clinic_admin, q="Lima")

    response = model_admin.changelist_view(request)

    assert [row.pk for row in response.context_data["cl"].result_list] == [named.pk]
    assert SEARCH_UNAVAILABLE in messages_of(request)


def test_the_change_page_names_the_person_read_only_after_the_id(
    model_admin, fake_people, clinic_admin
):
    ana = fake_people.patient(full_name="Ana Lima")
    row = entry(clinic_admin, ana.id)
    request = request_for(clinic_admin)

    shown = model_admin.get_object(request, str(row.pk))

    assert model_admin.get_fields(request, shown) == [
        "action_flag",
        "object_id",
        "person_object_id",
        "object_repr",
    ]
    assert "person_object_id" in model_admin.get_readonly_fields(request, shown)
    assert "Ana Lima" in model_admin.person_object_id(shown)
    assert model_admin.person_object_id(row) == f'<span class="person-id">{ana.id}</span>'
    assert len(fake_people.calls) == 1


def test_a_missing_object_asks_for_nobody(model_admin, fake_people, clinic_admin):
    assert model_admin.get_object(request_for(clinic_admin), "999999") is None
    assert fake_people.calls == []


def test_lookups_across_relations_labels_and_roles():
    obj = SimpleNamespace(doctor=SimpleNamespace(doctor_id="x"), nobody=None)
    assert _value(obj, "doctor__doctor_id") == "x"
    assert _value(obj, "nobody__doctor_id") is None
    assert (_label("doctor__doctor_id"), _role("doctor__doctor_id")) == ("Doctor", "doctor")
    assert (_label("patient_id"), _role("patient_id")) == ("Patient", "patient")
    assert (_label("actor_id"), _role("actor_id")) == ("Actor", None)


def test_fake_people_stands_in_for_common_people(fake_people):
    from common import people

    ana = fake_people.patient("5e1c9d2a-7b3f-4c6d-8e9a-1b2c3d4e5f60")
    lena = fake_people.doctor()

    assert people.people_get([str(ana.id), None, lena.id]) == {ana.id: ana, lena.id: lena}
    assert people.people_search("ana.lima@") == [ana]
    assert people.people_search("weber", role="patient") == []
    assert people.people_search(" ") == []
    fake_people.down = True
    with pytest.raises(people.ServiceUnavailable):
        people.people_get([ana.id])
