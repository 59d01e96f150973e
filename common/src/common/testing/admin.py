"""Finding admin forms that let a user write fields they must not."""

from __future__ import annotations

from typing import Any


def admin_fields_exposed(
    protected: dict[Any, set[str]], *, user: Any, examples: dict[Any, Any] | None = None
) -> dict[tuple[str, str], set[str]]:
    """The ``protected`` fields (per model) that some admin form lets ``user`` write.

    Walks every ModelAdmin registered on the site, its add and change forms
    (the change form of ``examples[model]`` or the model's first row) and
    their inlines, so a page added later is held to it. Returns
    ``{(model name, "add" | "change"): fields}``; empty when nothing is exposed.
    A ForeignKey's form field counts for its ``<name>_id`` column too.
    """
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    exposed = {}
    for model, model_admin in admin.site._registry.items():
        obj = (examples or {}).get(model) or model._default_manager.first()
        for instance in (None, obj):
            found = _hit(protected, model, _writable(model_admin, request, instance))
            for inline in model_admin.get_inline_instances(request, instance):
                found |= _hit(protected, inline.model, _inline_writable(inline, request, instance))
            if found:
                exposed[(model.__name__, "add" if instance is None else "change")] = found
    return exposed


def _flat(fields: Any) -> set[str]:
    """The field names of a (possibly nested) ``fields`` declaration."""
    names: set[str] = set()
    for field in fields:
        names |= _flat(field) if isinstance(field, (list, tuple)) else {field}
    return names


def _writable(model_admin: Any, request: Any, obj: Any) -> set[str]:
    """The fields the add form (``obj`` None) or the change form of ``obj`` lets one write."""
    allowed = (
        model_admin.has_add_permission(request)
        if obj is None
        else model_admin.has_change_permission(request, obj)
    )
    if not allowed:
        return set()
    fields = _flat(model_admin.get_fields(request, obj)) - set(
        model_admin.get_readonly_fields(request, obj)
    )
    if obj is not None:
        fields |= set(getattr(model_admin, "list_editable", ()))
    return fields


def _inline_writable(inline: Any, request: Any, instance: Any) -> set[str]:
    """The fields an inline on the form of ``instance`` lets one write."""
    allowed = inline.has_add_permission(request, instance) or (
        instance is not None and inline.has_change_permission(request, instance)
    )
    if not allowed:
        return set()
    return _flat(inline.get_fields(request, instance)) - set(
        inline.get_readonly_fields(request, instance)
    )


def _hit(protected: dict[Any, set[str]], model: Any, fields: set[str]) -> set[str]:
    """The ``fields`` of ``model`` that are protected (a ForeignKey also by its ``_id``)."""
    names = protected.get(model, set())
    return {name for name in fields if name in names or f"{name}_id" in names}
