"""Cloud destinations: where rclone copies the family's backup/ areas, with history kept remotely."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from anemone.runs.models import BackupTarget
from anemone.validators import safe_name_validator
from cloudbackup import validators as check

NAME_PATTERN = r"\A[a-z0-9][a-z0-9-]{0,39}\Z"  # \Z: `$` let "name\n" through


class Kind(models.TextChoices):
    SFTP = "sftp", _("SFTP server")
    S3 = "s3", _("S3-compatible storage")
    WEBDAV = "webdav", _("WebDAV (Nextcloud, ownCloud…)")
    REMOTE = "remote", _("rclone remote (rclone.conf)")


class Destination(BackupTarget):
    """One off-site copy of the carried users' backup/ areas in the seed's layout
    ``{remote_path}/backup/{username}/``, with overwritten and deleted files kept under
    ``{remote_path}/.versions/<UTC time>/{username}/`` for ``retention_days``."""

    name = models.CharField(_("name"), max_length=40, unique=True,
                            validators=[safe_name_validator,
                                        RegexValidator(NAME_PATTERN, _("Lowercase letters, digits and '-' (max 40)."))])
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.SFTP)
    remote_path = models.CharField(_("remote path"), max_length=255, blank=True,
                                   validators=[check.REMOTE_PATH, check.NO_LEADING_DASH])
    bandwidth_limit = models.CharField(_("bandwidth limit"), max_length=12, blank=True, validators=[check.BWLIMIT])
    retention_days = models.PositiveIntegerField(_("keep old versions (days)"), default=30,
                                                 validators=[MaxValueValidator(3650)])
    crypt_password_sealed = models.TextField(blank=True, editable=False)
    # sftp
    host = models.CharField(_("host"), max_length=253, blank=True, validators=[check.HOSTNAME])
    port = models.PositiveIntegerField(_("port"), default=22, validators=[MinValueValidator(1), MaxValueValidator(65535)])
    username = models.CharField(_("username"), max_length=64, blank=True, validators=[check.SAFE_TEXT, check.NO_LEADING_DASH])
    key_path = models.CharField(_("SSH key path"), max_length=255, blank=True, default="certs/rclone_key",
                                validators=[check.REMOTE_PATH, check.NO_LEADING_DASH, check.key_inside_data_dir])
    password_sealed = models.TextField(blank=True, editable=False)
    host_key = models.TextField(_("pinned host key"), blank=True, editable=False)
    # s3
    provider = models.CharField(_("provider"), max_length=32, blank=True, default="Other", choices=check.S3_PROVIDERS)
    endpoint = models.CharField(_("endpoint URL"), max_length=255, blank=True, validators=[check.http_url],
                                help_text=_("Empty for Amazon S3; otherwise the provider's address, e.g. https://s3.example.org"))
    region = models.CharField(_("region"), max_length=64, blank=True, validators=[check.SAFE_TEXT])
    bucket = models.CharField(_("bucket"), max_length=63, blank=True,
                              validators=[RegexValidator(r"^\Z|^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\Z", _("Not a valid bucket name."))])
    access_key = models.CharField(_("access key"), max_length=128, blank=True, validators=[check.SAFE_TEXT])
    secret_sealed = models.TextField(blank=True, editable=False)
    # webdav
    url = models.CharField(_("WebDAV URL"), max_length=255, blank=True, validators=[check.http_url])
    vendor = models.CharField(_("vendor"), max_length=16, blank=True, default="other",
                              choices=[("other", "other"), ("nextcloud", "Nextcloud"), ("owncloud", "ownCloud"),
                                       ("sharepoint", "SharePoint")])
    # remote (admin-supplied rclone.conf)
    remote_name = models.CharField(_("remote name"), max_length=64, blank=True,
                                   validators=[RegexValidator(r"^\Z|^[A-Za-z0-9_][A-Za-z0-9_. -]*\Z", _("Not a valid remote name."))])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def has_crypt(self) -> bool:
        return bool(self.crypt_password_sealed)
