"""One row per run of anything (a backup, a sync, a trash purge), with per-user items.

django-q2's own Task rows are not history (save_limit prunes them): the Run is what admin, API,
dashboard and CLI read. "One run per target at a time" is a partial unique index, so two workers or
two clicks can never start the same target twice.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("succeeded")
    PARTIAL = "partial", _("partially succeeded")
    FAILED = "failed", _("failed")
    INTERRUPTED = "interrupted", _("interrupted")
    SKIPPED = "skipped", _("skipped")


ACTIVE_STATUSES = [RunStatus.QUEUED, RunStatus.RUNNING]
FINAL_STATUSES = [s for s in RunStatus if s not in ACTIVE_STATUSES]


class Trigger(models.TextChoices):
    MANUAL = "manual", _("manual")
    SCHEDULE = "schedule", _("schedule")
    API = "api", _("API")
    CLI = "cli", _("command line")


class Run(models.Model):
    kind = models.CharField(_("kind"), max_length=16, db_index=True)
    target_id = models.PositiveBigIntegerField(_("target"), default=0)
    target_label = models.CharField(_("target name"), max_length=128, blank=True)
    trigger = models.CharField(_("trigger"), max_length=16, choices=Trigger.choices, default=Trigger.MANUAL)
    status = models.CharField(_("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    options = models.JSONField(default=dict, blank=True)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    files_done = models.BigIntegerField(default=0)
    files_total = models.BigIntegerField(default=0)
    bytes_done = models.BigIntegerField(default=0)
    bytes_total = models.BigIntegerField(default=0)
    percent = models.FloatField(default=0)
    current_item = models.CharField(max_length=512, blank=True)
    progress_updated_at = models.DateTimeField(null=True, blank=True)
    message = models.TextField(_("message"), blank=True)
    # The message as data (anemone.runs.messages): rendered in the reader's language; `message` is the English.
    message_code = models.CharField(_("message code"), max_length=64, blank=True)
    message_params = models.JSONField(_("message parameters"), default=dict, blank=True)
    log_tail = models.TextField(blank=True)
    worker_host = models.CharField(max_length=255, blank=True)
    worker_pid = models.IntegerField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-queued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "target_id"],
                condition=Q(status__in=["queued", "running"]),
                name="one_active_run_per_target",
            )
        ]
        indexes = [models.Index(fields=["kind", "target_id", "-queued_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.target_label or self.target_id} #{self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_dry_run(self) -> bool:
        """A preview (cloud dry run): it copied nothing, so it is never anybody's backup."""
        return bool((self.options or {}).get("dry_run"))

    @property
    def shown_message(self) -> str:
        """The message in the reader's language (its code rendered), or the stored text of an older run."""
        from anemone.runs.messages import shown

        return shown(self)

    @property
    def duration_seconds(self) -> float | None:
        if not self.started_at:
            return None
        from django.utils import timezone

        end = self.finished_at or timezone.now()
        return (end - self.started_at).total_seconds()


class RunItem(models.Model):
    """What one run did for one user (or one part): counters plus kind-specific stats."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="items")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE)
    label = models.CharField(max_length=128, blank=True)
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING)
    files = models.BigIntegerField(default=0)
    bytes = models.BigIntegerField(default=0)
    errors = models.IntegerField(default=0)
    stats = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)
    message_code = models.CharField(max_length=64, blank=True)
    message_params = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.label or self.user} ({self.status})"

    @property
    def shown_message(self) -> str:
        from anemone.runs.messages import shown

        return shown(self)


class ScheduleKind(models.TextChoices):
    OFF = "off", _("manual only")
    INTERVAL = "interval", _("every N minutes")
    DAILY = "daily", _("daily")
    WEEKLY = "weekly", _("weekly")
    MONTHLY = "monthly", _("monthly")


class ScheduleFields(models.Model):
    """Schedule of a target, in the server's time zone; mirrored into a django-q2 Schedule."""

    schedule_kind = models.CharField(
        _("schedule"), max_length=16, choices=ScheduleKind.choices, default=ScheduleKind.OFF
    )
    schedule_interval_minutes = models.PositiveIntegerField(
        _("every (minutes)"), default=60, validators=[MinValueValidator(5), MaxValueValidator(60 * 24 * 31)]
    )
    schedule_time = models.TimeField(_("at (HH:MM)"), null=True, blank=True)
    schedule_weekday = models.PositiveSmallIntegerField(
        _("weekday"), default=0, choices=[(i, d) for i, d in enumerate(
            [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]
        )]
    )
    schedule_monthday = models.PositiveSmallIntegerField(
        _("day of month (1–28)"), default=1, validators=[MinValueValidator(1), MaxValueValidator(28)]
    )

    class Meta:
        abstract = True
