"""Device passwords, the per-person "network shares allowed" switch, the server-wide share settings and
the share login counters.

A device password is what a laptop or a phone types to reach a person's files over SMB or WebDAV. It is a
random 124-bit value, so it is kept as a SHA-256 digest (like an API token): a slow password hash protects
guessable passwords, not random ones, and would cost a third of a second on every WebDAV request (clients
send Basic credentials with each one). Samba's NTLM login needs the NT hash of the value: it is computed
once at creation and kept sealed (``anemone.crypto``), for the generated Samba account only. The account
password is never stored in any weaker form for a file protocol. Revoking deletes the row: it stops at once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from anemone.validators import listen_address_validator, safe_name_validator


class DevicePassword(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="device_passwords",
                             verbose_name=_("person"))
    # safe_name_validator allows inner spaces and accents ("Zoé's laptop"), refuses control chars, '/', '\'.
    name = models.CharField(_("name"), max_length=64, validators=[safe_name_validator])
    password_hash = models.CharField(max_length=256, editable=False, db_index=True)  # "sha256$<hex>"
    # One more than the highest the person holds: its SMB login is "<username>~<n>" (smb_login).
    number = models.PositiveIntegerField(editable=False, default=0)
    smb_nt_hash = models.TextField(editable=False, blank=True, default="")  # sealed NT hash, for Samba only
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("device password")
        verbose_name_plural = _("device passwords")
        ordering = ["user", "name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="device_password_name_per_user")]

    def __str__(self) -> str:
        return f"{self.user} / {self.name}"

    @property
    def smb_login(self) -> str:
        """The SMB user name of this device: Samba keeps one password per account, so each device password
        is its own account; '~' cannot occur in a username, so no person's name can clash with it."""
        return f"{self.user.username}{SMB_LOGIN_SEPARATOR}{self.number}"


SMB_LOGIN_SEPARATOR = "~"


class ShareAccess(models.Model):
    """Whether a person may use the network shares (admins switch it); no row means allowed."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="share_access",
                                verbose_name=_("person"))
    enabled = models.BooleanField(_("network shares allowed"), default=True)

    class Meta:
        verbose_name = _("network share access")
        verbose_name_plural = _("network share access")

    def __str__(self) -> str:
        return f"{self.user}: {'on' if self.enabled else 'off'}"


class ShareSettings(models.Model):
    """The one row of server-wide network share settings (Settings → Network shares, ``manage.py shares``)."""

    smb_enabled = models.BooleanField(_("SMB shares"), default=False,
                                      help_text=_("Windows, macOS and Linux map the person's folders as drives."))
    webdav_enabled = models.BooleanField(_("WebDAV"), default=False,
                                         help_text=_("Phones and anything without SMB, at /dav/ on the portal's address."))
    smb_listen = models.CharField(
        _("SMB listen address"), max_length=64, blank=True, default="", validators=[listen_address_validator],
        help_text=_("ADDRESS:PORT smbd listens on; empty means the server's default (ANEMONE_SMB_LISTEN)."))

    class Meta:
        verbose_name = _("network share settings")
        verbose_name_plural = _("network share settings")

    def __str__(self) -> str:
        return f"smb={'on' if self.smb_enabled else 'off'} webdav={'on' if self.webdav_enabled else 'off'}"

    @classmethod
    def load(cls) -> ShareSettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj

    def effective_smb_listen(self) -> str:
        return self.smb_listen or settings.ANEMONE_SMB_LISTEN


class ShareLogin(models.Model):
    """How many share logins succeeded, failed or were refused by the throttle, per protocol (/metrics)."""

    PROTOCOLS = [("smb", "SMB"), ("webdav", "WebDAV")]
    OUTCOMES = [("ok", "ok"), ("failed", "failed"), ("locked", "locked")]
    protocol = models.CharField(max_length=8, choices=PROTOCOLS)
    outcome = models.CharField(max_length=8, choices=OUTCOMES)
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["protocol", "outcome"], name="share_login_counter")]

    def __str__(self) -> str:
        return f"{self.protocol} {self.outcome}: {self.count}"


class DavLock(models.Model):
    """A WebDAV lock (class 2), in the database so every gunicorn worker sees it (``anemone.shares.dav``)."""

    token = models.CharField(max_length=128, primary_key=True)
    root = models.TextField(db_index=True)  # the locked path under /dav, e.g. /alice/data/report.odt
    expire = models.FloatField(db_index=True)  # epoch seconds
    data = models.TextField()  # WsgiDAV's lock dictionary as JSON (the owner XML base64-encoded)

    def __str__(self) -> str:
        return f"{self.root} until {self.expire:.0f}"
