"""Admin of schedules, rules, time off and held slots: staff look and filter, per doctor.

Clinic-admins also add, change and delete weekly rules, add and delete time
off and change a booking policy, only through the services the API calls
(the same checks: overlaps, caps, date window, ended time off). Everything
else is read-only for everyone: holds follow appointments, and a schedule's
doctor and time zone come from user_service.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.core.exceptions import ValidationError

from common.admin import ReadOnlyAdmin
from common.admin_people import PeopleAdminMixin
from common.errors import Problem
from schedule_service.scheduling import rules, services
from schedule_service.scheduling.models import AvailabilityRule, DoctorSchedule, SlotHold, TimeOff

# Writes through the services (clinic-admin). Each form's validation ends with the service
# call, inside the admin's transaction: a refusal (overlap, cap, date window, ended time off)
# comes back as form errors with the input kept, and nothing is saved any other way;
# save_model only reports what the service did.

HELD_SLOTS_LISTED = 20


def _allowed(request, opts, action: str) -> bool:
    return request.user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")


class ServiceForm(forms.ModelForm):
    """A model form saved by its ``write()`` (a service call) once the model's own checks pass."""

    saved = None

    def _post_clean(self) -> None:
        super()._post_clean()
        if self._errors:
            return
        try:
            self.saved = self.write()
        except ValidationError as exc:
            by_field = exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}
            for name, errors in by_field.items():
                self.add_error(name if name in self.fields else None, errors)
        except Problem as exc:
            named = [e["field"] for e in exc.extra.get("errors", []) if e["field"] in self.fields]
            self.add_error(named[0] if named else None, str(exc.detail))

    def save(self, commit: bool = True):
        if self.saved is None:
            raise ValueError("Only a valid form is saved, and its service call saved it.")
        self.save_m2m = lambda: None
        return self.saved


class AvailabilityRuleForm(ServiceForm):
    class Meta:
        model = AvailabilityRule
        fields = (
            "doctor",
            "weekday",
            "start_time",
            "end_time",
            "slot_minutes",
            "valid_from",
            "valid_until",
        )

    def write(self) -> AvailabilityRule:
        if self.instance.pk is None:
            data = {name: self.cleaned_data[name] for name in rules.RULE_FIELDS}
            return rules.rule_create(schedule=self.cleaned_data["doctor"], data=data)
        changed = {n: self.cleaned_data[n] for n in self.changed_data if n in rules.RULE_FIELDS}
        if not changed:
            return self.instance
        return rules.rule_update(rule=self.instance, data=changed)


class TimeOffForm(ServiceForm):
    held: list[SlotHold] | tuple = ()

    class Meta:
        model = TimeOff
        fields = ("doctor", "start", "end", "reason")
        help_texts = {"start": "In UTC.", "end": "In UTC; after the start, and not yet past."}

    def write(self) -> TimeOff:
        time_off, self.held = rules.time_off_create(
            schedule=self.cleaned_data["doctor"],
            start=self.cleaned_data["start"],
            end=self.cleaned_data["end"],
            reason=self.cleaned_data["reason"],
        )
        return time_off


class PolicyForm(ServiceForm):
    class Meta:
        model = DoctorSchedule
        fields = (
            "min_notice_minutes",
            "horizon_days",
            "buffer_minutes",
            "cancel_cutoff_hours",
            "reschedule_cutoff_hours",
        )

    def write(self) -> DoctorSchedule:
        changed = {
            n: self.cleaned_data[n] for n in self.changed_data if n in services.POLICY_FIELDS
        }
        if not changed:
            return self.instance
        return services.policy_update(schedule=self.instance, data=changed)


class ServiceWritesMixin:
    """Saves are the form's service call; deletes go through the subclass's ``delete_one``.

    ``writes`` names what the admin offers at all (``add``, ``change``,
    ``delete``); each then takes the user's Django permission for it.
    """

    writes: tuple[str, ...] = ()

    def _may(self, request, action: str) -> bool:
        return action in self.writes and _allowed(request, self.opts, action)

    def has_add_permission(self, request) -> bool:
        return self._may(request, "add")

    def has_change_permission(self, request, obj=None) -> bool:
        return self._may(request, "change")

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._may(request, "delete")

    def save_model(self, request, obj, form, change) -> None:
        """Nothing left to save: ``form.write()`` did, through the service."""

    def delete_model(self, request, obj) -> None:
        self.delete_one(obj)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            self.delete_one(obj)


class RuleWritesMixin(ServiceWritesMixin):
    """Clinic-admins add, change and delete rules (rules.rule_create/update/delete)."""

    form = AvailabilityRuleForm
    writes = ("add", "change", "delete")

    def get_readonly_fields(self, request, obj=None):
        # A rule stays its doctor's: moving it is no API change either.
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields if obj is None else (*fields, "doctor")

    def delete_one(self, obj) -> None:
        rules.rule_delete(rule=obj)


class TimeOffWritesMixin(ServiceWritesMixin):
    """Clinic-admins add and delete time off (rules.time_off_create/delete), never edit it."""

    form = TimeOffForm
    writes = ("add", "delete")

    def save_model(self, request, obj, form, change) -> None:
        # As the API's answer lists them: held slots stay held until their appointments move.
        if form.held:
            self.message_user(request, held_slots_message(form.held), messages.WARNING)

    def delete_one(self, obj) -> None:
        rules.time_off_delete(time_off=obj)


def _span(hold: SlotHold) -> str:
    end = (
        f"{hold.end:%H:%M}"
        if hold.end.date() == hold.start.date()
        else f"{hold.end:%Y-%m-%d %H:%M}"
    )
    return f"{hold.start:%Y-%m-%d %H:%M}-{end} UTC (appointment {hold.appointment_id})"


def held_slots_message(held: list[SlotHold]) -> str:
    """The admin's warning for time off over held slots: each held time, as the API lists them."""
    listed = "; ".join(_span(hold) for hold in held[:HELD_SLOTS_LISTED])
    more = len(held) - HELD_SLOTS_LISTED
    if more > 0:
        listed += f"; and {more} more"
    return (
        f"This time off covers {len(held)} held slot(s). They stay held until their "
        f"appointments are moved: {listed}."
    )


class PolicyWritesMixin(ServiceWritesMixin):
    """Clinic-admins change the booking policy (services.policy_update); nothing else of it."""

    form = PolicyForm
    writes = ("change",)
    fields = (
        "doctor_id",
        "timezone",
        "doctor_approved",
        "min_notice_minutes",
        "horizon_days",
        "buffer_minutes",
        "cancel_cutoff_hours",
        "reschedule_cutoff_hours",
        "timezone_checked_at",
        "approval_checked_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = (
        "doctor_id",
        "timezone",
        "doctor_approved",
        "timezone_checked_at",
        "approval_checked_at",
        "created_at",
        "updated_at",
    )


@admin.register(DoctorSchedule)
class DoctorScheduleAdmin(PeopleAdminMixin, PolicyWritesMixin, ReadOnlyAdmin):
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
class AvailabilityRuleAdmin(PeopleAdminMixin, RuleWritesMixin, ReadOnlyAdmin):
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
class TimeOffAdmin(PeopleAdminMixin, TimeOffWritesMixin, ReadOnlyAdmin):
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
