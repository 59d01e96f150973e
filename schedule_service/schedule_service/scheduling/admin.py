"""Admin of schedules, rules, time off and held slots: staff look and filter, per doctor.

Every page is read-only: rules, time off and holds are written through the
services, which check overlaps and keep holds consistent with appointments.
"""

from django.contrib import admin

from common.admin_people import PeopleAdminMixin
from schedule_service.scheduling.models import AvailabilityRule, DoctorSchedule, SlotHold, TimeOff


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DoctorSchedule)
class DoctorScheduleAdmin(PeopleAdminMixin, ReadOnlyAdmin):
    # The doctor by name beside the id; search by name or email too.
    people_fields = ("doctor_id",)

    list_display = (
        "doctor_id",
        "timezone",
        "doctor_approved",
        "min_notice_minutes",
        "horizon_days",
        "buffer_minutes",
        "cancel_cutoff_hours",
        "reschedule_cutoff_hours",
        "updated_at",
    )
    list_filter = ("doctor_approved", "timezone")
    search_fields = ("=doctor_id",)
    ordering = ("id",)


@admin.register(AvailabilityRule)
class AvailabilityRuleAdmin(PeopleAdminMixin, ReadOnlyAdmin):
    # The doctor by name beside the id; search by name or email too.
    people_fields = ("doctor__doctor_id",)

    list_display = (
        "doctor",
        "weekday",
        "start_time",
        "end_time",
        "slot_minutes",
        "valid_from",
        "valid_until",
    )
    list_filter = ("weekday", "slot_minutes", "doctor__timezone")
    list_select_related = ("doctor",)
    search_fields = ("=doctor__doctor_id",)
    ordering = ("doctor", "weekday", "start_time")


@admin.register(TimeOff)
class TimeOffAdmin(PeopleAdminMixin, ReadOnlyAdmin):
    # The doctor by name beside the id; search by name or email too.
    people_fields = ("doctor__doctor_id",)

    list_display = ("doctor", "start", "end", "reason")
    list_filter = ("doctor__timezone",)
    list_select_related = ("doctor",)
    search_fields = ("=doctor__doctor_id", "reason")
    date_hierarchy = "start"
    ordering = ("-start",)


@admin.register(SlotHold)
class SlotHoldAdmin(PeopleAdminMixin, ReadOnlyAdmin):
    # The doctor by name beside the id; search by name or email too.
    people_fields = ("doctor__doctor_id",)

    list_display = ("doctor", "start", "end", "blocked_until", "appointment_id", "created_at")
    list_filter = ("doctor__timezone", "created_at")
    list_select_related = ("doctor",)
    search_fields = ("=doctor__doctor_id", "=appointment_id", "=slot_id")
    date_hierarchy = "start"
    ordering = ("-start",)
