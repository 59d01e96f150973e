"""Input and output serializers of the accounts API."""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

from rest_framework import serializers

from auth_service.accounts.models import Role
from auth_service.accounts.selectors import ACCOUNT_EMAIL_SEARCH_MAX_RESULTS, ACCOUNT_LIST_MAX_IDS
from common.fields import UUIDListField

PROFILE_FIELDS = ("full_name", "specialty", "timezone", "bio", "phone", "date_of_birth")


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


class RegisterInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
    role = serializers.ChoiceField(choices=[Role.PATIENT, Role.DOCTOR])
    full_name = serializers.CharField(max_length=200)
    specialty = serializers.SlugField(
        max_length=64, required=False, help_text="Doctors: a slug from GET /api/v1/specialties/."
    )
    timezone = serializers.CharField(
        max_length=64, required=False, help_text="Doctors: an IANA time zone, e.g. Europe/Berlin."
    )
    bio = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    date_of_birth = serializers.DateField(required=False)

    def validate_timezone(self, value: str) -> str:
        if value not in _time_zones():
            raise serializers.ValidationError("Not an IANA time zone name (e.g. Europe/Berlin).")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["role"] == Role.DOCTOR:
            missing = {
                f: "This field is required for doctors."
                for f in ("specialty", "timezone")
                if f not in attrs
            }
            if missing:
                raise serializers.ValidationError(missing)
        else:
            for field in ("specialty", "timezone", "bio"):
                attrs.pop(field, None)
        return attrs


class AccountOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)


class TokenObtainInputSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class StaffTokenInputSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    client_address = serializers.IPAddressField(
        protocol="both", help_text="The address of the browser signing in to the admin."
    )


class AccountListInternalFilterInputSerializer(serializers.Serializer):
    ids = UUIDListField(
        max_items=ACCOUNT_LIST_MAX_IDS,
        required=False,
        help_text=f"Comma-separated account ids (UUIDs), at most {ACCOUNT_LIST_MAX_IDS}; unknown "
        "ones are left out of the answer. Either this or `email`.",
    )
    email = serializers.CharField(
        required=False,
        max_length=254,
        help_text="Instead of `ids`: the accounts whose email contains this text (any case), "
        f"by email, at most {ACCOUNT_EMAIL_SEARCH_MAX_RESULTS}.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "email" not in attrs and "email" in self.initial_data:
            # An empty query parameter reaches here as no parameter at all.
            raise serializers.ValidationError(
                {"email": [serializers.ErrorDetail("This field may not be blank.", code="blank")]}
            )
        if "ids" in attrs and "email" in attrs:
            raise serializers.ValidationError(
                {"email": ["Send either `ids` or `email`, not both."]}, code="exclusive"
            )
        if "ids" not in attrs and "email" not in attrs:
            raise serializers.ValidationError(
                {"ids": [serializers.ErrorDetail("This field is required.", code="required")]}
            )
        return attrs


class AccountInternalOutputSerializer(serializers.Serializer):
    """An account as the admins of other services show it."""

    id = serializers.UUIDField()
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)
    is_active = serializers.BooleanField(
        help_text="False for an account that may not sign in (deactivated)."
    )


class TokenPairOutputSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class RefreshInputSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=4096)


class PasswordChangeInputSerializer(serializers.Serializer):
    old_password = serializers.CharField(max_length=128, trim_whitespace=False)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)


class PasswordRenewInputSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    temporary_password = serializers.CharField(
        max_length=128, trim_whitespace=False, help_text="The password clinic staff gave."
    )
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)


class RevocationSerializer(serializers.Serializer):
    sub = serializers.UUIDField(help_text="An account id.")
    revoked_before = serializers.IntegerField(
        help_text="A Unix time: every access token of `sub` whose `iat` is earlier is refused."
    )


class RevocationListOutputSerializer(serializers.Serializer):
    revocations = RevocationSerializer(many=True)
    window_seconds = serializers.IntegerField(
        help_text="How far back the list goes: tokens revoked earlier have all expired."
    )


class ServiceTokenInputSerializer(serializers.Serializer):
    grant_type = serializers.CharField(max_length=64)
    client_id = serializers.CharField(max_length=64)
    client_secret = serializers.CharField(max_length=256, trim_whitespace=False)
    audience = serializers.CharField(max_length=64)
    scope = serializers.CharField(max_length=1024, required=False, allow_blank=True)


class ServiceTokenOutputSerializer(serializers.Serializer):
    access_token = serializers.CharField()
    token_type = serializers.CharField(default="Bearer")
    expires_in = serializers.IntegerField()
    scope = serializers.CharField()


class JwkSerializer(serializers.Serializer):
    kty = serializers.CharField()
    kid = serializers.CharField()
    alg = serializers.CharField()
    use = serializers.CharField()
    n = serializers.CharField()
    e = serializers.CharField()


class JwksOutputSerializer(serializers.Serializer):
    keys = JwkSerializer(many=True)
