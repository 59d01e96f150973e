"""Tests of common.admin: the read-only model admin the services share."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from common.admin import ReadOnlyAdmin


def test_read_only_admin_never_adds_changes_or_deletes():
    model = get_user_model()
    model_admin = ReadOnlyAdmin(model, admin.site)
    request = RequestFactory().get("/admin/")
    row = model(username="someone")

    assert model_admin.has_add_permission(request) is False
    assert model_admin.has_change_permission(request) is False
    assert model_admin.has_change_permission(request, row) is False
    assert model_admin.has_delete_permission(request, row) is False
