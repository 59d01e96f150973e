"""Admin for accounts, refresh tokens and service accounts."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils import timezone

from auth_service.accounts.models import RefreshTokenRecord, ServiceAccount, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("email", "role", "state", "is_active", "is_staff", "date_joined", "last_login")
    list_filter = ("role", "state", "is_active", "is_staff")
    search_fields = ("email", "id")
    ordering = ("email",)
    readonly_fields = ("id", "date_joined", "last_login", "password_changed_at")
    fieldsets = (
        (None, {"fields": ("id", "email", "password", "role", "state")}),
        (
            "Access",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("date_joined", "last_login", "password_changed_at")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "role", "password1", "password2")}),
    )
    actions = ["revoke_refresh_tokens"]

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
    list_display = (
        "client_id",
        "allowed_audiences",
        "allowed_scopes",
        "is_active",
        "last_token_at",
    )
    list_filter = ("is_active",)
    search_fields = ("client_id",)
    readonly_fields = ("secret_hash", "created_at", "updated_at", "last_token_at")
