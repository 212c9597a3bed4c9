"""Device passwords and the per-person "network shares allowed" switch.

A device password is what a laptop or a phone types to reach a person's files over SMB or WebDAV. Only a
Django password hash is kept (``make_password``): never the plain value, and the account password is never
stored in any weaker form for a file protocol. Revoking one deletes its row, so it stops working at once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from anemone.validators import safe_name_validator


class DevicePassword(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="device_passwords",
                             verbose_name=_("person"))
    # safe_name_validator allows inner spaces and accents ("Zoé's laptop"), refuses control chars, '/', '\'.
    name = models.CharField(_("name"), max_length=64, validators=[safe_name_validator])
    password_hash = models.CharField(max_length=256, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("device password")
        verbose_name_plural = _("device passwords")
        ordering = ["user", "name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="device_password_name_per_user")]

    def __str__(self) -> str:
        return f"{self.user} / {self.name}"


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
