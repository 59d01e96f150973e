"""Profiles of patients and doctors (ids minted by auth_service) and medical specialties."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_timezone

from common.permissions import ROLE_DOCTOR, ROLE_PATIENT
from user_service.profiles.validators import validate_phone, validate_timezone

# The roles that have a profile here; staff accounts have none.
PROFILE_ROLE_CHOICES = (ROLE_PATIENT, ROLE_DOCTOR)

FULL_NAME_MAX_LENGTH = 200
TIMEZONE_MAX_LENGTH = 64
PHONE_MAX_LENGTH = 32


class Specialty(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "specialties"
        constraints = [
            models.CheckConstraint(condition=~Q(slug=""), name="specialty_slug_not_empty"),
            models.CheckConstraint(condition=~Q(name=""), name="specialty_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class ProfileOwner(models.Model):
    """The one role a user id has a profile in: a user is a patient or a doctor, never both.

    Every doctor and patient row references its owner row (same id) in the
    same transaction, so the owner's primary key decides between concurrent
    creates of one id, whatever their roles. The database also keeps a
    profile's role equal to its owner's (migration 0004: a composite foreign
    key on PostgreSQL, triggers on SQLite).
    """

    user_id = models.UUIDField(primary_key=True, verbose_name="user id")
    role = models.CharField(max_length=16, choices=[(r, r.title()) for r in PROFILE_ROLE_CHOICES])
    created_at = models.DateTimeField(default=dj_timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "user_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=PROFILE_ROLE_CHOICES), name="profile_owner_role_valid"
            ),
            # The target of the profiles' (user_id, role) foreign key on PostgreSQL.
            models.UniqueConstraint(fields=["user_id", "role"], name="profile_owner_user_role_key"),
        ]
        indexes = [
            # Reconciliation pages through old profiles by creation time.
            models.Index(fields=["created_at", "user_id"], name="profile_owner_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.user_id}"


def _owner_field() -> models.OneToOneField:
    # Named ``user`` so that ``user_id`` stays the attribute and column it always was.
    return models.OneToOneField(
        ProfileOwner,
        on_delete=models.CASCADE,
        primary_key=True,
        db_column="user_id",
        related_name="%(class)s",
        verbose_name="user id",
    )


class Doctor(models.Model):
    """A doctor's public profile; ``user_id`` is the doctor's id in auth_service."""

    user = _owner_field()
    role = models.CharField(max_length=16, default=ROLE_DOCTOR, editable=False)
    full_name = models.CharField(max_length=FULL_NAME_MAX_LENGTH)
    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="doctors")
    bio = models.TextField(blank=True)
    timezone = models.CharField(
        max_length=TIMEZONE_MAX_LENGTH,
        validators=[validate_timezone],
        help_text="IANA time zone name, e.g. Europe/Berlin.",
    )
    approved_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When staff approved the doctor; until then the doctor is pending: not "
        "listed in the directory and not bookable.",
    )
    approved_by = models.CharField(
        max_length=254,
        blank=True,
        editable=False,
        help_text="Who approved: a staff user id (API) or a staff email (admin).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["full_name", "user_id"]
        # The admin's "Approve selected doctors": clinic-admins only (the front desk edits
        # profiles but does not approve).
        permissions = [("approve_doctor", "Can approve doctors")]
        constraints = [
            models.CheckConstraint(condition=~Q(full_name=""), name="doctor_full_name_not_empty"),
            models.CheckConstraint(condition=~Q(timezone=""), name="doctor_timezone_not_empty"),
            models.CheckConstraint(condition=Q(role=ROLE_DOCTOR), name="doctor_role_is_doctor"),
        ]
        indexes = [
            # Directory ordering by name, and a specialty filter ordered by name. Pending
            # doctors are few: the directory's ``approved_at IS NOT NULL`` skips them in
            # these indexes' order without an index of its own.
            models.Index(fields=["full_name", "user_id"], name="doctor_full_name_idx"),
            models.Index(fields=["specialty", "full_name"], name="doctor_specialty_name_idx"),
            models.Index(fields=["timezone"], name="doctor_timezone_idx"),
            # Staff's list of pending doctors (directory ``status=pending``, admin filter):
            # a small partial index of the pending rows only, by name as listed.
            models.Index(
                fields=["full_name", "user_id"],
                condition=Q(approved_at__isnull=True),
                name="doctor_pending_name_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


class Patient(models.Model):
    """A patient's profile; ``user_id`` is the patient's id in auth_service."""

    user = _owner_field()
    role = models.CharField(max_length=16, default=ROLE_PATIENT, editable=False)
    full_name = models.CharField(max_length=FULL_NAME_MAX_LENGTH)
    phone = models.CharField(max_length=PHONE_MAX_LENGTH, blank=True, validators=[validate_phone])
    date_of_birth = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["full_name", "user_id"]
        constraints = [
            models.CheckConstraint(condition=~Q(full_name=""), name="patient_full_name_not_empty"),
            models.CheckConstraint(condition=Q(role=ROLE_PATIENT), name="patient_role_is_patient"),
        ]
        indexes = [models.Index(fields=["full_name", "user_id"], name="patient_full_name_idx")]

    def __str__(self) -> str:
        return self.full_name

    def clean(self) -> None:
        if self.date_of_birth and self.date_of_birth > dj_timezone.localdate():
            raise ValidationError({"date_of_birth": "A date of birth cannot be in the future."})
