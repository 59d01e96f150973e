"""Every read of the profiles app."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from functools import reduce
from operator import and_

from django.db.models import BooleanField, F, Func, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from common.fields import as_uuid
from common.permissions import ROLE_DOCTOR, ROLE_PATIENT, ROLE_STAFF
from user_service.profiles.exceptions import (
    DoctorNotFound,
    PendingDoctorsStaffOnly,
    ProfileNotFound,
    UnknownSpecialty,
)
from user_service.profiles.models import Doctor, Patient, ProfileOwner, Specialty

# API ``ordering`` value → ORDER BY; every one ends in the primary key so pages are stable.
DOCTOR_ORDERINGS: dict[str, tuple[str, ...]] = {
    "full_name": ("full_name", "user_id"),
    "-full_name": ("-full_name", "-user_id"),
    "specialty": ("specialty__name", "full_name", "user_id"),
    "-specialty": ("-specialty__name", "full_name", "user_id"),
}
DOCTOR_ORDERING_LABELS = {
    "full_name": "Name, A to Z",
    "-full_name": "Name, Z to A",
    "specialty": "Specialty name, A to Z, then name",
    "-specialty": "Specialty name, Z to A, then name",
}
# API ``status`` value of the directory → which doctors; only staff may ask for pending ones.
DOCTOR_STATUS_APPROVED = "approved"
DOCTOR_STATUS_PENDING = "pending"
DOCTOR_STATUS_ALL = "all"
DOCTOR_STATUS_LABELS = {
    DOCTOR_STATUS_APPROVED: "Approved doctors (the directory everyone sees)",
    DOCTOR_STATUS_PENDING: "Doctors waiting for approval (staff only)",
    DOCTOR_STATUS_ALL: "Both (staff only)",
}
MAX_SEARCH_TERMS = 8
# The most user ids one batch look-up (GET /internal/v1/profiles/?ids=) may name.
PROFILE_LIST_MAX_IDS = 100
# The longest name search (GET /internal/v1/profiles/?search=) accepted.
PROFILE_SEARCH_MAX_LENGTH = 100

Profile = Doctor | Patient
# What the directory shows of a doctor (``doctor_rows``).
DOCTOR_ROW_FIELDS = (
    "user_id",
    "full_name",
    "specialty__slug",
    "specialty__name",
    "bio",
    "timezone",
    "approved_at",
)


def specialty_list() -> QuerySet[Specialty]:
    """Return every specialty, by name."""
    return Specialty.objects.order_by("name", "slug")


def specialty_get(*, slug: str, field: str = "specialty") -> Specialty:
    """Return the specialty with ``slug``.

    Raises ``UnknownSpecialty`` (a 400 naming ``field``) when there is none.
    """
    try:
        return Specialty.objects.get(slug=slug)
    except Specialty.DoesNotExist as exc:
        raise UnknownSpecialty(slug, field=field) from exc


class _InSpecialties(Func):
    """The doctor's specialty is one whose name contains ``term`` (any case).

    On the doctor's own column, not through the join, so that under the
    search's ``OR`` every arm can use an index: on PostgreSQL
    ``specialty_id = ANY(ARRAY(SELECT ...))`` (the array is computed once and
    the specialty index answers), beside the trigram indexes on name and bio
    (migration 0006). Elsewhere ``specialty_id IN (SELECT ...)``.
    """

    output_field = BooleanField()

    def __init__(self, term: str):
        names = Specialty.objects.filter(name__icontains=term).values("pk")
        super().__init__(F("specialty"), Subquery(names))

    def as_sql(self, compiler, connection, **extra_context):  # type: ignore[override]
        (column, column_params), (names, names_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        template = "%s = ANY(ARRAY%s)" if connection.vendor == "postgresql" else "%s IN %s"
        return template % (column, names), (*column_params, *names_params)


def doctor_list(
    *,
    search: str = "",
    specialty_slug: str | None = None,
    ordering: str = "full_name",
    status: str = DOCTOR_STATUS_APPROVED,
    viewer_role: str | None = None,
) -> QuerySet[Doctor]:
    """Return doctors with their specialty joined in (one query however many rows).

    ``status`` (a key of ``DOCTOR_STATUS_LABELS``) picks approved doctors (the
    directory), pending ones or both; the last two only for a ``viewer_role``
    of staff, else ``PendingDoctorsStaffOnly`` (403). ``search`` is split on
    whitespace; every term must occur (case-insensitively) in the full name,
    the specialty name or the bio. ``specialty_slug`` narrows to one
    specialty and raises ``UnknownSpecialty`` when no specialty has it.
    ``ordering`` is a key of ``DOCTOR_ORDERINGS``.
    """
    if status != DOCTOR_STATUS_APPROVED and viewer_role != ROLE_STAFF:
        raise PendingDoctorsStaffOnly()
    queryset = Doctor.objects.select_related("specialty")
    if status == DOCTOR_STATUS_APPROVED:
        queryset = queryset.filter(approved_at__isnull=False)
    elif status == DOCTOR_STATUS_PENDING:
        queryset = queryset.filter(approved_at__isnull=True)
    if specialty_slug:
        queryset = queryset.filter(specialty=specialty_get(slug=specialty_slug))
    terms = search.split()[:MAX_SEARCH_TERMS]
    if terms:
        queryset = queryset.filter(
            reduce(
                and_,
                (
                    Q(full_name__icontains=term) | Q(bio__icontains=term) | _InSpecialties(term)
                    for term in terms
                ),
            )
        )
    return queryset.order_by(*DOCTOR_ORDERINGS[ordering])


def doctor_rows(**filters) -> QuerySet:
    """Return ``doctor_list(**filters)`` as ``values()`` rows of ``DOCTOR_ROW_FIELDS``.

    For the directory's answer: plain dicts cost less than model instances
    and a serializer (``doctor_row_output`` shapes them).
    """
    return doctor_list(**filters).values(*DOCTOR_ROW_FIELDS)


def doctor_row_output(row: dict) -> dict:
    """Return a ``doctor_rows`` row exactly as ``DoctorOutputSerializer`` shows a doctor."""
    return {
        "id": row["user_id"],
        "full_name": row["full_name"],
        "specialty": {"slug": row["specialty__slug"], "name": row["specialty__name"]},
        "bio": row["bio"],
        "timezone": row["timezone"],
        "approved": row["approved_at"] is not None,
    }


def doctor_get(*, user_id: uuid.UUID | str) -> Doctor:
    """Return the doctor with ``user_id``; raise ``DoctorNotFound`` (also for a malformed id)."""
    pk = as_uuid(user_id)
    if pk is None:
        raise DoctorNotFound()
    try:
        return Doctor.objects.select_related("specialty").get(pk=pk)
    except Doctor.DoesNotExist as exc:
        raise DoctorNotFound() from exc


def doctor_get_visible(
    *, user_id: uuid.UUID | str, viewer_id: uuid.UUID | None, viewer_role: str | None
) -> Doctor:
    """Return the doctor ``user_id`` as ``viewer_id`` (of ``viewer_role``) may see them.

    A pending doctor is visible only to themself and to staff: for anyone
    else ``DoctorNotFound`` is raised, as for an id no doctor has.
    """
    doctor = doctor_get(user_id=user_id)
    if doctor.is_approved or viewer_role == ROLE_STAFF or doctor.user_id == viewer_id:
        return doctor
    raise DoctorNotFound()


def profile_find(*, user_id: uuid.UUID) -> Profile | None:
    """Return the doctor or patient profile of ``user_id``, or ``None``."""
    doctor = Doctor.objects.select_related("specialty").filter(pk=user_id).first()
    if doctor is not None:
        return doctor
    return Patient.objects.filter(pk=user_id).first()


def profile_list_by_ids(*, user_ids: list[uuid.UUID]) -> list[Profile]:
    """Return the doctor and patient profiles of ``user_ids``, in that order.

    Ids without a profile are left out. Two queries (doctors with their
    specialty, then patients) however many ids.
    """
    found: dict[uuid.UUID, Profile] = {
        patient.user_id: patient for patient in Patient.objects.filter(pk__in=user_ids)
    }
    # A doctor wins over a patient row of the same user, as in ``profile_find``.
    found.update(
        (doctor.user_id, doctor)
        for doctor in Doctor.objects.select_related("specialty").filter(pk__in=user_ids)
    )
    return [found[user_id] for user_id in user_ids if user_id in found]


class ProfilePages(Sequence):
    """Profiles in the order of an owner queryset, loaded one page (slice) at a time.

    A paginator counts the owners and slices them; each slice costs three
    queries (owner ids, doctors, patients) however long it is.
    """

    def __init__(self, owners: QuerySet[ProfileOwner]):
        self._owners = owners

    def count(self) -> int:  # type: ignore[override]  # the paginator's count, not Sequence's
        return self._owners.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            user_ids = list(self._owners.values_list("user_id", flat=True)[index])
            return profile_list_by_ids(user_ids=user_ids)
        return self[index : index + 1][0]


def profile_list_created(
    *, before: datetime.datetime, after: datetime.datetime | None = None
) -> ProfilePages:
    """Return the profiles created before ``before`` (and after ``after``), oldest first.

    For reconciliation: auth_service looks for profiles whose account never
    became active. Ordered by creation time, then id, so pages are stable.
    """
    owners = ProfileOwner.objects.filter(created_at__lt=before)
    if after is not None:
        owners = owners.filter(created_at__gt=after)
    return ProfilePages(owners.order_by("created_at", "user_id"))


def profile_search(*, text: str, role: str | None = None) -> ProfilePages:
    """Return the profiles whose full name contains ``text`` (any case), by name, then id.

    ``role`` (patient or doctor) narrows to that role. Pending doctors are
    found too (staff look them up). Each page costs three queries (owner ids,
    doctors, patients), plus the paginator's count.
    """
    owners = ProfileOwner.objects.annotate(
        full_name=Coalesce("doctor__full_name", "patient__full_name")
    ).filter(full_name__icontains=text)
    if role is not None:
        owners = owners.filter(role=role)
    return ProfilePages(owners.order_by("full_name", "user_id"))


def profile_get(*, user_id: uuid.UUID | str) -> Profile:
    """Return the profile of ``user_id``; raise ``ProfileNotFound`` (also for a malformed id)."""
    pk = as_uuid(user_id)
    profile = profile_find(user_id=pk) if pk is not None else None
    if profile is None:
        raise ProfileNotFound()
    return profile


def profile_get_for_user(*, user_id: uuid.UUID, role: str) -> Profile:
    """Return the caller's own profile, looked up by the role their token carries.

    Raises ``ProfileNotFound`` for staff (who have no profile) and for a
    patient or doctor whose profile does not exist.
    """
    if role == ROLE_DOCTOR:
        profile: Profile | None = (
            Doctor.objects.select_related("specialty").filter(pk=user_id).first()
        )
    elif role == ROLE_PATIENT:
        profile = Patient.objects.filter(pk=user_id).first()
    else:
        raise ProfileNotFound("Staff accounts have no profile.")
    if profile is None:
        raise ProfileNotFound()
    return profile
