"""Admin building blocks every service's admin shares."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    """A model admin that lists and shows rows but never adds, changes or deletes one.

    For data that only the services may write (appointments, holds, history):
    an edit in the admin would bypass the checks and the calls to other
    services that keep it consistent.
    """

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
