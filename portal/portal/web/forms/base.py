"""What every portal form shares: our own messages and the accessible field layout."""

from __future__ import annotations

from django import forms
from django.forms.renderers import DjangoTemplates


class PortalRenderer(DjangoTemplates):
    """Fields render as label, hint, error, control (the ids Django links by aria-describedby)."""

    field_template_name = "portal/includes/field.html"


class PortalForm(forms.Form):
    """Messages from the server only: ``novalidate`` in the template, no ``required`` attribute."""

    default_renderer = PortalRenderer
    use_required_attribute = False

    def summary(self) -> list[tuple[str, str]]:
        """(anchor, message) for the error summary, in field order, non-field errors first."""
        items = [("", str(error)) for error in self.non_field_errors()]
        for name in self.fields:
            bound = self[name]
            anchor = bound.auto_id
            if bound.use_fieldset:
                anchor = f"{anchor}_0"
            items.extend((anchor, str(error)) for error in bound.errors)
        return items
