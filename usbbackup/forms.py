"""Forms of the USB pages: a job (drive, scope, users, schedule, retention), roots, the import."""

from __future__ import annotations

from typing import cast

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from usbbackup import detection, services
from usbbackup.models import Scope, UsbBackup, UsbSettings

KEEP_DRIVE = "__keep__"


class UsbBackupForm(forms.ModelForm):
    drive = forms.ChoiceField(label=gettext_lazy("Drive"))
    users = forms.ModelMultipleChoiceField(queryset=services.eligible_users(), required=False,
                                           widget=forms.CheckboxSelectMultiple, label=gettext_lazy("People"))
    accept_over_free = forms.BooleanField(
        required=False, label=gettext_lazy("Save even though the estimate is larger than the free space"))

    class Meta:
        model = UsbBackup
        fields = ["name", "enabled", "drive", "folder", "scope", "users", "include_backup_area",
                  "include_data_area", "schedule_kind", "schedule_interval_minutes", "schedule_time",
                  "schedule_weekday", "schedule_monthday", "keep_last", "keep_daily", "keep_weekly", "keep_monthly"]
        widgets = {"schedule_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def __init__(self, *args, drives: list[detection.Drive] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.drives = [d for d in (detection.detect_drives() if drives is None else drives) if not d.read_only]
        choices = []
        if self.instance.pk:
            choices.append((KEEP_DRIVE, _("keep: %(drive)s") % {"drive": self.instance.drive_description}))
        choices += [(d.mount_point, self.drive_label(d)) for d in self.drives]
        cast(forms.ChoiceField, self.fields["drive"]).choices = choices
        cast(forms.ModelMultipleChoiceField, self.fields["users"]).queryset = services.eligible_users()
        self.estimate: services.Estimate | None = None

    @staticmethod
    def drive_label(drive: detection.Drive) -> str:
        return _("%(name)s at %(mount)s (%(fs)s, %(free)s free of %(size)s)") % {
            "name": drive.display_name, "mount": drive.mount_point, "fs": drive.fstype,
            "free": filesizeformat(drive.free_bytes), "size": filesizeformat(drive.size_bytes)}

    def chosen_drive(self) -> detection.Drive | None:
        value = self.cleaned_data.get("drive")
        if value == KEEP_DRIVE:
            return detection.find_drive(self.instance, self.drives)
        return next((d for d in self.drives if d.mount_point == value), None)

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("drive") not in (None, KEEP_DRIVE) and self.chosen_drive() is None:
            self.add_error("drive", _("This drive is not mounted any more."))
        users = list(data.get("users") or [])
        includes_users = data.get("scope") == Scope.CONFIG_USERS
        areas = [a for a, key in (("backup", "include_backup_area"), ("data", "include_data_area")) if data.get(key)]
        if includes_users and not users:
            self.add_error("users", _("Choose at least one person, or back up the configuration only."))
        if includes_users and not areas:
            self.add_error("include_backup_area", _("Choose the backup/ area, the data/ area or both."))
        if self.errors:
            return data
        self.estimate = services.estimate(users if includes_users else [], areas, self.chosen_drive())
        if not self.estimate.fits and not data.get("accept_over_free"):
            raise forms.ValidationError(
                _("About %(total)s to write but only %(free)s free on the drive. Choose fewer people or areas, "
                  "or tick the box to save anyway.") % {
                    "total": filesizeformat(self.estimate.total_bytes),
                    "free": filesizeformat(self.estimate.free_bytes or 0)})
        return data

    def save(self, commit: bool = True) -> UsbBackup:
        job = super().save(commit=False)
        drive = self.chosen_drive()
        if self.cleaned_data["drive"] != KEEP_DRIVE and drive is not None:
            services.set_drive(job, drive)
        return services.save_job(job, users=self.cleaned_data.get("users") or [])


class UsbSettingsForm(forms.ModelForm):
    class Meta:
        model = UsbSettings
        fields = ["mount_roots"]
        widgets = {"mount_roots": forms.Textarea(attrs={"rows": 3})}

    def clean_mount_roots(self) -> str:
        lines = [line.strip() for line in self.cleaned_data["mount_roots"].splitlines() if line.strip()]
        for line in lines:
            if not line.startswith("/") or ".." in line.split("/") or line == "/":
                raise forms.ValidationError(_("%(line)s is not an absolute folder (and '/' is not allowed).")
                                            % {"line": line})
        return "\n".join(lines)


class ImportForm(forms.Form):
    """Setup: import an existing installation from a USB backup and its recovery kit."""

    folder = forms.ChoiceField(label=gettext_lazy("Backup found on"))
    recovery_kit = forms.FileField(label=gettext_lazy("Recovery kit file"), required=False)
    master_key = forms.CharField(label=gettext_lazy("Or paste the master key"), required=False,
                                 widget=forms.PasswordInput(render_value=False))
    with_users = forms.BooleanField(label=gettext_lazy("Also restore the people's files"), required=False,
                                    initial=True)

    def __init__(self, *args, drives: list[detection.Drive], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["folder"]).choices = [
            (f"{d.mount_point}/{name}", f"{d.display_name}: {d.mount_point}/{name}")
            for d in drives for name in d.backup_folders]

    def clean(self) -> dict:
        data = super().clean() or {}
        upload = data.get("recovery_kit")
        if upload:
            data["kit_text"] = upload.read(65536).decode("utf-8", "replace")
        elif data.get("master_key"):
            data["kit_text"] = data["master_key"]
        else:
            raise forms.ValidationError(_("Give the recovery kit file or paste its master key."))
        return data
