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


# Which channel switch covers which event ("test" is always sent: someone asked for it). Events of the run
# alerts job (anemone.alerts.jobs) have their own switches; every condition a watch reports (a late target, an
# unreachable or silent peer, a disk nearly full, a failed drill...: anemone.alerts.conditions) is a warning.
EVENT_SWITCH = {"run-failed": "on_failed", "run-interrupted": "on_failed", "run-partial": "on_partial",
                "recovered": "on_recovered"}
RUN_EVENTS = frozenset(EVENT_SWITCH) - {"recovered"}


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
    on_warnings = models.BooleanField(_("warnings"), default=True,
                                      help_text=_("A backup is late, a peer is unreachable or silent, a disk is "
                                                  "nearly full or failing, a restore drill failed."))
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
        if event == "test":
            return True
        return bool(getattr(self, EVENT_SWITCH.get(event, "on_warnings")))


class Problem(models.Model):
    """One problem while it lasts: a kind+target whose latest run went wrong, or a condition a watch reports.

    ``key`` names it: ``run:<kind>:<target id>`` for runs (anemone.alerts.jobs), ``<watch>:<what>`` for
    conditions (anemone.alerts.conditions). ``events_sent`` lists the events already told for it, so three
    failures in a row are one message; the row is deleted (and "recovered" told) when it clears. A condition
    keeps what it said (``finding``: title, body, link, people, extra addresses) for its "recovered" message.
    """

    key = models.CharField(_("problem"), max_length=200, unique=True)
    watch = models.CharField(_("watch"), max_length=32, blank=True, db_index=True,
                             help_text=_("Empty for a run's problem; else the watch that reported it."))
    finding = models.JSONField(default=dict, blank=True)
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

    def __str__(self) -> str:
        return self.target_label or self.key

    @property
    def shown_title(self) -> str:
        """A condition's title in the reader's language (its label when it has none)."""
        from anemone.runs.messages import render

        title = (self.finding or {}).get("title")
        return render(title["code"], title.get("params")) if title else str(self)


def run_problem_key(kind: str, target_id: int) -> str:
    return f"run:{kind}:{target_id}"


class PersonalAlerts(models.Model):
    """A person's own opt-in: what goes wrong with *their* files, by e-mail, in their language.

    Off by default (a household member did not ask to be e-mailed). They are told of runs that carried them
    and of conditions that name them (their backups late, their area nearly full), and read of a run only
    what its page shows them (anemone.runs.privacy): never another person's file names.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
                                related_name="personal_alerts")
    enabled = models.BooleanField(_("tell me when something goes wrong with my backups"), default=False)
    email = models.EmailField(_("e-mail address"), blank=True,
                              help_text=_("Empty: the e-mail address of your account."))
    last_sent_at = models.DateTimeField(_("last sent"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)

    class Meta:
        verbose_name = _("personal alerts")
        verbose_name_plural = _("personal alerts")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def address(self) -> str:
        return self.email or getattr(self.user, "email", "") or ""
