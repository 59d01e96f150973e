"""Admin of specialties and profiles (staff sign in through auth_service)."""

from django.contrib import admin, messages

from user_service.profiles import services
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

    def delete_model(self, request, obj) -> None:
        # With its owner row: the user id may then hold a profile of either role again.
        services.profile_delete(user_id=obj.user_id)

    def delete_queryset(self, request, queryset) -> None:
        for user_id in queryset.values_list("pk", flat=True):
            services.profile_delete(user_id=user_id)


class ApprovalFilter(admin.SimpleListFilter):
    title = "approval"
    parameter_name = "approval"

    def lookups(self, request, model_admin):
        return [("pending", "Pending"), ("approved", "Approved")]

    def queryset(self, request, queryset):
        if self.value() == "pending":
            return queryset.filter(approved_at__isnull=True)
        if self.value() == "approved":
            return queryset.filter(approved_at__isnull=False)
        return queryset


@admin.register(Doctor)
class DoctorAdmin(ProfileAdmin):
    list_display = ("full_name", "specialty", "approved", "timezone", "user_id", "updated_at")
    list_filter = (ApprovalFilter, "specialty", "timezone")
    list_select_related = ("specialty",)
    search_fields = ("full_name", "bio", "specialty__name", "=user__user_id")
    autocomplete_fields = ("specialty",)
    fields = (
        "user_id",
        "full_name",
        "specialty",
        "timezone",
        "bio",
        "approved_at",
        "approved_by",
        "created_at",
        "updated_at",
    )
    readonly_fields = (*ProfileAdmin.readonly_fields, "approved_at", "approved_by")
    actions = ["approve_selected"]

    @admin.display(boolean=True, ordering="approved_at", description="approved")
    def approved(self, doctor: Doctor) -> bool:
        return doctor.is_approved

    def has_approve_doctor_permission(self, request) -> bool:
        # Clinic-admins only (superusers); the front desk may change profiles, not approve.
        return request.user.has_perm("profiles.approve_doctor")

    @admin.action(description="Approve selected doctors", permissions=["approve_doctor"])
    def approve_selected(self, request, queryset) -> None:
        user_ids = list(queryset.values_list("pk", flat=True))
        approved = services.doctor_approve_many(user_ids=user_ids, by=request.user.get_username())
        self.message_user(
            request,
            f"{approved} doctor(s) approved; {len(user_ids) - approved} already were.",
            messages.SUCCESS,
        )


@admin.register(Patient)
class PatientAdmin(ProfileAdmin):
    list_display = ("full_name", "phone", "date_of_birth", "user_id", "created_at")
    list_filter = ("created_at",)
    search_fields = ("full_name", "phone", "=user__user_id")
    fields = ("user_id", "full_name", "phone", "date_of_birth", "created_at", "updated_at")
