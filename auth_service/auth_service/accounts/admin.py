"""Admin for accounts, refresh tokens and service accounts.

Staff sign in here with their own account (throttled like the API's sign-in)
and get in only with a staff group; a clinic-admin changes who is in which
group, and ``is_staff``/``is_superuser`` follow from the groups. Only a
clinic-admin (permissions ``accounts.deactivate_account`` and
``accounts.reset_password``) deactivates, reactivates, signs out everywhere or
resets the password of an account, never their own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import BaseFormSet, ModelForm
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from rest_framework.exceptions import Throttled

from auth_service.accounts.exceptions import (
    InvalidCredentials,
    PasswordChangeRequired,
    ProblemCode,
)
from auth_service.accounts.models import RefreshTokenRecord, ServiceAccount, User
from auth_service.accounts.services import account_actions, staff
from common.errors import ServiceUnavailable
from common.net import client_address
from common.permissions import STAFF_GROUPS


class StaffSignInForm(AdminAuthenticationForm):
    """The admin's login form: ``staff.staff_login``, throttled per account and browser."""

    def clean(self) -> dict[str, Any]:
        email, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if email and password:
            try:
                user = staff.staff_login(
                    email=email, password=password, address=client_address(self.request)
                )
            except Throttled as exc:
                raise ValidationError(
                    "Too many failed sign-in attempts for this account or from your address. "
                    "Try again later.",
                    code=ProblemCode.THROTTLED,
                ) from exc
            except InvalidCredentials as exc:
                raise self.get_invalid_login_error() from exc
            except PasswordChangeRequired as exc:
                raise ValidationError(
                    "This password was set by a clinic-admin and works only to choose a new "
                    "one: choose it on the portal's sign-in page (or POST "
                    "/api/v1/auth/password/renew), then sign in here.",
                    code=ProblemCode.PASSWORD_CHANGE_REQUIRED,
                ) from exc
            except ServiceUnavailable as exc:
                raise ValidationError(str(exc.detail), code="unavailable") from exc
            user.backend = "django.contrib.auth.backends.ModelBackend"
            self.user_cache = user
            self.confirm_login_allowed(user)
        return self.cleaned_data


admin.site.login_form = StaffSignInForm


class UserChangeForm(DjangoUserAdmin.form):
    groups = forms.ModelMultipleChoiceField(
        queryset=Group.objects.filter(name__in=STAFF_GROUPS).order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Staff only. clinic-admin: everything in every admin; front-desk: day-to-day "
        "work (see each admin); read-only: look only. A staff account in none reaches no admin.",
    )


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    list_display = (
        "email",
        "role",
        "staff_groups",
        "state",
        "is_active",
        "is_staff",
        "date_joined",
        "last_login",
    )
    list_filter = ("role", "state", "is_active", "is_staff", "groups")
    search_fields = ("email", "id")
    ordering = ("email",)
    # is_active changes only through the actions, which also end the account's sign-ins.
    readonly_fields = (
        "id",
        "is_active",
        "must_change_password",
        "is_staff",
        "is_superuser",
        "date_joined",
        "last_login",
        "password_changed_at",
        "tokens_revoked_at",
    )
    fieldsets = (
        (None, {"fields": ("id", "email", "password", "role", "state")}),
        (
            "Access",
            {
                "fields": (
                    "is_active",
                    "must_change_password",
                    "groups",
                    "is_staff",
                    "is_superuser",
                )
            },
        ),
        (
            "Dates",
            {
                "fields": (
                    "date_joined",
                    "last_login",
                    "password_changed_at",
                    "tokens_revoked_at",
                )
            },
        ),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "role", "password1", "password2")}),
    )
    actions = [
        "deactivate_accounts",
        "reactivate_accounts",
        "revoke_refresh_tokens",
        "reset_password",
    ]

    @admin.display(description="staff groups")
    def staff_groups(self, obj: User) -> str:
        return ", ".join(g.name for g in obj.groups.all() if g.name in STAFF_GROUPS)

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("groups")

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: list[BaseFormSet], change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        user = form.instance
        if "groups" in form.cleaned_data:
            try:
                staff.staff_groups_set(
                    user=user, groups=[g.name for g in form.cleaned_data["groups"]]
                )
            except ValidationError as exc:
                staff.staff_access_sync(user=user)
                self.message_user(request, " ".join(exc.messages), messages.WARNING)
        else:
            staff.staff_access_sync(user=user)

    def has_deactivate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.deactivate_account")

    def has_reset_password_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.reset_password")

    def _each(
        self,
        request: HttpRequest,
        queryset: QuerySet[User],
        operation: Callable[..., bool],
        *,
        what: str,
    ) -> int:
        """Apply ``operation`` to each selected account; say which were refused and why."""
        done = 0
        for user in queryset:
            try:
                done += bool(operation(user=user, actor=request.user))
            except ValidationError as exc:
                self.message_user(
                    request, f"{user.email}: {' '.join(exc.messages)}", messages.ERROR
                )
        self.message_user(request, f"{what}: {done}.", messages.SUCCESS if done else messages.INFO)
        return done

    @admin.action(
        description="Deactivate selected accounts (no sign-in; signed out everywhere)",
        permissions=["deactivate"],
    )
    def deactivate_accounts(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._each(request, queryset, account_actions.user_deactivate, what="Accounts deactivated")

    @admin.action(description="Reactivate selected accounts", permissions=["deactivate"])
    def reactivate_accounts(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._each(request, queryset, account_actions.user_reactivate, what="Accounts reactivated")

    @admin.action(
        description="Sign out everywhere (end every sign-in of the selected accounts)",
        permissions=["deactivate"],
    )
    def revoke_refresh_tokens(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._each(request, queryset, account_actions.user_sign_ins_end, what="Accounts signed out")

    @admin.action(
        description="Reset the password (a temporary password, shown once)",
        permissions=["reset_password"],
    )
    def reset_password(
        self, request: HttpRequest, queryset: QuerySet[User]
    ) -> TemplateResponse | None:
        users = list(queryset[:2])
        if len(users) != 1:
            self.message_user(
                request, "Select one account to reset its password.", messages.WARNING
            )
            return None
        [user] = users
        try:
            temporary = account_actions.user_password_reset(user=user, actor=request.user)
        except ValidationError as exc:
            self.message_user(request, f"{user.email}: {' '.join(exc.messages)}", messages.ERROR)
            return None
        response = TemplateResponse(
            request,
            "admin/accounts/user/temporary_password.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": "Temporary password",
                "account": user,
                "temporary_password": temporary,
            },
        )
        response["Cache-Control"] = "no-store"
        return response


@admin.register(RefreshTokenRecord)
class RefreshTokenRecordAdmin(admin.ModelAdmin):
    list_display = ("jti", "user", "family_id", "created_at", "expires_at", "used_at", "revoked_at")
    list_filter = (
        ("used_at", admin.EmptyFieldListFilter),
        ("revoked_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("jti", "user__email", "family_id")
    list_select_related = ("user",)
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: RefreshTokenRecord | None = None
    ) -> bool:
        return False


@admin.register(ServiceAccount)
class ServiceAccountAdmin(admin.ModelAdmin):
    list_display = ("client_id", "grant_list", "is_active", "last_token_at")
    list_filter = ("is_active",)
    search_fields = ("client_id",)
    readonly_fields = ("secret_hash", "grant_list", "created_at", "updated_at", "last_token_at")
    fields = (
        "client_id",
        "is_active",
        "grant_list",
        "grants",
        "secret_hash",
        "created_at",
        "updated_at",
        "last_token_at",
    )

    @admin.display(description="scopes per audience")
    def grant_list(self, obj: ServiceAccount) -> SafeString:
        return format_html_join(
            ", ",
            "{}: {}",
            (
                (audience, " ".join(scopes) or "-")
                for audience, scopes in sorted(obj.grants.items())
            ),
        )
