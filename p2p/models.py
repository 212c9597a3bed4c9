"""P2P backups: one target per paired peer, one restic repository per carried person on that peer."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from anemone.runs.models import BackupTarget, Retention, ScheduleKind, validate_retention
from peers.models import Peer

BASE_PATH = RegexValidator(r"^\Z|^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}(/[A-Za-z0-9_][A-Za-z0-9._-]{0,63}){0,3}\Z",
                           _("Folders of letters, digits, '.', '_' or '-', separated by '/', not starting with '.' or '-'."))
LOGIN = RegexValidator(r"^\Z|^[a-z0-9][a-z0-9_-]{0,31}\Z", _("Lowercase letters, digits, '_' or '-' (max 32)."))
HOST = RegexValidator(r"^\Z|^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?\Z|^[0-9a-fA-F:]+\Z", _("A host name or an IP address."))

# Retention defaults (docs/p2p.md; the fields are runs.models.Retention's): the last 7 backups, one a day for a week, one a week for a month,
# one a month for a year — about 25 snapshots per person after a year of nightly backups.
DEFAULT_RETENTION = {"keep_last": 7, "keep_daily": 7, "keep_weekly": 4, "keep_monthly": 12}
__all__ = ["DEFAULT_RETENTION", "PeerTarget", "UserRepository", "default_schedule", "validate_retention"]


class PeerTarget(BackupTarget, Retention):
    """Our backups to one peer. Blank host/port/login/base path follow the peer (its tunnel address,
    its SFTP port, our server name), so a re-paired peer needs no edit here."""

    peer = models.OneToOneField(Peer, on_delete=models.CASCADE, related_name="target", verbose_name=_("peer"))
    host = models.CharField(_("host"), max_length=253, blank=True, validators=[HOST],
                            help_text=_("Blank: the peer's VPN address."))
    port = models.PositiveIntegerField(_("port"), null=True, blank=True,
                                       validators=[MinValueValidator(1), MaxValueValidator(65535)],
                                       help_text=_("Blank: the peer's SFTP port."))
    login = models.CharField(_("login"), max_length=32, blank=True, validators=[LOGIN],
                             help_text=_("Blank: our folder on the peer (this server's name at the first backup)."))
    base_path = models.CharField(_("base path"), max_length=200, blank=True, validators=[BASE_PATH],
                                 help_text=_("Folder in our space on the peer; blank: our folder there, fixed at the first backup "
                                             "(this server's name then), whatever the server is renamed to later."))
    verify_every_days = models.PositiveIntegerField(_("verify every (days, 0 = never)"), default=7,
                                                    validators=[MaxValueValidator(365)])
    verify_percent = models.PositiveIntegerField(_("share of data re-read when verifying (%)"), default=5,
                                                 validators=[MinValueValidator(1), MaxValueValidator(100)])
    bandwidth_limit_kib = models.PositiveIntegerField(_("upload limit (KiB/s, 0 = none)"), default=0)
    stall_timeout_seconds = models.PositiveIntegerField(
        _("give up after no progress for (s)"), default=300, validators=[MinValueValidator(10), MaxValueValidator(86400)])
    stale_warning_days = models.PositiveIntegerField(_("warn when the last backup is older than (days)"), default=3,
                                                     validators=[MinValueValidator(1)])
    peer_folder = models.CharField(
        _("our folder on the peer"), max_length=32, blank=True, editable=False,
        help_text=_("Fixed by the first backup (this server's name then): renaming the server later keeps "
                    "using it, so the history stays where it is."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["peer__name"]
        verbose_name = _("P2P backup target")

    def __str__(self) -> str:
        return f"→ {self.peer.name}"

    @property
    def name(self) -> str:
        return self.peer.name

    def eligible_people(self):
        """Only people with a backup key: it is the password of their repository on the peer."""
        return super().eligible_people().exclude(backup_key_sealed="")

    def is_schedulable(self) -> bool:
        """A disabled peer's schedule is removed and never re-created by a re-sync."""
        return self.enabled and self.peer.enabled


def default_schedule() -> dict[str, object]:
    """New targets back up nightly at 01:30 (server time zone)."""
    from datetime import time

    return {"schedule_kind": ScheduleKind.DAILY, "schedule_time": time(1, 30)}


class UserRepository(models.Model):
    """What we know of one person's repository on one peer, updated by every run that touches it."""

    target = models.ForeignKey(PeerTarget, on_delete=models.CASCADE, related_name="repositories")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    initialised_at = models.DateTimeField(null=True, blank=True)
    last_snapshot_id = models.CharField(max_length=64, blank=True)
    last_snapshot_at = models.DateTimeField(null=True, blank=True)
    snapshots_count = models.PositiveIntegerField(default=0)
    stored_bytes = models.BigIntegerField(default=0, help_text=_("raw size of the repository on the peer"))
    last_verified_at = models.DateTimeField(null=True, blank=True)
    last_verify_ok = models.BooleanField(null=True)
    last_maintained_at = models.DateTimeField(null=True, blank=True, help_text=_("last retention + size update"))
    problem = models.CharField(_("problem"), max_length=500, blank=True,
                               help_text=_("What went wrong for this person on the last run (blank: nothing)."))
    # The same problem as data (anemone.runs.messages), so the P2P page says it in the reader's language.
    problem_code = models.CharField(max_length=64, blank=True, editable=False)
    problem_params = models.JSONField(default=dict, blank=True, editable=False)
    history_missing = models.BooleanField(_("history missing at the peer"), default=False,
                                          help_text=_("The repository vanished at the peer after good backups; the "
                                                      "next backup re-creates it only when an admin says so."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["target", "user"], name="one_repository_per_user_and_target")]
        ordering = ["target", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} on {self.target.peer.name}"

    @property
    def shown_problem(self) -> str:
        """The problem in the reader's language; rows from before the codes keep their English text."""
        from anemone.runs.messages import render

        return render(self.problem_code, self.problem_params) if self.problem_code else self.problem

    @property
    def had_history(self) -> bool:
        """A repository was made or written by us: if it vanishes at the peer, that is history lost, not
        a first backup (the run must say so instead of silently starting over)."""
        return bool(self.initialised_at or self.last_snapshot_id)
