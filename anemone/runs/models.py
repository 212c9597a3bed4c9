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

from anemone.runs import registry


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
    kind = models.CharField(_("kind"), max_length=32, db_index=True, choices=registry.choices)
    target_id = models.PositiveBigIntegerField(
        _("target"), default=0,
        help_text=_("Primary key of the kind's target model (RunKind.target_model: a cloud destination, a P2P "
                    "target, a USB job; the person for a restore); 0 for kinds without one."))
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
    alerted_at = models.DateTimeField(null=True, blank=True, editable=False,
                                      help_text=_("When the alerts job claimed this finished run (anemone.alerts)."))

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
    def kind_label(self) -> str:
        return registry.label(self.kind)

    @property
    def kind_is_backup(self) -> bool:
        try:
            return registry.get(self.kind).backup
        except KeyError:
            return False

    @property
    def target(self):
        """What target_id points to, through the kind (None when removed, or for kinds without a target)."""
        try:
            return registry.get(self.kind).load(self.target_id)
        except KeyError:
            return None

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


WEEKDAYS = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]


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
        _("weekday"), default=0, choices=list(enumerate(WEEKDAYS))
    )
    schedule_monthday = models.PositiveSmallIntegerField(
        _("day of month (1–28)"), default=1, validators=[MinValueValidator(1), MaxValueValidator(28)]
    )

    class Meta:
        abstract = True


class BackupTarget(ScheduleFields):
    """What every backup target (cloud destination, P2P target, USB job) has, once.

    Who is carried is explicit: ``carry_everyone`` (every active person, people added later included) or
    exactly the people in ``users``, so unticking the last person can never silently mean "everyone".
    Saving and deleting go through ``anemone.runs.targets`` (they own the django-q2 schedule).
    """

    enabled = models.BooleanField(_("enabled"), default=True)
    carry_everyone = models.BooleanField(
        _("carry everyone"), default=True,
        help_text=_("Every active person, including people added later. Untick to choose people below."))
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("people carried"),
                                   help_text=_("Used only when \"carry everyone\" is off."))

    class Meta:
        abstract = True

    def eligible_people(self):
        """The people this kind can carry at all (active, activated); kinds narrow it (P2P: a backup key)."""
        from anemone.accounts.models import User

        return User.objects.filter(is_active=True, activated_at__isnull=False)

    def carried_users(self):
        people = self.eligible_people()
        if self.carry_everyone:
            return people
        if not self.pk:
            return people.none()
        return people.filter(pk__in=self.users.values("pk"))

    def carries(self, person) -> bool:
        """Whether this target copies (and so can restore) this person's files."""
        return self.carried_users().filter(pk=person.pk).exists()

    def needs_people(self) -> bool:
        """Whether carrying nobody is an error (USB: not for a configuration-only job)."""
        return True

    def is_schedulable(self) -> bool:
        """Whether its schedule may fire (kinds add conditions: P2P also needs its peer enabled)."""
        return self.enabled


RETENTION_FIELDS = ("keep_last", "keep_daily", "keep_weekly", "keep_monthly")


class Retention(models.Model):
    """restic-style retention (``forget --keep-*``). Kinds set their own defaults by redeclaring a field."""

    keep_last = models.PositiveIntegerField(_("keep last"), default=7)
    keep_daily = models.PositiveIntegerField(_("keep daily"), default=7)
    keep_weekly = models.PositiveIntegerField(_("keep weekly"), default=4)
    keep_monthly = models.PositiveIntegerField(_("keep monthly"), default=12)

    class Meta:
        abstract = True

    @property
    def retention(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in RETENTION_FIELDS}

    def retention_args(self) -> dict[str, int]:
        """Only the rules in force (a 0 means "no rule of this kind")."""
        return {name: value for name, value in self.retention.items() if value}

    def clean(self) -> None:
        super().clean()
        validate_retention(self.retention)


def validate_retention(values: dict[str, int]) -> None:
    """At least one keep_* of 1 or more: a policy keeping nothing would make `restic forget` drop every
    snapshot (restic refuses it; before this check a P2P run crashed after the first person). The one rule
    of every form, the API, the Django admin and every command, through Retention.clean."""
    from django.core.exceptions import ValidationError

    if not any(values.get(name) for name in RETENTION_FIELDS):
        raise ValidationError({"keep_last": _("Keep at least one snapshot: set one of keep last, daily, weekly or "
                                              "monthly to 1 or more (all at 0 would forget every backup).")})
