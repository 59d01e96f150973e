"""Admin for accounts, refresh tokens and service accounts.

Staff sign in here with their own account (throttled like the API's sign-in)
and get in only with a staff group; a clinic-admin changes who is in which
group, and ``is_staff``/``is_superuser`` follow from the groups.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html_join
from rest_framework.exceptions import Throttled

from auth_service.accounts import services
from auth_service.accounts.exceptions import InvalidCredentials
from auth_service.accounts.models import RefreshTokenRecord, ServiceAccount, User
from common.errors import ServiceUnavailable
from common.net import client_address
from common.permissions import STAFF_GROUPS


class StaffSignInForm(AdminAuthenticationForm):
    """The admin's login form: ``services.staff_login``, throttled per account and browser."""

    def clean(self):
        email, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if email and password:
            try:
                user = services.staff_login(
                    email=email, password=password, address=client_address(self.request)
                )
            except Throttled as exc:
                raise ValidationError(
                    "Too many failed sign-in attempts for this account or from your address. "
                    "Try again later.",
                    code="throttled",
                ) from exc
            except InvalidCredentials as exc:
                raise self.get_invalid_login_error() from exc
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
    readonly_fields = (
        "id",
        "is_staff",
        "is_superuser",
        "date_joined",
        "last_login",
        "password_changed_at",
    )
    fieldsets = (
        (None, {"fields": ("id", "email", "password", "role", "state")}),
        ("Access", {"fields": ("is_active", "groups", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("date_joined", "last_login", "password_changed_at")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "role", "password1", "password2")}),
    )
    actions = ["revoke_refresh_tokens"]

    @admin.display(description="staff groups")
    def staff_groups(self, obj: User) -> str:
        return ", ".join(g.name for g in obj.groups.all() if g.name in STAFF_GROUPS)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        if "groups" in form.cleaned_data:
            try:
                services.staff_groups_set(
                    user=user, groups=[g.name for g in form.cleaned_data["groups"]]
                )
            except ValidationError as exc:
                services.staff_access_sync(user=user)
                self.message_user(request, " ".join(exc.messages), messages.WARNING)
        else:
            services.staff_access_sync(user=user)

    @admin.action(description="Sign out everywhere (revoke refresh tokens)")
    def revoke_refresh_tokens(self, request, queryset):
        count = RefreshTokenRecord.objects.filter(
            user__in=queryset, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        self.message_user(request, f"Revoked {count} refresh tokens.", messages.SUCCESS)


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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
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
    def grant_list(self, obj: ServiceAccount):
        return format_html_join(
            ", ",
            "{}: {}",
            (
                (audience, " ".join(scopes) or "-")
                for audience, scopes in sorted(obj.grants.items())
            ),
        )
