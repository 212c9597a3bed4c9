"""Server-wide settings kept in the database (one row)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SiteSettings(models.Model):
    """The one row of server-wide settings: name, language, trash retention, setup state."""

    server_name = models.CharField(_("server name"), max_length=64, default="anemone")
    language = models.CharField(_("default language"), max_length=8, default="en")
    trash_retention_days = models.PositiveIntegerField(_("trash retention (days)"), default=30)
    setup_completed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")

    def __str__(self) -> str:
        return self.server_name

    @classmethod
    def load(cls) -> "SiteSettings":
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj
