"""Admin of specialties and profiles (staff sign in through auth_service)."""

from django.contrib import admin

from user_service.profiles.models import Doctor, Patient, Specialty


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    ordering = ("name",)
    prepopulated_fields = {"slug": ("name",)}


class ProfileAdmin(admin.ModelAdmin):
    """Profiles are created by registration (the internal API): the ids belong to auth_service."""

    readonly_fields = ("user_id", "created_at", "updated_at")
    ordering = ("full_name",)
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Doctor)
class DoctorAdmin(ProfileAdmin):
    list_display = ("full_name", "specialty", "timezone", "user_id", "updated_at")
    list_filter = ("specialty", "timezone")
    list_select_related = ("specialty",)
    search_fields = ("full_name", "bio", "specialty__name", "=user_id")
    autocomplete_fields = ("specialty",)
    fields = ("user_id", "full_name", "specialty", "timezone", "bio", "created_at", "updated_at")


@admin.register(Patient)
class PatientAdmin(ProfileAdmin):
    list_display = ("full_name", "phone", "date_of_birth", "user_id", "created_at")
    list_filter = ("created_at",)
    search_fields = ("full_name", "phone", "=user_id")
    fields = ("user_id", "full_name", "phone", "date_of_birth", "created_at", "updated_at")
