"""Settings → Network shares: the protocols and smbd's address (the model's validators decide)."""

from django import forms

from anemone.shares.models import ShareSettings


class ShareSettingsForm(forms.ModelForm):
    class Meta:
        model = ShareSettings
        fields = ["smb_enabled", "webdav_enabled", "smb_listen"]
        widgets = {"smb_listen": forms.TextInput(attrs={"placeholder": "0.0.0.0:445", "inputmode": "url"})}
