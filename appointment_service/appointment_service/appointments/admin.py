"""Admin of appointments, their history and idempotency keys: read-only views for staff.

Every change goes through ``booking`` and ``changes``, which keep schedule_service's holds in
line; an edit here could not. The front desk books, moves, cancels and marks
appointments with the pages of ``admin_desk`` (which call those functions).
"""

from django.contrib import admin

from appointment_service.appointments.admin_desk import FrontDeskAdminMixin
from appointment_service.appointments.models import Appointment, AppointmentEvent, IdempotencyKey
from common.admin import ReadOnlyAdmin
from common.admin_people import PeopleAdminMixin

# The index links to the front desk's pages.
admin.site.index_template = "admin/appointments/index.html"


class AppointmentEventInline(admin.TabularInline):
    model = AppointmentEvent
    fields = ("at", "action", "actor_role", "actor_id", "data")
    readonly_fields = fields
    ordering = ("at", "id")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Appointment)
class AppointmentAdmin(FrontDeskAdminMixin, PeopleAdminMixin, ReadOnlyAdmin):
    # Names (and, for the front desk, emails and phones) beside the ids; search by them too.
    people_fields = ("patient_id", "doctor_id")

    list_display = (
        "id",
        "patient_id",
        "doctor_id",
        "start",
        "state",
        "late_cancellation",
        "reschedule_count",
    )
    list_filter = ("state", "late_cancellation")
    date_hierarchy = "start"
    search_fields = ("=id", "=patient_id", "=doctor_id", "=slot_id")
    ordering = ("-start",)
    inlines = [AppointmentEventInline]
    fields = (
        "id",
        "state",
        "patient_id",
        "doctor_id",
        "slot_id",
        "start",
        "end",
        "reason",
        "cancel_reason",
        "cancelled_by",
        "late_cancellation",
        "reschedule_count",
        "cancel_cutoff_hours",
        "reschedule_cutoff_hours",
        "created_at",
        "updated_at",
    )


@admin.register(AppointmentEvent)
class AppointmentEventAdmin(PeopleAdminMixin, ReadOnlyAdmin):
    # Who acted, by name (a staff member or the system has no profile: the id stays).
    people_fields = ("actor_id",)

    list_display = ("at", "action", "actor_role", "actor_id", "appointment")
    list_filter = ("action", "actor_role")
    list_select_related = ("appointment",)
    search_fields = ("=appointment__id", "=actor_id")
    date_hierarchy = "at"
    ordering = ("-at",)


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdmin):
    list_display = ("key", "patient_id", "response_status", "appointment", "created_at")
    list_filter = ("response_status",)
    search_fields = ("=key", "=patient_id")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
