from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from cloudbackup.models import Destination

SECRET_HELP = _("Write-only: leave empty to keep the current value; tick 'clear' to remove it.")


class DestinationForm(forms.ModelForm):
    password = forms.CharField(label=_("Password"), required=False, widget=forms.PasswordInput, help_text=SECRET_HELP)
    secret = forms.CharField(label=_("S3 secret key"), required=False, widget=forms.PasswordInput, help_text=SECRET_HELP)
    crypt_password = forms.CharField(label=_("Encryption password (rclone crypt)"), required=False,
                                     widget=forms.PasswordInput, help_text=SECRET_HELP)
    clear_crypt = forms.BooleanField(label=_("clear the encryption password"), required=False)
    users = forms.ModelMultipleChoiceField(queryset=get_user_model().objects.filter(activated_at__isnull=False),
                                           required=False, widget=forms.CheckboxSelectMultiple,
                                           label=_("Users carried (none = everyone)"))

    class Meta:
        model = Destination
        fields = ["name", "kind", "enabled", "host", "port", "username", "key_path", "provider", "endpoint",
                  "region", "bucket", "access_key", "url", "vendor", "remote_name", "remote_path",
                  "bandwidth_limit", "retention_days", "schedule_kind", "schedule_interval_minutes",
                  "schedule_time", "schedule_weekday", "schedule_monthday", "users"]
        widgets = {"schedule_time": forms.TimeInput(attrs={"type": "time"})}

    def secrets(self) -> dict[str, str | None]:
        data = self.cleaned_data
        crypt = "" if data.get("clear_crypt") else (data.get("crypt_password") or None)
        return {"password": data.get("password") or None, "secret": data.get("secret") or None, "crypt_password": crypt}


class RestoreForm(forms.Form):
    destination = forms.ModelChoiceField(queryset=Destination.objects.none(), label=_("From"))
    path = forms.CharField(label=_("Path in your backup area (empty = everything)"), required=False)
    version = forms.CharField(label=_("Version (empty = latest)"), required=False)

    def __init__(self, *args, destinations=None, versions=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["destination"].queryset = destinations if destinations is not None else Destination.objects.none()
        if versions is not None:  # listed from the destination: pick one instead of typing its time
            self.fields["version"] = forms.ChoiceField(label=_("Version"), required=False, choices=[
                ("", _("latest (the mirror)")), *((v, version_label(v)) for v in versions)])


def version_label(stamp: str) -> str:
    """20261125T031500Z → 2026-11-25 03:15:00 UTC: what was kept when that sync replaced or deleted it."""
    return f"{stamp[0:4]}-{stamp[4:6]}-{stamp[6:8]} {stamp[9:11]}:{stamp[11:13]}:{stamp[13:15]} UTC"
