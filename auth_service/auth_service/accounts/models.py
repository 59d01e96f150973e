"""Accounts, refresh-token state and service accounts."""

import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from common.permissions import ROLE_DOCTOR, ROLE_PATIENT, ROLE_STAFF


class Role(models.TextChoices):
    PATIENT = ROLE_PATIENT, "Patient"
    DOCTOR = ROLE_DOCTOR, "Doctor"
    STAFF = ROLE_STAFF, "Staff"


class UserState(models.TextChoices):
    # A registration whose profile is not yet confirmed by user_service.
    PENDING = "pending", "Pending"
    ACTIVE = "active", "Active"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.update(role=Role.STAFF, is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(max_length=254, unique=True, help_text="Stored lower-case.")
    role = models.CharField(max_length=16, choices=Role.choices)
    state = models.CharField(max_length=16, choices=UserState.choices, default=UserState.ACTIVE)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May sign in to the admin sites.")
    date_joined = models.DateTimeField(default=timezone.now)
    password_changed_at = models.DateTimeField(null=True, blank=True)

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
        ]
        indexes = [models.Index(fields=["state", "date_joined"])]

    def __str__(self) -> str:
        return self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
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
    allowed_audiences = models.JSONField(default=list, help_text="Services it may get tokens for.")
    allowed_scopes = models.JSONField(default=list, help_text="Scopes it may ask for.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_token_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["client_id"]

    def __str__(self) -> str:
        return self.client_id
