"""Every write of the profiles app."""

from __future__ import annotations

import copy
import datetime
import uuid
from collections.abc import Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone as dj_timezone

from common.permissions import ROLE_DOCTOR, ROLE_PATIENT
from user_service.profiles.exceptions import ProfileRoleConflict
from user_service.profiles.models import Doctor, Patient, ProfileOwner
from user_service.profiles.selectors import Profile, profile_find, specialty_get

DOCTOR_UPDATABLE_FIELDS = frozenset({"full_name", "bio", "timezone", "specialty"})
PATIENT_UPDATABLE_FIELDS = frozenset({"full_name", "phone", "date_of_birth"})

P = TypeVar("P", Doctor, Patient)


def _existing_profile(*, user_id: uuid.UUID, role: str) -> Profile | None:
    """Return the profile already stored for ``user_id``; raise if it has another role."""
    existing = profile_find(user_id=user_id)
    if existing is not None and existing.role != role:
        raise ProfileRoleConflict(f"User {user_id} already has a {existing.role} profile.")
    return existing


def _insert_once(profile: P) -> tuple[P, bool]:
    """Insert ``profile`` with its owner row; if a concurrent call stored the id first, return that.

    The owner's primary key is the arbiter between creates of one user id,
    whatever their roles: a losing INSERT waits for the winner's transaction,
    then fails inside its own savepoint and reads the winner's row. Raises
    ``ProfileRoleConflict`` when the id belongs to the other role.
    """
    with transaction.atomic():
        owner, _ = ProfileOwner.objects.get_or_create(
            user_id=profile.user_id, defaults={"role": profile.role}
        )
        if owner.role != profile.role:
            raise ProfileRoleConflict(f"User {owner.user_id} already has a {owner.role} profile.")
        try:
            with transaction.atomic():
                profile.save(force_insert=True)
        except IntegrityError:
            stored = type(profile).objects.filter(pk=profile.pk).first()
            if stored is None:
                raise
            return stored, False
    return profile, True


def doctor_create(
    *,
    user_id: uuid.UUID,
    full_name: str,
    specialty_slug: str | None,
    timezone: str | None,
    bio: str = "",
) -> tuple[Doctor, bool]:
    """Create the doctor profile of ``user_id``; return ``(doctor, created)``.

    Idempotent on ``user_id``: when the doctor exists, it is returned
    unchanged with ``created=False`` (also when a concurrent call won the race).
    Raises ``UnknownSpecialty``, ``ValidationError`` (bad time zone, empty
    name, missing specialty) and ``ProfileRoleConflict`` (a patient has this id).
    """
    existing = _existing_profile(user_id=user_id, role=ROLE_DOCTOR)
    if isinstance(existing, Doctor):
        return existing, False
    doctor = Doctor(
        user_id=user_id,
        full_name=full_name.strip(),
        specialty=specialty_get(slug=specialty_slug) if specialty_slug else None,
        timezone=timezone or "",
        bio=bio.strip(),
    )
    # The id (its owner row and uniqueness) is left to the database (see _insert_once).
    doctor.full_clean(exclude=["user"], validate_unique=False)
    return _insert_once(doctor)


def patient_create(
    *,
    user_id: uuid.UUID,
    full_name: str,
    phone: str = "",
    date_of_birth: datetime.date | None = None,
) -> tuple[Patient, bool]:
    """Create the patient profile of ``user_id``; return ``(patient, created)``.

    Idempotent on ``user_id`` like ``doctor_create``. Raises ``ValidationError``
    and ``ProfileRoleConflict`` (a doctor has this id).
    """
    existing = _existing_profile(user_id=user_id, role=ROLE_PATIENT)
    if isinstance(existing, Patient):
        return existing, False
    patient = Patient(
        user_id=user_id,
        full_name=full_name.strip(),
        phone=phone.strip(),
        date_of_birth=date_of_birth,
    )
    patient.full_clean(exclude=["user"], validate_unique=False)
    return _insert_once(patient)


def profile_create(
    *,
    user_id: uuid.UUID,
    role: str,
    full_name: str,
    specialty_slug: str | None = None,
    timezone: str | None = None,
    bio: str = "",
    phone: str = "",
    date_of_birth: datetime.date | None = None,
) -> tuple[Profile, bool]:
    """Create the profile of a newly registered user; return ``(profile, created)``.

    Doctors use ``specialty_slug``, ``timezone`` and ``bio``; patients
    ``phone`` and ``date_of_birth``; the other role's fields are ignored.
    Idempotent on ``user_id`` (see ``doctor_create``). Raises
    ``ValidationError`` for an unknown ``role``.
    """
    if role == ROLE_DOCTOR:
        return doctor_create(
            user_id=user_id,
            full_name=full_name,
            specialty_slug=specialty_slug,
            timezone=timezone,
            bio=bio,
        )
    if role == ROLE_PATIENT:
        return patient_create(
            user_id=user_id, full_name=full_name, phone=phone, date_of_birth=date_of_birth
        )
    raise ValidationError({"role": f"'{role}' has no profile; use patient or doctor."})


def _apply_changes(instance: P, changes: Mapping[str, Any]) -> P:
    """Validate and save only the fields of ``changes`` that differ; return the saved copy.

    Works on a copy so that a refused change leaves ``instance`` as it was.
    """
    updated = copy.copy(instance)
    changed: list[str] = []
    for name, value in changes.items():
        field = instance._meta.get_field(name)
        current = getattr(instance, field.attname)  # type: ignore[union-attr]  # a concrete field
        new = value.pk if isinstance(value, models.Model) else value
        if current != new:
            setattr(updated, name, value)
            changed.append(name)
    if not changed:
        return instance
    updated.full_clean()
    with transaction.atomic():
        updated.save(update_fields=[*changed, "updated_at"])
    return updated


def doctor_update(*, doctor: Doctor, data: Mapping[str, Any]) -> Doctor:
    """Change a doctor's ``full_name``, ``bio``, ``timezone`` and/or ``specialty`` (a slug).

    Saves nothing unless every given field is valid. Raises ``UnknownSpecialty``
    and ``ValidationError``; ``ValueError`` for a field that cannot be changed.
    """
    unknown = set(data) - DOCTOR_UPDATABLE_FIELDS
    if unknown:
        raise ValueError(f"Doctor fields that cannot be changed: {sorted(unknown)}")
    changes = dict(data)
    if "full_name" in changes:
        changes["full_name"] = changes["full_name"].strip()
    if "bio" in changes:
        changes["bio"] = changes["bio"].strip()
    if "specialty" in changes:
        changes["specialty"] = specialty_get(slug=changes["specialty"])
    return _apply_changes(doctor, changes)


def patient_update(*, patient: Patient, data: Mapping[str, Any]) -> Patient:
    """Change a patient's ``full_name``, ``phone`` and/or ``date_of_birth``.

    Saves nothing unless every given field is valid. Raises ``ValidationError``;
    ``ValueError`` for a field that cannot be changed.
    """
    unknown = set(data) - PATIENT_UPDATABLE_FIELDS
    if unknown:
        raise ValueError(f"Patient fields that cannot be changed: {sorted(unknown)}")
    changes = dict(data)
    for name in ("full_name", "phone"):
        if name in changes:
            changes[name] = changes[name].strip()
    return _apply_changes(patient, changes)


def profile_update(*, profile: Profile, data: Mapping[str, Any]) -> Profile:
    """Apply ``data`` to a doctor or a patient profile (see ``doctor_update``, ``patient_update``)."""
    if isinstance(profile, Doctor):
        return doctor_update(doctor=profile, data=data)
    return patient_update(patient=profile, data=data)


def profile_delete(*, user_id: uuid.UUID) -> bool:
    """Delete the profile of ``user_id`` (doctor or patient) with its owner row.

    Idempotent: returns whether there was one. For registrations that never
    completed (see auth_service's ``reconcile_registrations``) and the admin.
    """
    deleted, _ = ProfileOwner.objects.filter(pk=user_id).delete()
    return bool(deleted)


def doctor_approve(*, doctor: Doctor, by: str, now: datetime.datetime | None = None) -> Doctor:
    """Approve a pending doctor: listed in the directory and bookable from now on; return them.

    Idempotent: an approved doctor keeps their first approval (time and who).
    ``by`` names the approver (a staff user id or admin email).
    """
    doctor_approve_many(user_ids=[doctor.user_id], by=by, now=now)
    doctor.refresh_from_db(fields=["approved_at", "approved_by", "updated_at"])
    return doctor


def doctor_approve_many(
    *, user_ids: list[uuid.UUID], by: str, now: datetime.datetime | None = None
) -> int:
    """Approve the pending doctors among ``user_ids``; return how many were pending.

    One conditional UPDATE: doctors already approved (also by a concurrent
    call) keep their first approval.
    """
    now = now or dj_timezone.now()
    return Doctor.objects.filter(pk__in=user_ids, approved_at__isnull=True).update(
        approved_at=now, approved_by=by[:254], updated_at=now
    )


def doctor_upsert(
    *,
    user_id: uuid.UUID,
    full_name: str,
    specialty_slug: str,
    timezone: str,
    bio: str = "",
    approved_by: str | None = None,
) -> tuple[Doctor, bool]:
    """Create the doctor, or bring the stored one in line with these fields; ``(doctor, created)``.

    With ``approved_by`` the doctor is also approved (if still pending).
    """
    doctor, created = doctor_create(
        user_id=user_id,
        full_name=full_name,
        specialty_slug=specialty_slug,
        timezone=timezone,
        bio=bio,
    )
    if not created:
        doctor = doctor_update(
            doctor=doctor,
            data={
                "full_name": full_name,
                "specialty": specialty_slug,
                "timezone": timezone,
                "bio": bio,
            },
        )
    if approved_by is not None and not doctor.is_approved:
        doctor = doctor_approve(doctor=doctor, by=approved_by)
    return doctor, created


def patient_upsert(
    *,
    user_id: uuid.UUID,
    full_name: str,
    phone: str = "",
    date_of_birth: datetime.date | None = None,
) -> tuple[Patient, bool]:
    """Create the patient, or bring the stored one in line with these fields; ``(patient, created)``."""
    patient, created = patient_create(
        user_id=user_id, full_name=full_name, phone=phone, date_of_birth=date_of_birth
    )
    if not created:
        patient = patient_update(
            patient=patient,
            data={"full_name": full_name, "phone": phone, "date_of_birth": date_of_birth},
        )
    return patient, created
