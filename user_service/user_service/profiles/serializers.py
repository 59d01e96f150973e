"""Input and output serializers of the profiles APIs (top level, uniquely named for the schema)."""

from __future__ import annotations

from rest_framework import serializers

from common.fields import UUIDListField
from common.permissions import ROLE_DOCTOR
from user_service.profiles.models import (
    FULL_NAME_MAX_LENGTH,
    PHONE_MAX_LENGTH,
    PROFILE_ROLE_CHOICES,
    TIMEZONE_MAX_LENGTH,
)
from user_service.profiles.selectors import (
    DOCTOR_ORDERING_LABELS,
    DOCTOR_STATUS_APPROVED,
    DOCTOR_STATUS_LABELS,
    PROFILE_LIST_MAX_IDS,
    PROFILE_SEARCH_MAX_LENGTH,
)
from user_service.profiles.validators import validate_phone, validate_timezone

BIO_MAX_LENGTH = 5000


def _timezone_field(**kwargs) -> serializers.CharField:
    kwargs.setdefault("help_text", "IANA time zone name, e.g. `Europe/Berlin`.")
    return serializers.CharField(
        max_length=TIMEZONE_MAX_LENGTH, validators=[validate_timezone], **kwargs
    )


def _specialty_slug_field(**kwargs) -> serializers.SlugField:
    kwargs.setdefault("help_text", "A slug from `GET /api/v1/specialties/`.")
    return serializers.SlugField(max_length=64, **kwargs)


# Output


class SpecialtyOutputSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()


class DoctorOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="user_id")
    full_name = serializers.CharField()
    specialty = SpecialtyOutputSerializer()
    bio = serializers.CharField()
    timezone = serializers.CharField(help_text="IANA time zone name of the doctor's schedule.")
    approved = serializers.BooleanField(
        source="is_approved",
        help_text="False only for a doctor waiting for staff approval, whom only staff and "
        "the doctor themself see.",
    )


class DoctorProfileOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="user_id")
    role = serializers.ChoiceField(choices=PROFILE_ROLE_CHOICES)
    full_name = serializers.CharField()
    specialty = SpecialtyOutputSerializer()
    bio = serializers.CharField()
    timezone = serializers.CharField()
    approved_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When staff approved you; null while you wait: until then patients cannot "
        "find or book you (you can still set up your availability).",
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class PatientProfileOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="user_id")
    role = serializers.ChoiceField(choices=PROFILE_ROLE_CHOICES)
    full_name = serializers.CharField()
    phone = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ProfileInternalOutputSerializer(serializers.Serializer):
    """A doctor or a patient, as other services need it.

    Patients have no ``timezone`` or ``specialty``: ``allow_null`` makes the
    missing attributes render as ``null``.
    """

    user_id = serializers.UUIDField()
    role = serializers.ChoiceField(choices=PROFILE_ROLE_CHOICES)
    full_name = serializers.CharField()
    timezone = serializers.CharField(allow_null=True, help_text="Doctors only; null for patients.")
    specialty = SpecialtyOutputSerializer(
        allow_null=True, help_text="Doctors only; null for patients."
    )
    approved = serializers.SerializerMethodField(
        help_text="Doctors only (null for patients): false while the doctor waits for staff "
        "approval and must not be listed or booked."
    )
    phone = serializers.CharField(
        allow_null=True,
        help_text="Patients only (null for doctors); empty when the patient gave none. For "
        "staff answering the phone in the admins.",
    )

    created_at = serializers.DateTimeField()

    def get_approved(self, profile) -> bool | None:
        return getattr(profile, "is_approved", None)


# Input


class DoctorListFilterInputSerializer(serializers.Serializer):
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="Words that must all occur (any case) in the name, specialty or bio.",
    )
    specialty = _specialty_slug_field(required=False, allow_blank=True)
    ordering = serializers.ChoiceField(
        choices=list(DOCTOR_ORDERING_LABELS.items()), required=False, default="full_name"
    )
    status = serializers.ChoiceField(
        choices=list(DOCTOR_STATUS_LABELS.items()),
        required=False,
        default=DOCTOR_STATUS_APPROVED,
        help_text="`pending` and `all` are for staff (403 for anyone else).",
    )


class ProfileListInternalFilterInputSerializer(serializers.Serializer):
    ids = UUIDListField(
        max_items=PROFILE_LIST_MAX_IDS,
        required=False,
        help_text=f"Comma-separated user ids (UUIDs), at most {PROFILE_LIST_MAX_IDS}; "
        "unknown ones are left out of the answer. Either this or `created_before`.",
    )
    created_before = serializers.DateTimeField(
        required=False,
        help_text="Instead of `ids`: every profile created before this time (ISO 8601 with "
        "an offset), oldest first, page by page (for reconciliation).",
    )
    created_after = serializers.DateTimeField(
        required=False,
        help_text="With `created_before`: only profiles created after this time.",
    )
    search = serializers.CharField(
        required=False,
        max_length=PROFILE_SEARCH_MAX_LENGTH,
        help_text="Instead of `ids`: the profiles whose full name contains this text (any "
        "case), by name, page by page (staff looking someone up in an admin). "
        f"1 to {PROFILE_SEARCH_MAX_LENGTH} characters.",
    )
    role = serializers.ChoiceField(
        choices=PROFILE_ROLE_CHOICES,
        required=False,
        help_text="With `search`: only patients or only doctors.",
    )

    MODES = ("ids", "created_before", "search")

    def validate(self, attrs):
        if "created_after" in attrs and "created_before" not in attrs:
            raise serializers.ValidationError(
                {"created_after": ["Only together with `created_before`."]}, code="alone"
            )
        if "role" in attrs and "search" not in attrs:
            raise serializers.ValidationError(
                {"role": ["Only together with `search`."]}, code="alone"
            )
        if "search" not in attrs and "search" in self.initial_data:
            # An empty query parameter reaches here as no parameter at all.
            raise serializers.ValidationError(
                {"search": [serializers.ErrorDetail("This field may not be blank.", code="blank")]}
            )
        modes = [mode for mode in self.MODES if mode in attrs]
        if len(modes) > 1:
            raise serializers.ValidationError(
                {modes[1]: ["Send one of `ids`, `created_before` or `search`, not more."]},
                code="exclusive",
            )
        if not modes:
            raise serializers.ValidationError(
                {"ids": [serializers.ErrorDetail("This field is required.", code="required")]}
            )
        return attrs


class DoctorProfilePatchInputSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=FULL_NAME_MAX_LENGTH, required=False)
    bio = serializers.CharField(max_length=BIO_MAX_LENGTH, required=False, allow_blank=True)
    timezone = _timezone_field(required=False)
    specialty = _specialty_slug_field(required=False)


class PatientProfilePatchInputSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=FULL_NAME_MAX_LENGTH, required=False)
    phone = serializers.CharField(
        max_length=PHONE_MAX_LENGTH, required=False, allow_blank=True, validators=[validate_phone]
    )
    date_of_birth = serializers.DateField(required=False, allow_null=True)


class ProfileCreateInputSerializer(serializers.Serializer):
    user_id = serializers.UUIDField(help_text="The user's id in auth_service.")
    role = serializers.ChoiceField(choices=PROFILE_ROLE_CHOICES)
    full_name = serializers.CharField(max_length=FULL_NAME_MAX_LENGTH)
    specialty = _specialty_slug_field(required=False, help_text="Doctors only (required for them).")
    timezone = _timezone_field(required=False, help_text="Doctors only (required for them).")
    bio = serializers.CharField(max_length=BIO_MAX_LENGTH, required=False, allow_blank=True)
    phone = serializers.CharField(
        max_length=PHONE_MAX_LENGTH, required=False, allow_blank=True, validators=[validate_phone]
    )
    date_of_birth = serializers.DateField(required=False, allow_null=True)

    def validate(self, attrs):
        if attrs["role"] == ROLE_DOCTOR:
            missing = {
                name: serializers.ErrorDetail(
                    "This field is required for doctors.", code="required"
                )
                for name in ("specialty", "timezone")
                if not attrs.get(name)
            }
            if missing:
                raise serializers.ValidationError(missing)
        return attrs
