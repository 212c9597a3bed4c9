from django import forms

from anemone.models import SiteSettings


class SiteSettingsForm(forms.ModelForm):
    class Meta:
        model = SiteSettings
        fields = ["server_name", "language", "portal_url", "trash_retention_days"]
        widgets = {"language": forms.Select(choices=[("en", "English"), ("fr", "Français")])}
