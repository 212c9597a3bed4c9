"""Alert channels admins configure, and the problems the alerts job is telling them about.

A channel's Apprise URL is a secret (it holds tokens and passwords): sealed at rest with the master key
(anemone.crypto), write-only in the portal, the API and the Django admin, which only say whether it is set.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("e-mail")
    APPRISE = "apprise", _("Apprise URL (ntfy, Gotify, Matrix, Telegram, Signal, webhooks…)")


# Which channel switch covers which event of anemone.alerts.jobs ("test" is always sent: someone asked for it).
EVENT_SWITCH = {"run-failed": "on_failed", "run-interrupted": "on_failed", "run-partial": "on_partial",
                "recovered": "on_recovered"}


class AlertChannel(models.Model):
    name = models.CharField(_("name"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ChannelKind.choices, default=ChannelKind.EMAIL)
    emails = models.TextField(_("recipients"), blank=True,
                              help_text=_("E-mail addresses, one per line or separated by commas."))
    url_sealed = models.TextField(blank=True, editable=False)
    enabled = models.BooleanField(_("enabled"), default=True)
    on_failed = models.BooleanField(_("a run failed"), default=True,
                                    help_text=_("Also a run interrupted (the worker stopped)."))
    on_partial = models.BooleanField(_("a run partially succeeded"), default=True)
    on_recovered = models.BooleanField(_("it works again"), default=True,
                                       help_text=_("A later run of the same target succeeded."))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sent_at = models.DateTimeField(_("last sent"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    last_error_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("alert channel")
        verbose_name_plural = _("alert channels")

    def __str__(self) -> str:
        return self.name

    @property
    def url_set(self) -> bool:
        return bool(self.url_sealed)

    def recipients(self) -> list[str]:
        return [address for address in re.split(r"[\s,;]+", self.emails) if address]

    def wants(self, event: str) -> bool:
        switch = EVENT_SWITCH.get(event)
        return True if switch is None else bool(getattr(self, switch))


class Problem(models.Model):
    """One kind+target whose latest run went wrong: the row exists while the problem lasts.

    ``events_sent`` lists the events already told for it, so three failures in a row are one message; the row
    is deleted (and "recovered" told) when a later run of the same kind+target succeeds.
    """

    kind = models.CharField(_("kind"), max_length=32)
    target_id = models.PositiveBigIntegerField(_("target"), default=0)
    target_label = models.CharField(_("target name"), max_length=128, blank=True)
    since = models.DateTimeField(_("going wrong since"))
    first_run = models.ForeignKey("runs.Run", null=True, on_delete=models.SET_NULL, related_name="+")
    last_run = models.ForeignKey("runs.Run", null=True, on_delete=models.SET_NULL, related_name="+")
    events_sent = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["since"]
        verbose_name = _("open problem")
        verbose_name_plural = _("open problems")
        constraints = [models.UniqueConstraint(fields=["kind", "target_id"], name="one_problem_per_target")]

    def __str__(self) -> str:
        return f"{self.kind} {self.target_label or self.target_id}"
