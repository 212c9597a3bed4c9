"""Server-wide settings kept in the database (one row)."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from anemone.validators import http_url_validator, server_name_validator


class SiteSettings(models.Model):
    """The one row of server-wide settings: name, language, trash retention, portal address, setup state.

    ``setup_completed_at`` is the stored fact that setup is done, for good: losing every admin later
    must not reopen the wizard to whoever is on the network (recovery is ``manage.py recover_admin``).
    ``portal_url`` is where activation and reset links point: never the Host header a request carried.
    """

    server_name = models.CharField(_("server name"), max_length=64, default="anemone",
                                   validators=[server_name_validator],
                                   help_text=_("Also the folder name of this server's backups on friends' servers."))
    language = models.CharField(_("default language"), max_length=8, default="en")
    trash_retention_days = models.PositiveIntegerField(
        _("trash retention (days)"), default=30, validators=[MinValueValidator(1)],
        help_text=_("Deleted files stay this many days in the trash (at least 1)."))
    portal_url = models.CharField(
        _("portal address"), max_length=255, blank=True, default="", validators=[http_url_validator],
        help_text=_("The address people open to reach this portal, e.g. https://nas.example.org. "
                    "Activation and password-reset links are built on it."))
    setup_completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    recovery_kit_confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")

    def __str__(self) -> str:
        return self.server_name

    @classmethod
    def load(cls) -> "SiteSettings":
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj

    def portal_address(self) -> str:
        """The base of every link sent to people: the configured address, else the one the portal binds."""
        return (self.portal_url or f"http://{settings.SERVER_BIND}").rstrip("/")
