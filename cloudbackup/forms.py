from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from anemone.runs import targets
from cloudbackup import services
from cloudbackup.models import Destination

SECRET_HELP = _("Write-only: leave empty to keep the current value.")
CRYPT_HELP = _("Files are encrypted, names included, before they leave: keep this password somewhere safe, without it "
                "the copy cannot be read. Set or change it only on a new destination (or an empty remote path): the "
                "next sync then copies everything again, and what was stored before stays there, readable only with "
                "the old password.")


class DestinationForm(forms.ModelForm):
    """The portal's and the Django admin's form: secrets are write-only (only "set" / "not set" is shown)."""

    password = forms.CharField(label=_("Password"), required=False, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    secret = forms.CharField(label=_("S3 secret key"), required=False, strip=False,
                             widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    crypt_password = forms.CharField(label=_("Encryption password (rclone crypt)"), required=False, strip=False,
                                     widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    # Typed twice: a typo here makes every copy unreadable, and nobody can recover it.
    crypt_password_again = forms.CharField(label=_("Encryption password, again"), required=False, strip=False,
                                           widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    clear_password = forms.BooleanField(label=_("remove the password (use the SSH key)"), required=False)
    clear_crypt = forms.BooleanField(label=_("remove the encryption password"), required=False)
    users = forms.ModelMultipleChoiceField(queryset=get_user_model().objects.filter(activated_at__isnull=False),
                                           required=False, widget=forms.CheckboxSelectMultiple,
                                           label=_("People carried (when \"carry everyone\" is off)"))

    class Meta:
        model = Destination
        fields = ["name", "kind", "enabled", "host", "port", "username", "key_path", "provider", "endpoint",
                  "region", "bucket", "access_key", "url", "vendor", "remote_name", "remote_path",
                  "bandwidth_limit", "retention_days", "schedule_kind", "schedule_interval_minutes",
                  "schedule_time", "schedule_weekday", "schedule_monthday", "carry_everyone", "users"]
        widgets = {"schedule_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name, is_set in services.secret_state(self.instance).items():
                self.fields[name].help_text = f"{_('currently set') if is_set else _('not set')}. {SECRET_HELP}"
        self.fields["crypt_password"].help_text = f"{self.fields['crypt_password'].help_text} {CRYPT_HELP}".strip()

    def clean(self):
        data = super().clean()
        for name in services.missing_fields(data.get("kind", ""), data.get):
            if name not in self.errors:  # an invalid value already has its own message
                self.add_error(name, _("Required for this kind of destination."))
        if error := targets.carried_error(data.get("carry_everyone", False), data.get("users")):
            self.add_error("users", error)
        if (data.get("crypt_password") or "") != (data.get("crypt_password_again") or ""):
            self.add_error("crypt_password_again", _("The two encryption passwords differ: type the same one twice "
                                                     "(nobody can recover it later)."))
        return data

    def secrets(self) -> dict[str, str | None]:
        """For services.apply_secrets: a new value, "" to clear, None to keep."""
        data = self.cleaned_data
        password = "" if data.get("clear_password") else (data.get("password") or None)
        crypt = "" if data.get("clear_crypt") else (data.get("crypt_password") or None)
        return {"password": password, "secret": data.get("secret") or None, "crypt_password": crypt}


class RestoreForm(forms.Form):
    destination = forms.ModelChoiceField(queryset=Destination.objects.none(), label=_("From"))
    path = forms.CharField(label=_("Path in your backup area (empty = everything)"), required=False)
    version = forms.CharField(label=_("Version (empty = latest)"), required=False)

    def __init__(self, *args, destinations=None, versions=None, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["destination"].queryset = destinations if destinations is not None else Destination.objects.none()
        if versions is not None:  # listed from the destination: pick one instead of typing its time
            self.fields["version"] = forms.ChoiceField(label=_("Version"), required=False, choices=[
                ("", _("latest (the mirror)")), *((v, version_label(v)) for v in versions)])
        if people is not None:  # admins restore for anyone: into that person's backup area
            self.fields["person"] = forms.ModelChoiceField(queryset=people, label=_("Whose files"))
            self.order_fields(["person"])

    def clean(self):
        data = super().clean()
        dest, person = data.get("destination"), data.get("person")
        if dest is not None and person is not None and not dest.carries(person):
            self.add_error("destination", _("%(name)s does not carry %(person)s's files.")
                           % {"name": dest.name, "person": person.username})
        return data


def version_label(stamp: str) -> str:
    """20261125T031500Z → 2026-11-25 03:15:00 UTC: what was kept when that sync replaced or deleted it."""
    return f"{stamp[0:4]}-{stamp[4:6]}-{stamp[6:8]} {stamp[9:11]}:{stamp[11:13]}:{stamp[13:15]} UTC"
