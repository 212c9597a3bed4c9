"""USB backup: where drives are looked for, and backup jobs bound to one drive.

A job remembers its drive by filesystem UUID, else label, else mount path, so the same drive is
recognised wherever the desktop or udev mounts it next time (/media/admin/BACKUP, /mnt/usb1...).
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from anemone.runs.models import BackupTarget, Retention
from anemone.validators import safe_name_validator

DEFAULT_ROOTS = "/mnt\n/media\n/run/media"
DEFAULT_FOLDER = "anemone-backup"

name_validator = RegexValidator(
    r"\A[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\Z",  # \Z: `$` let "name\n" through
    _("Letters, digits, '.', '-' or '_' (no spaces or slashes), starting with a letter or digit."),
)


class UsbSettings(models.Model):
    """The one row of USB settings: which folders drives are mounted under."""

    mount_roots = models.TextField(
        _("where drives are mounted"), default=DEFAULT_ROOTS,
        help_text=_("One absolute folder per line; filesystems mounted at or under them are offered as drives."),
    )

    class Meta:
        verbose_name = _("USB settings")
        verbose_name_plural = _("USB settings")

    def __str__(self) -> str:
        return ", ".join(self.roots())

    def roots(self) -> list[str]:
        return [line.strip() for line in self.mount_roots.splitlines() if line.strip().startswith("/")]

    @classmethod
    def load(cls) -> UsbSettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class Scope(models.TextChoices):
    CONFIG = "config", _("configuration only")
    CONFIG_USERS = "config_users", _("configuration and chosen users' files")


class UsbBackup(BackupTarget, Retention):
    """A backup job to one USB drive: configuration, optionally users' areas, into one restic repo."""

    name = models.CharField(_("name"), max_length=64, unique=True, validators=[safe_name_validator, name_validator])
    drive_uuid = models.CharField(_("drive UUID"), max_length=64, blank=True)
    drive_label = models.CharField(_("drive label"), max_length=128, blank=True)
    drive_path = models.CharField(
        _("drive mount point"), max_length=1024, blank=True,
        help_text=_("Used to recognise the drive only when it has neither UUID nor label."),
    )
    folder = models.CharField(_("folder on the drive"), max_length=64, default=DEFAULT_FOLDER,
                              validators=[name_validator])
    scope = models.CharField(_("what to back up"), max_length=16, choices=Scope.choices, default=Scope.CONFIG)
    carry_everyone = models.BooleanField(_("carry everyone"), default=False, editable=False)  # the people ticked
    include_backup_area = models.BooleanField(_("users' backup/ area"), default=True)
    include_data_area = models.BooleanField(_("users' data/ area"), default=False)
    keep_last = models.PositiveIntegerField(_("keep last"), default=3)
    keep_daily = models.PositiveIntegerField(_("keep daily"), default=7)
    keep_weekly = models.PositiveIntegerField(_("keep weekly"), default=4)
    keep_monthly = models.PositiveIntegerField(_("keep monthly"), default=6)
    last_mount_point = models.CharField(max_length=1024, blank=True, editable=False)
    last_seen_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("USB backup")
        verbose_name_plural = _("USB backups")

    def __str__(self) -> str:
        return self.name

    @property
    def drive_identity(self) -> tuple[str, str]:
        """('uuid'|'label'|'path', value): how this job recognises its drive."""
        if self.drive_uuid:
            return "uuid", self.drive_uuid
        if self.drive_label:
            return "label", self.drive_label
        return "path", self.drive_path

    @property
    def drive_description(self) -> str:
        kind, value = self.drive_identity
        return f"{kind.upper()} {value}" if value else "?"

    @property
    def includes_users(self) -> bool:
        return self.scope == Scope.CONFIG_USERS

    def areas(self) -> list[str]:
        chosen = []
        if self.include_backup_area:
            chosen.append("backup")
        if self.include_data_area:
            chosen.append("data")
        return chosen

    def eligible_people(self):
        """Every activated account, disabled ones too: the drive is the disaster copy of the server."""
        from anemone.accounts.models import User

        return User.objects.filter(activated_at__isnull=False)

    def needs_people(self) -> bool:
        return self.includes_users

    def carried_users(self):
        return super().carried_users() if self.includes_users else self.eligible_people().none()
