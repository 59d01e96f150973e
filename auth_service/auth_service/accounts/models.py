"""Accounts, refresh-token state and service accounts."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from common.permissions import GROUP_CLINIC_ADMIN, ROLE_DOCTOR, ROLE_PATIENT, ROLE_STAFF


class Role(models.TextChoices):
    PATIENT = ROLE_PATIENT, "Patient"
    DOCTOR = ROLE_DOCTOR, "Doctor"
    STAFF = ROLE_STAFF, "Staff"


class UserState(models.TextChoices):
    # A registration whose profile is not yet confirmed by user_service.
    PENDING = "pending", "Pending"
    ACTIVE = "active", "Active"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        """An account with ``email`` (lower-cased) and ``password`` (hashed; none: unusable)."""
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        """A staff account in the clinic-admin group (the only superusers)."""
        from django.contrib.auth.models import Group

        fields.update(role=Role.STAFF, is_staff=True, is_superuser=True)
        user = self.create_user(email, password, **fields)
        user.groups.add(Group.objects.get_or_create(name=GROUP_CLINIC_ADMIN)[0])
        return user


class User(AbstractBaseUser, PermissionsMixin):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(max_length=254, unique=True, help_text="Stored lower-case.")
    role = models.CharField(max_length=16, choices=Role.choices)
    state = models.CharField(max_length=16, choices=UserState.choices, default=UserState.ACTIVE)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False,
        help_text="May sign in to the admin sites: set from the role and the staff groups "
        "(a staff account with at least one of clinic-admin, front-desk, read-only).",
    )
    date_joined = models.DateTimeField(default=timezone.now)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    must_change_password = models.BooleanField(
        default=False,
        help_text="Set when staff reset the password: the temporary password signs in to "
        "nothing until a new one is chosen (POST /api/v1/auth/password/renew).",
    )
    tokens_revoked_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Every access token issued before this time is refused by every service "
        "(deactivation, password reset): auth_service lists it at /internal/v1/auth/revocations.",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="accounts_user_email_lower_case"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="accounts_user_role_valid"
            ),
            # Only staff accounts may ever reach an admin.
            models.CheckConstraint(
                condition=models.Q(role=Role.STAFF) | models.Q(is_staff=False, is_superuser=False),
                name="accounts_user_admin_only_staff",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "date_joined"]),
            models.Index(fields=["tokens_revoked_at"], name="accounts_user_revoked_idx"),
        ]
        # Only clinic-admins hold these (they are superusers); front-desk and read-only do not.
        permissions = [
            ("deactivate_account", "Can deactivate and reactivate accounts"),
            ("reset_password", "Can reset an account's password"),
        ]

    def __str__(self) -> str:
        return self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = self.email.strip().lower()
        if self.role != Role.STAFF:  # only staff reach an admin (staff.staff_access_sync)
            self.is_staff = self.is_superuser = False
        super().save(*args, **kwargs)


class RefreshTokenRecord(models.Model):
    """State of one issued refresh token: used once, then never again."""

    jti = models.CharField(max_length=64, primary_key=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="refresh_tokens")
    family_id = models.UUIDField(db_index=True, help_text="All tokens rotated from one sign-in.")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.jti}"


class ServiceAccount(models.Model):
    """A calling service, authenticated by client credentials (secret stored hashed)."""

    client_id = models.SlugField(max_length=64, unique=True)
    secret_hash = models.CharField(max_length=256)
    grants = models.JSONField(
        default=dict,
        help_text="The services it may get tokens for, each with the scopes it may ask for "
        'there: {"schedule_service": ["slots:read"], ...}.',
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_token_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["client_id"]

    def __str__(self) -> str:
        return self.client_id

    def clean(self) -> None:
        grants = self.grants
        if not isinstance(grants, dict) or not all(
            isinstance(audience, str)
            and audience
            and isinstance(scopes, list)
            and all(isinstance(scope, str) and scope and " " not in scope for scope in scopes)
            for audience, scopes in grants.items()
        ):
            raise ValidationError(
                {"grants": "Give a mapping from each audience to a list of scopes."}
            )
