"""The audit page's filters (GET): who, what kind of object, action, date range, text."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anemone.audit import services


class AuditFilterForm(forms.Form):
    who = forms.CharField(label=_("Who"), required=False, max_length=254,
                          help_text=_("A username, or “cli” for commands"))
    kind = forms.ChoiceField(label=_("What"), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(label=_("Text"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", "—")]
        kinds = [(services.type_key(ct), services.type_name(ct)) for ct in services.audited_types()]
        actions = [(code, label.capitalize()) for code, label in services.action_choices()]
        self.fields["kind"].choices = everything + kinds  # type: ignore[attr-defined]
        self.fields["action"].choices = everything + actions  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        """The valid filters, as services.entries takes them (an invalid field is left out and shown)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}
