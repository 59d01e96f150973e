"""Names beside the ids in the admins: a ``ModelAdmin`` mixin over ``common.people``.

A service's admin lists and shows the patients and doctors behind its
``<thing>_id`` fields by name (and, to the clinic-admin and front-desk groups,
by email and phone), and finds rows by a person's name or email::

    @admin.register(Appointment)
    class AppointmentAdmin(PeopleAdminMixin, admin.ModelAdmin):
        people_fields = ("patient_id", "doctor_id")
        list_display = ("id", "patient_id", "doctor_id", "start")

Each id column of ``list_display`` (and each id field of the change page)
becomes a person column that still shows the id. A changelist page asks
``people_get`` once for every person on it; when user_service cannot answer,
the page shows the ids and says why.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from common import people
from common.errors import ServiceUnavailable
from common.permissions import GROUP_CLINIC_ADMIN, GROUP_FRONT_DESK

# The staff groups that see a person's email and phone; the others see names only.
CONTACT_DETAILS_GROUPS = (GROUP_CLINIC_ADMIN, GROUP_FRONT_DESK)
NAMES_UNAVAILABLE = (
    "Names cannot be shown right now (the user service is unavailable); the ids are shown."
)
SEARCH_UNAVAILABLE = (
    "Searching by name or email is unavailable right now (the user service is unavailable); "
    "searching by id still works."
)
# Where the people of a page wait on each object for its person columns.
_ATTRIBUTE = "_people_on_page"


@dataclass(frozen=True)
class _PeopleOnPage:
    people: dict[uuid.UUID, people.Person]
    contact_details: bool  # may the viewer see emails and phones


def may_see_contact_details(user: Any) -> bool:
    """Whether ``user`` (a local admin user) may see people's emails and phones."""
    if not getattr(user, "is_active", False):
        return False
    return user.is_superuser or user.groups.filter(name__in=CONTACT_DETAILS_GROUPS).exists()


def _value(obj: Any, lookup: str) -> Any:
    for part in lookup.split("__"):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def _as_uuid(value: Any) -> uuid.UUID | None:
    if value is None or isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _role(lookup: str) -> str | None:
    """The role a lookup's ids have: ``patient_id`` → patient, ``doctor__doctor_id`` → doctor."""
    name = lookup.rsplit("__", 1)[-1].removesuffix("_id")
    return name if name in ("patient", "doctor") else None


def _label(lookup: str) -> str:
    return lookup.rsplit("__", 1)[-1].removesuffix("_id").replace("_", " ").capitalize()


def _column_name(lookup: str) -> str:
    return f"person_{lookup}"


class PeopleAdminMixin:
    """Show the people behind ``people_fields`` by name, and search rows by name or email.

    ``people_fields`` are lookups of person ids on the model (``patient_id``,
    or across a foreign key ``doctor__doctor_id``). An entry of
    ``list_display`` or of the change page's fields that is such a lookup, or
    its first part (``doctor`` for ``doctor__doctor_id``), is replaced by a
    person column (``person_<lookup>``) labelled after the id (``Patient``).
    Put the mixin before ``admin.ModelAdmin`` in the bases.
    """

    people_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for lookup in self.people_fields:
            setattr(self, _column_name(lookup), self._person_column(lookup))

    # Columns

    def _person_column(self, lookup: str) -> Callable[[Any], str]:
        def column(obj: Any) -> str:
            return self.person_html(obj, lookup)

        column.short_description = _label(lookup)  # type: ignore[attr-defined]
        column.admin_order_field = lookup  # type: ignore[attr-defined]
        return column

    def person_html(self, obj: Any, lookup: str) -> str:
        """The person ``lookup`` of ``obj`` names: name, details the viewer may see, and id."""
        user_id = _as_uuid(_value(obj, lookup))
        if user_id is None:
            return self.get_empty_value_display()  # type: ignore[attr-defined]
        page: _PeopleOnPage | None = getattr(obj, _ATTRIBUTE, None)
        person = page.people.get(user_id) if page else None
        if person is None:
            return format_html('<span class="person-id">{}</span>', user_id)
        details = [person.specialty] if person.specialty else []
        if page and page.contact_details:
            details += [value for value in (person.email, person.phone) if value]
        return format_html(
            '<span class="person-name">{}</span>{}<br><small class="person-id">{}</small>',
            person.full_name,
            format_html_join(
                "", '<br><small class="person-details">{}</small>', [(d,) for d in details]
            ),
            user_id,
        )

    def _columns_by_entry(self) -> dict[str, str]:
        columns: dict[str, str] = {}
        for lookup in self.people_fields:
            columns.setdefault(lookup, _column_name(lookup))
            columns.setdefault(lookup.split("__", 1)[0], _column_name(lookup))
        return columns

    def people_attach(self, request: HttpRequest, objects: Iterable[Any]) -> None:
        """Look up, in one ``people_get``, the people of ``objects`` for their person columns.

        When user_service cannot answer, the columns show the ids and the
        page says why.
        """
        objects = list(objects)
        ids = {
            person_id
            for obj in objects
            for lookup in self.people_fields
            if (person_id := _as_uuid(_value(obj, lookup))) is not None
        }
        try:
            found = people.people_get(ids) if ids else {}
        except ServiceUnavailable:
            self.message_user(request, NAMES_UNAVAILABLE, level=messages.WARNING)  # type: ignore[attr-defined]
            found = {}
        page = _PeopleOnPage(people=found, contact_details=may_see_contact_details(request.user))
        for obj in objects:
            setattr(obj, _ATTRIBUTE, page)

    # The changelist

    def get_list_display(self, request: HttpRequest) -> Any:
        columns = self._columns_by_entry()
        return [
            columns.get(entry, entry) if isinstance(entry, str) else entry
            for entry in super().get_list_display(request)  # type: ignore[misc]
        ]

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        changelist = super().get_changelist_instance(request)  # type: ignore[misc]
        self.people_attach(request, changelist.result_list)
        return changelist

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        """Also find the rows whose people's name (or, with ``@``, email) contains the text."""
        results, may_have_duplicates = super().get_search_results(  # type: ignore[misc]
            request, queryset, search_term
        )
        text = search_term.strip()
        if not text or not self.people_fields or _as_uuid(text) is not None:
            return results, may_have_duplicates
        roles = {_role(lookup) for lookup in self.people_fields}
        try:
            found = people.people_search(text, role=roles.pop() if len(roles) == 1 else None)
        except ServiceUnavailable:
            self.message_user(request, SEARCH_UNAVAILABLE, level=messages.WARNING)  # type: ignore[attr-defined]
            return results, may_have_duplicates
        matches = Q()
        for lookup in self.people_fields:
            role = _role(lookup)
            ids = [person.id for person in found if role is None or person.role == role]
            if ids:
                matches |= Q(**{f"{lookup}__in": ids})
        if not matches:
            return results, may_have_duplicates
        return queryset.filter(Q(pk__in=results.values("pk")) | matches), may_have_duplicates

    # The change page

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        obj = super().get_object(request, object_id, from_field)  # type: ignore[misc]
        if obj is not None:
            self.people_attach(request, [obj])
        return obj

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        return fields + [_column_name(lookup) for lookup in self.people_fields]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """The fields, each person column right after the id field it names."""
        names = {_column_name(lookup) for lookup in self.people_fields}
        columns = self._columns_by_entry()
        fields = []
        for field in super().get_fields(request, obj):  # type: ignore[misc]
            if field in names:
                continue
            fields.append(field)
            if field in columns and columns[field] not in fields:
                fields.append(columns[field])
        return fields
