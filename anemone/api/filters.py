"""What the API's list filters share (django-filter): a strict true/false, and the backend.

django-filter's own BooleanFilter reads anything but true/false/1/0 as "no filter", so `?enabled=yes`
would answer every object, which reads as "all enabled". Here such a value is a 400 naming the
parameter, as an unknown choice is (RunFilter in anemone.runs.api).
"""

from __future__ import annotations

from typing import Any

import django_filters as filters
import django_filters.rest_framework  # noqa: F401  (filters.rest_framework)
from django import forms
from django.utils.translation import gettext_lazy as _

BACKENDS = [filters.rest_framework.DjangoFilterBackend]
TRUE_FALSE = {"true": True, "1": True, "false": False, "0": False}


class StrictBooleanField(forms.Field):
    widget = forms.TextInput

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        key = str(value).strip().lower()
        if key not in TRUE_FALSE:
            raise forms.ValidationError(_("Must be true or false."), code="invalid")
        return TRUE_FALSE[key]


class BooleanFilter(filters.BooleanFilter):
    """`?enabled=true` or `false` (also 1/0); anything else is refused."""

    field_class = StrictBooleanField
